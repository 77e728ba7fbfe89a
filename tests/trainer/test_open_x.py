"""Open-X RLDS (TFDS) episodes read without TensorFlow: TFRecord framing, tf.train.Example wire
format, and the per-dataset action / instruction conventions."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from magma_bench.errors import UserError
from magma_bench.trainer import mixtures, open_x, tfrecord

pytest.importorskip("google.protobuf")


def _varint(n: int) -> bytes:
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def _ld(field: int, payload: bytes) -> bytes:  # a length-delimited field
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def test_crc32c_matches_the_standard_check_value():
    assert tfrecord.crc32c(b"123456789") == 0xE3069283  # CRC-32C (Castagnoli) check value


def test_a_hand_encoded_example_parses_by_the_tensorflow_field_numbers():
    """Bytes laid out by tensorflow/core/example/{example,feature}.proto, not by our serializer."""
    int64s = _ld(3, _ld(1, _varint(1) + _varint(0)))  # Feature.int64_list = Int64List(value=[1, 0]) packed
    floats = _ld(2, _ld(1, struct.pack("<2f", 0.5, -2.0)))  # Feature.float_list
    texts = _ld(1, _ld(1, b"pick") + _ld(1, b"place"))  # Feature.bytes_list with two values

    def entry(key: str, feature: bytes) -> bytes:
        return _ld(1, _ld(1, key.encode()) + _ld(2, feature))  # Features.feature map entry

    raw = _ld(1, entry("steps/is_first", int64s) + entry("steps/action", floats) + entry("steps/text", texts))
    f = tfrecord.parse_example(raw)
    assert f["steps/is_first"].tolist() == [1, 0] and f["steps/action"].tolist() == [0.5, -2.0]
    assert f["steps/text"] == [b"pick", b"place"]
    assert tfrecord.parse_example(tfrecord.serialize_example(f))["steps/action"].tolist() == [0.5, -2.0]


def _jpeg(color: tuple[int, int, int], size: tuple[int, int] = (320, 256)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="JPEG")
    return buf.getvalue()


def _fractal_dir(root: Path, episodes: int = 2) -> Path:
    d = root / "fractal20220817_data" / "0.1.0"
    d.mkdir(parents=True)
    (d / "dataset_info.json").write_text(json.dumps({"name": "fractal20220817_data", "version": "0.1.0"}))
    t = 5
    recs = []
    for e in range(episodes):
        recs.append(tfrecord.serialize_example({
            "steps/is_first": np.r_[1, np.zeros(t - 1)].astype(np.int64),
            "steps/observation/image": [_jpeg((200, 20 * e, 0)) for _ in range(t)],
            "steps/observation/natural_language_instruction": [b"pick coke can"] * t,
            "steps/action/world_vector": np.arange(t * 3, dtype=np.float32) / 100,
            "steps/action/rotation_delta": np.zeros(t * 3, np.float32),
            "steps/action/gripper_closedness_action": np.array([0, 1, 0, 0, -1], np.float32),
            "steps/action/terminate_episode": np.zeros(t * 3, np.int64)}))
    tfrecord.write_records(d / "fractal20220817_data-train.tfrecord-00000-of-00001", recs)
    return d


def test_fractal_episodes_map_to_the_harness_action_convention(tmp_path):
    d = _fractal_dir(tmp_path)
    assert len(list(tfrecord.records(next(d.glob("*.tfrecord-*")), verify=True))) == 2  # data checksums hold
    eps = list(open_x.read_episodes(d.parent))  # the dataset dir: its newest version is read
    assert len(eps) == 2 and eps[1]["id"] == "fractal20220817_data/00000/1"
    ep = eps[0]
    assert ep["language_instruction"] == "pick coke can"
    assert ep["steps"]["observation/image"].shape == (5, 205, 256, 3)  # long side shrunk to 256
    a = ep["steps"]["action"]
    np.testing.assert_allclose(a[:, :3], np.arange(15).reshape(5, 3) / 100, atol=1e-6)
    # relative commands (close at step 1, open at step 4) held as absolute state, open before the first
    assert a[:, 6].tolist() == [-1.0, 1.0, 1.0, 1.0, -1.0]
    assert open_x.rel_to_abs_gripper(np.zeros(3)).tolist() == [-1.0, -1.0, -1.0]


def test_bridge_release_gripper_is_flipped_to_minus_one_open(tmp_path):
    d = tmp_path / "bridge_dataset" / "1.0.0"
    d.mkdir(parents=True)
    a = np.zeros((3, 7), np.float32)
    a[:, 6] = [1.0, 0.0, 1.0]  # 1 open .. 0 closed in the Berkeley release
    tfrecord.write_records(d / "bridge_dataset-train.tfrecord-00000-of-00001", [tfrecord.serialize_example({
        "steps/is_first": np.array([1, 0, 0]), "steps/action": a.ravel(),
        "steps/observation/image_0": [_jpeg((0, 0, 255), (64, 48))] * 3,
        "steps/language_instruction": [b"put the spoon on the towel"] * 3})])
    ep = next(open_x.read_episodes(d))
    assert ep["steps"]["action"][:, 6].tolist() == [-1.0, 1.0, -1.0] and ep["id"].startswith("bridge_dataset/")


def test_rlds_robot_source_in_a_mixture(tmp_path):
    mix = mixtures.parse_mixture({"name": "oxe", "som": False, "tom": False, "sources": {
        "robot": {"n": 1, "format": "rlds", "path": str(_fractal_dir(tmp_path))}}})
    pool = mixtures.build_pools(mix, tmp_path / "pool")["robot"]
    assert len(pool) == 5 and all(len(e.action) == 7 for e in pool)  # n=1 episode of 5 steps
    assert "pick coke can" in pool[0].messages[0]["content"][1]["text"]


def test_bad_tfds_input_names_the_file_and_record(tmp_path):
    with pytest.raises(UserError, match="not a TFDS dataset directory"):
        list(open_x.read_episodes(tmp_path / "missing"))
    with pytest.raises(UserError, match="no 'train' shards"):
        list(open_x.read_episodes(tmp_path))
    d = _fractal_dir(tmp_path)
    shard = next(d.glob("*.tfrecord-*"))
    body = shard.read_bytes()
    shard.write_bytes(body[:-40])
    with pytest.raises(UserError, match=r"tfrecord-00000-of-00001: record 1: truncated"):
        list(open_x.read_episodes(d))
    shard.write_bytes(b"\x00" * 40)
    with pytest.raises(UserError, match="record 0: length checksum mismatch"):
        list(open_x.read_episodes(d))
    tfrecord.write_records(shard, [tfrecord.serialize_example({"steps/is_first": np.array([1, 0])})])
    with pytest.raises(UserError, match=r"episode 0: no feature 'steps/action/world_vector'"):
        list(open_x.read_episodes(d))
    tfrecord.write_records(shard, [b"\xff\xff\xff"])
    with pytest.raises(UserError, match="not a tf.train.Example"):
        list(open_x.read_episodes(d))
