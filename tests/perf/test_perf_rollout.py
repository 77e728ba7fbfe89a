"""The batched-rollout perf loop counts what it claims: with N envs one act call serves N episode
steps, and `--envs` reaches RunConfig.num_envs through the CLI (0 is refused before any work)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from magma_bench.cli import run_cmd as run_cmd_module
from magma_bench.perf.rollout import episodes_per_min


def test_batched_loop_makes_one_act_call_per_step_for_all_envs() -> None:
    rate1, calls1 = episodes_per_min(1, 4, steps=3, delay_s=0.0)
    rate2, calls2 = episodes_per_min(2, 4, steps=3, delay_s=0.0)
    assert calls1 == 4 * 3  # one call per episode step
    assert calls2 == 4 * 3 // 2  # two episodes per call
    assert rate1 > 0 and rate2 > 0


def test_envs_option_reaches_the_run_config(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(cfg: Any, progress: Any = None) -> dict[str, Any]:
        seen["cfg"] = cfg
        return {"benchmark": cfg.benchmark, "adapter": cfg.adapter, "n": 0, "headline": None, "metrics": {},
                "ci95": [None, None], "errors": 0, "timing": {"model_s": 0.0, "harness_s": 0.0}}

    monkeypatch.setattr("magma_bench.run.runner.run", fake_run)
    cmd = run_cmd_module.run_cmd
    res = CliRunner().invoke(cmd, ["-b", "tabletop_bridge", "-a", "random", "--envs", "8", "--json"])
    assert res.exit_code == 0, res.output
    assert seen["cfg"].num_envs == 8
    CliRunner().invoke(cmd, ["-b", "tabletop_bridge", "-a", "random", "--json"])
    assert seen["cfg"].num_envs == 1
    bad = CliRunner().invoke(cmd, ["-b", "tabletop_bridge", "-a", "random", "--envs", "0"])
    assert bad.exit_code != 0 and "--envs" in bad.output
