"""A sweep entry with `splits: [...]` runs the benchmark once per split (Mind2Web's three test
splits, which the paper reports side by side); bad `splits` values end in one line."""

import json

import pytest
import yaml
from PIL import Image

from magma_bench.cli.main import main
from magma_bench.errors import UserError
from magma_bench.execute.sweep_config import load_sweep

SPLITS = ["test_task", "test_website", "test_domain"]


def _mind2web(root):
    """One one-step episode per split, in SeeClick's layout."""
    (root / "mind2web_imgs").mkdir(parents=True)
    for k, split in enumerate(SPLITS):
        ann, uid = f"ann{k}", f"uid{k}"
        Image.new("RGB", (320, 200), "white").save(root / "mind2web_imgs" / f"{ann}-{uid}.jpg")
        ep = {"annotation_id": ann, "confirmed_task": f"task {k}", "website": "w", "domain": "d", "subdomain": "s",
              "action_reprs": ["[button] Go -> CLICK"],
              "actions": [{"action_uid": uid, "operation": {"original_op": "CLICK", "value": "", "op": "CLICK"},
                           "pos_candidates": [], "bbox": {"x": 10, "y": 20, "width": 40, "height": 30}}]}
        (root / f"mind2web_data_{split}.json").write_text(json.dumps([ep]))


def _write(tmp_path, bench):
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"adapters": ["oracle"], "benchmarks": [bench]}))
    return path


def test_splits_entry_runs_each_split(tmp_path, capsys):
    _mind2web(tmp_path / "m2w")
    path = _write(tmp_path, {"name": "mind2web", "data_dir": str(tmp_path / "m2w"), "splits": SPLITS})
    assert [b.split for b in load_sweep(path).benchmarks] == SPLITS
    rc = main(["sweep", "--config", str(path), "--out", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    for split in SPLITS:
        [summary] = (tmp_path / "runs" / "mind2web" / split).glob("oracle-*/summary.json")
        s = json.loads(summary.read_text())
        assert (s["split"], s["n"], s["headline"]) == (split, 1, 100.0)


@pytest.mark.parametrize(("extra", "message"), [
    ({"splits": ["test_task", "test_all"]}, r"benchmarks\[0\]\.splits: mind2web: unknown split 'test_all'"),
    ({"splits": "test_task"}, r"benchmarks\[0\]\.splits: 'test_task' is not valid; expected a non-empty list"),
    ({"splits": []}, r"benchmarks\[0\]\.splits: \[\] is not valid; expected a non-empty list"),
    ({"splits": ["test_task"], "split": "test_domain"}, "give `split` or `splits`, not both"),
])
def test_bad_splits_are_one_line(tmp_path, extra, message):
    with pytest.raises(UserError, match=message):
        load_sweep(_write(tmp_path, {"name": "mind2web", **extra}))
