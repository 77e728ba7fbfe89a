"""Multi-step tasks on generated pages, shared by the Mind2Web- and AITW-shaped suites.

An episode is a goal plus steps; each step is one screen (rendered after the previous steps took
effect: typed values stay in their fields, a click on a link opens the next page) and one gold
action on an element of that screen. Two task families: fill a form (TYPE into each field, then
CLICK submit) and navigate (CLICK a link, tab or item, then act on what the next page shows).
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass, field

import numpy as np

from magma_bench.benchmarks.ui.offline.pages import Page, make_page
from magma_bench.benchmarks.ui.offline.render import Screen, ScreenRenderer

VALUES = {"name": ("Ana Lima", "John Carter", "Mei Chen", "Omar Haddad"), "city": ("Porto", "Denver", "Osaka", "Lyon"),
          "email": ("ana@example.com", "j.carter@example.org"), "default": ("blue jacket", "weekly report", "42",
                                                                            "road trip", "budget 2024")}


@dataclass
class Step:
    screen: Screen
    op: str  # CLICK | TYPE | SELECT
    element: str  # element id on the screen
    value: str = ""
    desc: str = ""  # "[button]  Save -> CLICK", Mind2Web's action_repr


@dataclass
class Episode:
    goal: str
    theme: str
    platform: str
    steps: list[Step] = field(default_factory=list)


def _value_for(label: str, rng: np.random.Generator) -> str:
    low = label.lower()
    key = "name" if low in ("full name", "first name", "last name", "username") else next(
        (k for k in ("city", "email") if k in low), "default")
    pool = VALUES[key]
    return pool[int(rng.integers(len(pool)))]


def _with_values(page: Page, values: dict[str, str]) -> Page:
    """The page after typing into inputs / choosing in selects."""
    html = page.html
    for eid, v in values.items():
        if eid in page.options:  # a select: mark the chosen option
            at = html.index(f'data-mb="{eid}"')
            opt = f"<option>{_html.escape(v)}</option>"
            k = html.index(opt, at)
            html = html[:k] + f"<option selected>{_html.escape(v)}</option>" + html[k + len(opt):]
        else:
            html = html.replace(f'data-mb="{eid}"', f'data-mb="{eid}" value="{_html.escape(v, quote=True)}"', 1)
    return Page(html, page.platform, page.source, page.theme, page.elements, page.size, page.options)


def _repr(page: Page, eid: str, op: str, value: str) -> str:
    e = page.elements[eid]
    tag = {"input": "textbox", "select": "combobox", "link": "link", "button": "button", "icon": "button"}.get(e.role, "span")
    return f"[{tag}]  {e.words if e.kind == 'text' else ''} -> {op}" + (f": {value}" if value else "")


def form_episode(r: ScreenRenderer, rng: np.random.Generator, platform: str, prefix: str, tries: int = 30) -> Episode | None:
    """TYPE a value into every visible field of a form, then CLICK its submit button."""
    for _ in range(tries):
        page = make_page(rng, platform)
        fields = [e for e in page.elements.values() if e.role in ("input", "select") and e.words != "Search"]
        submit = [e for e in page.elements.values() if e.role == "button" and e.words in
                  ("Submit", "Continue", "Save", "Send", "Sign up")]
        if len(fields) >= 2 and submit:
            break
    else:
        return None
    first = r.render(page, f"{prefix}-0.png")
    if any(f.id not in first.boxes for f in fields) or submit[0].id not in first.boxes:
        (r.img_dir / first.file).unlink()
        return None
    values = {f.id: (page.options[f.id][int(rng.integers(1, len(page.options[f.id])))] if f.role == "select"
                     else _value_for(f.words, rng)) for f in fields}
    goal = "Fill in the form with " + ", ".join(f"{f.words.lower()} '{values[f.id]}'" for f in fields) + \
        f" and press {submit[0].words}"
    ep = Episode(goal, page.theme, platform)
    typed: dict[str, str] = {}
    for i, f in enumerate(fields):
        screen = first if i == 0 else r.render(_with_values(page, typed), f"{prefix}-{i}.png")
        op = "SELECT" if f.role == "select" else "TYPE"
        ep.steps.append(Step(screen, op, f.id, values[f.id], _repr(page, f.id, op, values[f.id])))
        typed[f.id] = values[f.id]
    screen = r.render(_with_values(page, typed), f"{prefix}-{len(fields)}.png")
    ep.steps.append(Step(screen, "CLICK", submit[0].id, "", _repr(page, submit[0].id, "CLICK", "")))
    return ep


def nav_episode(r: ScreenRenderer, rng: np.random.Generator, platform: str, prefix: str) -> Episode | None:
    """CLICK a text link/tab/item on one page, then act on a target of the page it opens."""
    page = make_page(rng, platform)
    s1 = r.render(page, f"{prefix}-0.png")
    links = [e for e in s1.targets() if e.kind == "text" and e.role in ("link", "tab", "item")]
    if not links:
        (r.img_dir / s1.file).unlink()
        return None
    link = links[int(rng.integers(len(links)))]
    nxt = make_page(rng, platform)
    while nxt.theme != page.theme:
        nxt = make_page(rng, platform)
    s2 = r.render(nxt, f"{prefix}-1.png")
    targets = [e for e in s2.targets() if e.role != "input"]
    if not targets:
        for s in (s1, s2):
            (r.img_dir / s.file).unlink()
        return None
    t = targets[int(rng.integers(len(targets)))]
    goal = f"Go to {link.words}, then {t.instruction}"
    ep = Episode(goal, page.theme, platform)
    ep.steps.append(Step(s1, "CLICK", link.id, "", _repr(page, link.id, "CLICK", "")))
    ep.steps.append(Step(s2, "CLICK", t.id, "", _repr(nxt, t.id, "CLICK", "")))
    return ep


def make_episodes(r: ScreenRenderer, rng: np.random.Generator, platforms: tuple[str, str], n_steps: int,
                  tag: str) -> list[Episode]:
    """Episodes (about half forms on platforms[0], half navigation on platforms[1]) until they hold
    at least n_steps steps."""
    eps: list[Episode] = []
    total, k = 0, 0
    while total < n_steps:
        if k > 10 * n_steps + 20:
            raise RuntimeError("episode generator: pages yield too few tasks")
        prefix = f"{tag}{k:04d}"
        if rng.random() < 0.5:
            ep = form_episode(r, rng, platforms[0], prefix)
        else:
            ep = nav_episode(r, rng, platforms[1], prefix)
        k += 1
        if ep is not None:
            eps.append(ep)
            total += len(ep.steps)
    return eps
