"""Shared fixtures of the VL benchmark tests."""

import pytest


@pytest.fixture()
def data_root(tmp_path, monkeypatch):
    monkeypatch.setenv("MAGMA_BENCH_DATA", str(tmp_path / "data"))
    return tmp_path
