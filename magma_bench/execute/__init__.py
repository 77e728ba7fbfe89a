"""Where the work runs: a sweep's plan and its executors, and the worker processes of closed-loop
evaluation.

  sweep_config.py    benchmarks x adapters, parsed from YAML into typed dataclasses
  sweep.py           the plan (work units, shards) and the local executor (`run_local`)
  ray_executor.py    the same plan on Ray actors (`run_ray`)
  vector_env.py      N environments in worker processes, stepped together (used by run/rollout.py)
"""
