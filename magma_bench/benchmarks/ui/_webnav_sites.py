"""Generated mini-sites for `webnav`: one page app per task, its goal, and the expert's plan.

Five task families (log in, search and open a result, add to cart, change a setting, fill a
form). Each site is plain HTML plus a few lines of inline JS that switch views and set
`window.__mb_success` once the page state matches the goal, so success is read from the page
itself, never inferred from the actions. A plan step is (op, element id, value); element ids are
`data-mb` attributes, resolved to boxes in the live page at each step.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass, field

import numpy as np

from magma_bench.benchmarks.ui.offline.pages import PALETTE, THEMES

FAMILIES = ("login", "search", "cart", "setting", "form")
USERS = ("alice", "bruno", "chen", "dara", "emeka", "farah")
PASSWORDS = ("sunflower7", "blue-river", "tiger42", "maple#9", "orbit88")


@dataclass
class Site:
    html: str
    goal: str
    plan: list[tuple[str, str, str]]  # (CLICK | TYPE, element id, value)
    values: list[str] = field(default_factory=list)  # what may be typed (goal words + distractors)


def _page(body: str, script: str, color: str) -> str:
    css = (f"body{{margin:0;font-family:'DejaVu Sans',sans-serif;background:#f5f5f7;font-size:15px}}"
           f".bar{{background:{color};color:#fff;padding:12px 24px;font-size:20px}}"
           f".box{{background:#fff;margin:24px;padding:20px;border-radius:10px;border:1px solid #ddd;max-width:520px}}"
           f"input{{display:block;margin:6px 0 14px;padding:8px;width:300px;font:inherit}}"
           f"button{{font:inherit;padding:8px 16px;border-radius:6px;border:0;background:{color};color:#fff;margin:4px}}"
           f".row{{display:flex;justify-content:space-between;align-items:center;padding:10px 0;border-bottom:1px solid #eee}}"
           f".hide{{display:none}}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}"
            f"<script>window.__mb_success=false;{script}</script></body></html>")


def _e(s: str) -> str:
    return _html.escape(s, quote=True)


def make_site(family: str, rng: np.random.Generator) -> Site:
    color = PALETTE[int(rng.integers(len(PALETTE)))]
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    if family == "login":
        user, pw = pick(USERS), pick(PASSWORDS)
        body = (f"<div class='bar'>{_e(pick(THEMES['mail']['title']))}</div><div class='box' id='v1'>"
                f"<b>Sign in to continue</b><label>Username<input data-mb='user'></label>"
                f"<label>Password<input data-mb='pass' type='text'></label><button data-mb='go'>Sign in</button></div>"
                f"<div class='box hide' id='v2'>Welcome back!</div>")
        js = (f"document.querySelector('[data-mb=go]').onclick=()=>{{const u=document.querySelector('[data-mb=user]').value,"
              f"p=document.querySelector('[data-mb=pass]').value;if(u==={user!r}&&p==={pw!r}){{window.__mb_success=true;"
              f"v1.classList.add('hide');v2.classList.remove('hide')}}}};")
        return Site(_page(body, js, color), f"Log in as {user} with password {pw}",
                    [("TYPE", "user", user), ("TYPE", "pass", pw), ("CLICK", "go", "")],
                    sorted({user, pw, pick(USERS), pick(PASSWORDS)}))
    if family == "search":
        theme = pick(("shop", "news", "music", "files"))
        items = [THEMES[theme]["items"][int(i)] for i in rng.permutation(len(THEMES[theme]["items"]))[:5]]
        target = items[int(rng.integers(len(items)))]
        query = target.split()[0].lower().strip("_.")
        rows = "".join(f"<div class='row'><a href='#' data-mb='r{i}' data-name='{_e(t)}'>{_e(t)}</a></div>"
                       for i, t in enumerate(items))
        body = (f"<div class='bar'>{_e(pick(THEMES[theme]['title']))}</div><div class='box'><input data-mb='q' "
                f"placeholder='Search'><button data-mb='s'>Search</button><div id='res' class='hide'>{rows}</div>"
                f"<div id='det' class='hide'></div></div>")
        js = (f"document.querySelector('[data-mb=s]').onclick=()=>{{const q=document.querySelector('[data-mb=q]').value"
              f".toLowerCase();if(q.length)res.classList.remove('hide');document.querySelectorAll('#res .row').forEach(r=>"
              f"r.style.display=r.textContent.toLowerCase().includes(q)?'flex':'none')}};"
              f"document.querySelectorAll('#res a').forEach(a=>a.onclick=(ev)=>{{ev.preventDefault();res.classList.add('hide');"
              f"det.classList.remove('hide');det.textContent='Details: '+a.dataset.name;"
              f"window.__mb_success=a.dataset.name==={target!r}}});")
        idx = items.index(target)
        return Site(_page(body, js, color), f"Search for {query} and open {target}",
                    [("TYPE", "q", query), ("CLICK", "s", ""), ("CLICK", f"r{idx}", "")],
                    sorted({query, *(t.split()[0].lower().strip('_.') for t in items)}))
    if family == "cart":
        items = [THEMES["shop"]["items"][int(i)] for i in rng.permutation(len(THEMES["shop"]["items"]))[:4]]
        target = items[int(rng.integers(len(items)))]
        cards = "".join(f"<div class='row'><span>{_e(t)}</span><button data-mb='a{i}' data-name='{_e(t)}'>Add to cart"
                        f"</button></div>" for i, t in enumerate(items))
        body = f"<div class='bar'>Shop <span id='cnt' style='float:right'>Cart: 0</span></div><div class='box'>{cards}</div>"
        js = (f"const cart=[];document.querySelectorAll('[data-mb^=a]').forEach(b=>b.onclick=()=>{{cart.push(b.dataset.name);"
              f"cnt.textContent='Cart: '+cart.length;window.__mb_success=cart.length===1&&cart[0]==={target!r}}});")
        return Site(_page(body, js, color), f"Add the {target.lower()} to the cart",
                    [("CLICK", f"a{items.index(target)}", "")])
    if family == "setting":
        names = [THEMES["settings"]["items"][int(i)] for i in rng.permutation(len(THEMES["settings"]["items"]))[:5]]
        state = [bool(rng.random() < 0.5) for _ in names]
        k = int(rng.integers(len(names)))
        state[k] = False
        rows = "".join(f"<div class='row'><span>{_e(n)}</span><button data-mb='t{i}' data-on='{int(s)}'>{'On' if s else 'Off'}"
                       f"</button></div>" for i, (n, s) in enumerate(zip(names, state, strict=True)))
        body = f"<div class='bar'>Settings</div><div class='box'>{rows}</div>"
        init = "[" + ",".join(str(int(s)) for s in state) + "]"
        js = (f"const init={init};const btns=[...document.querySelectorAll('[data-mb^=t]')];btns.forEach((b,i)=>b.onclick=()=>"
              f"{{b.dataset.on=b.dataset.on==='1'?'0':'1';b.textContent=b.dataset.on==='1'?'On':'Off';"
              f"window.__mb_success=btns.every((c,j)=>(c.dataset.on==='1')===(j==={k}?true:init[j]===1))}});")
        return Site(_page(body, js, color), f"Turn on {names[k]}", [("CLICK", f"t{k}", "")])
    # form
    t = THEMES[pick(("shop", "mail", "settings"))]
    fields = [t["fields"][int(i)] for i in rng.permutation(len(t["fields"]))[:3]]
    vals = [pick(("Porto", "Ana Lima", "42", "blue", "weekly", "Osaka", "Mei Chen")) for _ in fields]
    inputs = "".join(f"<label>{_e(f)}<input data-mb='f{i}'></label>" for i, f in enumerate(fields))
    body = f"<div class='bar'>{_e(pick(t['title']))}</div><div class='box'>{inputs}<button data-mb='sub'>Submit</button></div>"
    want = "[" + ",".join(repr(v) for v in vals) + "]"
    js = (f"const want={want};document.querySelector('[data-mb=sub]').onclick=()=>{{window.__mb_success=want.every((v,i)=>"
          f"document.querySelector('[data-mb=f'+i+']').value===v)}};")
    goal = "Fill in " + ", ".join(f"{f.lower()} with {v}" for f, v in zip(fields, vals, strict=True)) + " and submit"
    plan = [("TYPE", f"f{i}", v) for i, v in enumerate(vals)] + [("CLICK", "sub", "")]
    return Site(_page(body, js, color), goal, plan, sorted(set(vals) | {"Lyon", "7"}))
