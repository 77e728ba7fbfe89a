"""`make perf` (`magma-bench perf`): performance figures measured side by side in one run.

  harness.py     the harness figures and the driver that collects every domain's `figures()`
  rollout.py     batched closed-loop evaluation: episodes/min, one environment vs a vector of them
  ray_sweep.py   the same sweep through the local and the Ray executor
  lmms.py        magma-bench and lmms-eval side by side on the same model and data
"""
