"""One run, start to finish: the runner resolves data and writes the header, the evaluator (static
samples) or the rollout (closed-loop episodes) produces records, the store keeps them on disk.

  runner.py          one run: data, adapter, evaluate, summary.json
  evaluator.py       samples -> batched requests -> adapter -> parse -> score -> records
  rollout.py         episodes: where the environment meets the adapter
  store.py           the run directory: records.jsonl, summary.json, locks, resume
  records.py         the typed, versioned Record and Summary (docs/records.md)
  prediction_ids.py  which id an external predictions file is keyed by
  provenance.py      package versions and the git revision of the harness
"""
