"""CRC-32C from google-crc32c and the pure-Python table used without it agree (TFRecord framing)."""

from __future__ import annotations

import numpy as np
import pytest

from magma_bench.trainer import tfrecord


def test_package_and_table_agree(monkeypatch):
    pytest.importorskip("google_crc32c")
    assert tfrecord._crc32c_package is not None  # installed: the package is the one used
    blobs = [b"", b"123456789", np.random.default_rng(0).bytes(4099)]
    fast = [tfrecord.crc32c(b) for b in blobs]
    monkeypatch.setattr(tfrecord, "_crc32c_package", None)
    assert [tfrecord.crc32c(b) for b in blobs] == fast
    assert fast[1] == 0xE3069283  # the CRC-32C (Castagnoli) check value
