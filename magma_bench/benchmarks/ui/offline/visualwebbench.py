"""Generated VisualWebBench suites: all seven tasks on Chromium-rendered pages, hub parquet layout.

Each task's gold answer is read off the rendered page, so it is visible in the screenshot:
captions name the site and its sections, heading OCR reads the main heading, element OCR the text
in a red box, WebQA asks for a card's price, action prediction asks which page a boxed link
opens, and the two grounding tasks mark eight candidates A-H.
"""

from __future__ import annotations

import html as _html
import re
from pathlib import Path

import numpy as np

from magma_bench.benchmarks.ui.offline.pages import make_page
from magma_bench.benchmarks.ui.offline.render import Screen, ScreenRenderer
from magma_bench.benchmarks.ui.som import draw_marks

N_OPTIONS = 8
LETTERS = "ABCDEFGH"
TEXT_KEY = {"element_ground": "elem_desc", "action_ground": "instruction", "webqa": "question"}


def _describe(el) -> str:
    """An element description in the style of VisualWebBench's elem_desc."""
    if el.kind == "icon":
        return f"An icon button showing a {el.words} symbol."
    kind = {"input": "text input field with the placeholder", "link": "link with the text",
            "button": "button labelled", "tab": "tab labelled", "select": "dropdown labelled", "item": "menu or list item with the text"}.get(
        el.role, "element with the text")
    return f'A {kind} "{el.words}".'


def _ratio(box, size) -> list[float]:
    w, h = size
    return [round(box[0] / w, 3), round(box[1] / h, 3), round(box[2] / w, 3), round(box[3] / h, 3)]


def _task_row(task: str, screen: Screen, rng: np.random.Generator, raw: Path, idx: int) -> dict | None:
    """One row of `task` built from `screen`, or None when the page does not support the task."""
    page, size = screen.page, screen.size
    title = _html.unescape(re.search(r"<title>(.*?)</title>", page.html).group(1))
    visible = [page.elements[i] for i in screen.boxes]
    links = [e for e in visible if e.kind == "text" and e.role in ("link", "tab", "item")]
    row: dict = {"id": f"{task}_{idx}", "task_type": task, "website": f"{page.theme}.example", "image_size": list(size)}
    image = raw / screen.file
    if task == "web_caption":
        if len(links) < 2:
            return None
        row["answer"] = f"{title}: " + ", ".join(e.words for e in links[:3]) + "."
    elif task == "heading_ocr":
        m = re.search(r"<h2[^>]*>(.*?)</h2>", page.html)
        if not m:
            return None
        row["answer"] = _html.unescape(m.group(1))
    elif task == "webqa":
        cards = re.findall(r"<b>([^<]+)</b><div style=\"color:#666\">(\$[\d.]+)</div>", page.html)
        if not cards:
            return None
        item, price = cards[int(rng.integers(len(cards)))]
        row["question"], row["answer"] = f"What is the price of the {_html.unescape(item)}?", [price]
    elif task in ("element_ocr", "action_prediction"):
        pool = [e for e in screen.targets() if e.kind == "text" and e.role not in ("input", "select")]
        if task == "action_prediction":
            pool = [e for e in pool if e.role in ("link", "tab", "item")]
        if not pool or (task == "action_prediction" and len({e.words for e in links}) < 2):
            return None
        el = pool[int(rng.integers(len(pool)))]
        row["bbox"] = _ratio(screen.boxes[el.id], size)
        image = raw / f"{task}_{idx}.png"
        draw_marks(raw / screen.file, [screen.boxes[el.id]], image, labels=[""])
        if task == "element_ocr":
            row["answer"] = el.words
        else:
            from magma_bench.benchmarks.ui.offline.pages import THEMES

            others = [w for w in dict.fromkeys([e.words for e in links] + list(THEMES[page.theme]["nav"])
                                               + list(THEMES[page.theme]["items"])) if w != el.words]
            picks = [others[int(j)] for j in rng.permutation(len(others))[: N_OPTIONS - 1]]
            opts = [f"{w} - {title}" for w in [el.words, *picks]]
            order = rng.permutation(len(opts))
            row["options"] = [opts[int(j)] for j in order]
            row["answer"] = int(np.argmax(order == 0))
    else:  # element_ground / action_ground
        ids, targets = list(screen.boxes), screen.targets()
        if len(ids) < N_OPTIONS or not targets:
            return None
        target = targets[int(rng.integers(len(targets)))]
        others = [i for i in ids if i != target.id]
        chosen = [target.id] + [others[int(j)] for j in rng.permutation(len(others))[: N_OPTIONS - 1]]
        order = rng.permutation(N_OPTIONS)
        opts = [screen.boxes[chosen[int(j)]] for j in order]
        image = raw / f"{task}_{idx}.png"
        draw_marks(raw / screen.file, opts, image, labels=list(LETTERS))
        row["options"] = [_ratio(b, size) for b in opts]
        row["answer"] = int(np.argmax(order == 0))
        row[TEXT_KEY[task]] = _describe(target) if task == "element_ground" else target.instruction
    row["image"] = {"bytes": image.read_bytes(), "path": None}
    return row


def write_vwb(out_dir: Path, n: int, seed: int, tasks: tuple[str, ...]) -> int:
    """About n rows over `tasks`, one parquet shard per task folder. Returns blocked requests."""
    import datasets

    rng = np.random.default_rng(seed)
    per_task = max(1, -(-n // len(tasks)))
    raw = out_dir / ".magma_cache" / "raw"
    rows: dict[str, list[dict]] = {t: [] for t in tasks}
    with ScreenRenderer(raw) as r:
        k = 0
        while any(len(rows[t]) < per_task for t in tasks):
            if k > 20 * n + 20:
                raise RuntimeError("visualwebbench generator: pages yield too few rows")
            page = make_page(rng, str(rng.choice(["web", "web", "desktop"])))
            screen = r.render(page, f"{seed}_{k:05d}.png")
            k += 1
            for task in tasks:
                if len(rows[task]) < per_task and (row := _task_row(task, screen, rng, raw, len(rows[task]))):
                    rows[task].append(row)
    for task, rs in rows.items():
        feats = {"id": datasets.Value("string"), "task_type": datasets.Value("string"),
                 "website": datasets.Value("string"), "image": datasets.Image(),
                 "image_size": datasets.Sequence(datasets.Value("int64"))}
        for key in rs[0]:
            if key not in feats:
                v = rs[0][key]
                feats[key] = (datasets.Value("int64") if isinstance(v, int) else datasets.Value("string") if isinstance(v, str)
                              else datasets.Sequence(datasets.Value("string")) if isinstance(v[0], str)
                              else datasets.Sequence(datasets.Value("float64")) if isinstance(v[0], float)
                              else datasets.Sequence(datasets.Sequence(datasets.Value("float64"))))
        (out_dir / task).mkdir(parents=True, exist_ok=True)
        datasets.Dataset.from_list(rs, features=datasets.Features(feats)).to_parquet(
            str(out_dir / task / "test-00000-of-00001.parquet"))
    return r.blocked
