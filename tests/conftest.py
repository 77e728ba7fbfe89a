"""Shared fixtures: every test gets its own offline-data folder and derived-file cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from mb_testutil import data_env


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAGMA_BENCH_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("MAGMA_BENCH_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return data_env(tmp_path)
