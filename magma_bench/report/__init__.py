"""Reading finished runs back: result tables, paired comparisons, and the text they leave in.

  tables.py      rows of finished runs, rendered as markdown, CSV, JSON or LaTeX (`magma-bench report`)
  compare.py     paired comparison of two runs on their shared sample ids (`magma-bench compare`)
  run_labels.py  adapter labels for result rows: two configurations never share one
  text_out.py    the one LaTeX escaper and the terminal (rich) tables
"""
