"""TFRecord files of tf.train.Example records, read without TensorFlow.

Open-X-Embodiment's RLDS datasets are TFDS directories of TFRecord shards, one episode per
`tf.train.Example`. TensorFlow is a ~600 MB install for what is a simple container, so this reads
it with `protobuf` (already a dependency of the trainer's stack): the framing is
`uint64 length, uint32 masked_crc32c(length), data, uint32 masked_crc32c(data)` (little-endian;
TensorFlow's record_writer), and the message classes are built from the field numbers of
tensorflow/core/example/{example,feature}.proto. The length CRC is always checked (a misframed
or truncated file fails at the record it breaks); the data CRC only with `verify=True`. CRC-32C
comes from google-crc32c (the `model` extra, hardware-accelerated); without it a pure-Python
table does the same sum, too slow to verify megabytes of JPEGs routinely.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.errors import UserError

try:
    from google_crc32c import value as _crc32c_package
except ImportError:  # not installed: the pure-Python table below
    _crc32c_package = None


@cache
def _crc_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1  # CRC-32C (Castagnoli), reflected
        table.append(c)
    return tuple(table)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of `data`."""
    if _crc32c_package is not None:
        return _crc32c_package(data)
    t, c = _crc_table(), 0xFFFFFFFF
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(path: Path, verify: bool = False) -> Iterator[bytes]:
    """The records of one TFRecord file, in order."""
    path = Path(path)
    with path.open("rb") as f:
        i = 0
        while head := f.read(12):
            if len(head) < 12:
                raise UserError(f"{path}: record {i}: truncated header")
            (n,), (crc,) = struct.unpack("<Q", head[:8]), struct.unpack("<I", head[8:])
            if masked_crc(head[:8]) != crc:
                raise UserError(f"{path}: record {i}: length checksum mismatch (not a TFRecord file, or corrupt)")
            body = f.read(n)
            tail = f.read(4)
            if len(body) < n or len(tail) < 4:
                raise UserError(f"{path}: record {i}: truncated ({len(body)} of {n} bytes)")
            if verify and masked_crc(body) != struct.unpack("<I", tail)[0]:
                raise UserError(f"{path}: record {i}: data checksum mismatch")
            yield body
            i += 1


def write_records(path: Path, items: list[bytes]) -> Path:
    """Write a TFRecord file (for tests and for converting data to TFDS shards)."""
    with Path(path).open("wb") as f:
        for body in items:
            head = struct.pack("<Q", len(body))
            f.write(head + struct.pack("<I", masked_crc(head)) + body + struct.pack("<I", masked_crc(body)))
    return Path(path)


@cache
def example_class() -> Any:
    """tf.train.Example, built from its .proto field numbers with protobuf's descriptor API."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="magma_bench_tf_example.proto", package="tensorflow",
                                             syntax="proto3")

    def msg(name: str, fields: list[tuple[str, int, int, int, str]]) -> descriptor_pb2.DescriptorProto:
        m = fdp.message_type.add(name=name)
        for fname, num, ftype, label, tname in fields:
            f = m.field.add(name=fname, number=num, type=ftype, label=label)
            if tname:
                f.type_name = tname
        return m

    rep, opt = F.LABEL_REPEATED, F.LABEL_OPTIONAL
    msg("BytesList", [("value", 1, F.TYPE_BYTES, rep, "")])
    msg("FloatList", [("value", 1, F.TYPE_FLOAT, rep, "")])
    msg("Int64List", [("value", 1, F.TYPE_INT64, rep, "")])
    feat = msg("Feature", [("bytes_list", 1, F.TYPE_MESSAGE, opt, ".tensorflow.BytesList"),
                           ("float_list", 2, F.TYPE_MESSAGE, opt, ".tensorflow.FloatList"),
                           ("int64_list", 3, F.TYPE_MESSAGE, opt, ".tensorflow.Int64List")])
    feat.oneof_decl.add(name="kind")
    for f in feat.field:
        f.oneof_index = 0
    feats = msg("Features", [("feature", 1, F.TYPE_MESSAGE, rep, ".tensorflow.Features.FeatureEntry")])
    entry = feats.nested_type.add(name="FeatureEntry")
    entry.field.add(name="key", number=1, type=F.TYPE_STRING, label=opt)
    entry.field.add(name="value", number=2, type=F.TYPE_MESSAGE, label=opt, type_name=".tensorflow.Feature")
    entry.options.map_entry = True
    msg("Example", [("features", 1, F.TYPE_MESSAGE, opt, ".tensorflow.Features")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.Example"))


def parse_example(raw: bytes, where: str = "record") -> dict[str, list | np.ndarray]:
    """{key: list of bytes | float32 array | int64 array} of one serialized tf.train.Example."""
    from google.protobuf.message import DecodeError

    ex = example_class()()
    try:
        ex.ParseFromString(raw)
    except DecodeError as e:
        raise UserError(f"{where}: not a tf.train.Example ({e})") from None
    out: dict[str, list | np.ndarray] = {}
    for key, feat in ex.features.feature.items():
        kind = feat.WhichOneof("kind")
        if kind == "bytes_list":
            out[key] = list(feat.bytes_list.value)
        elif kind == "float_list":
            out[key] = np.asarray(feat.float_list.value, dtype=np.float32)
        elif kind == "int64_list":
            out[key] = np.asarray(feat.int64_list.value, dtype=np.int64)
        else:
            out[key] = []
    return out


def serialize_example(features: dict[str, list | np.ndarray]) -> bytes:
    """The inverse of parse_example: bytes lists, float arrays, int arrays -> a serialized Example."""
    ex = example_class()()
    for key, v in features.items():
        f = ex.features.feature[key]
        if isinstance(v, list) and all(isinstance(x, bytes) for x in v):
            f.bytes_list.value.extend(v)
        elif np.asarray(v).dtype.kind == "f":
            f.float_list.value.extend(np.asarray(v, dtype=np.float32).ravel().tolist())
        else:
            f.int64_list.value.extend(np.asarray(v, dtype=np.int64).ravel().tolist())
    return ex.SerializeToString()
