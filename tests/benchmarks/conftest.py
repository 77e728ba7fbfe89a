"""Fixtures shared by the benchmark tests (ui/ has its own `data_root`, with a shared browser suite)."""

import pytest


@pytest.fixture()
def data_root(tmp_path, monkeypatch):
    """A tmp dir whose data/ is the offline-suite cache (MAGMA_BENCH_DATA)."""
    monkeypatch.setenv("MAGMA_BENCH_DATA", str(tmp_path / "data"))
    return tmp_path
