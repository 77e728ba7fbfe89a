"""Seeded generator of realistic UI pages: mobile apps (390x844), desktop windows and web sites.

A page is built from components (nav bars, menus, lists, cards, forms, dialogs, tab bars, title
bars) filled from themed vocabularies. Every actionable element carries `data-mb="<id>"` and an
`Element` record (text or icon, its words, how a user would ask for it). Element boxes are NOT
computed here: they are read from the DOM after Chromium lays the page out (`render.py`).
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass, field

import numpy as np

from magma_bench.benchmarks.ui.offline.icons import ICONS, svg

VIEWPORTS = {"mobile": (390, 844), "desktop": (1440, 900), "web": (1280, 800)}
SOURCES = {"mobile": ("ios", "android"), "desktop": ("macos", "windows"), "web": ("shop", "forum", "tool", "gitlab")}
PALETTE = ("#1a73e8", "#d93025", "#188038", "#8430ce", "#e8710a", "#00897b", "#3949ab", "#c2185b")

THEMES: dict[str, dict[str, tuple[str, ...]]] = {
    "shop": {"title": ("Market", "ShopLine", "Bazaar", "Cartwise"),
             "nav": ("Deals", "New arrivals", "Brands", "Gift cards", "Orders", "Help"),
             "items": ("Wireless earbuds", "Desk lamp", "Running shoes", "Coffee grinder", "Backpack",
                       "Water bottle", "Yoga mat", "Phone case", "Sunglasses", "Notebook set"),
             "actions": ("Add to cart", "Buy now", "Compare", "See details"),
             "fields": ("Full name", "Address", "City", "Postal code", "Card number")},
    "mail": {"title": ("Inbox", "PostBox", "Mailroom"),
             "nav": ("Inbox", "Starred", "Sent", "Drafts", "Spam", "Archive"),
             "items": ("Team meeting notes", "Invoice for March", "Weekend plans", "Flight confirmation",
                       "Password reset", "Newsletter digest", "Project update", "Lunch on Friday?"),
             "actions": ("Reply", "Forward", "Mark as read", "Archive"),
             "fields": ("To", "Subject", "Cc", "Message")},
    "settings": {"title": ("Settings", "Preferences", "Control panel"),
                 "nav": ("General", "Display", "Sound", "Privacy", "Accounts", "Storage", "About"),
                 "items": ("Dark mode", "Notifications", "Bluetooth", "Wi-Fi", "Auto update", "Location",
                           "Battery saver", "Language", "Date and time"),
                 "actions": ("Save changes", "Reset", "Apply", "Learn more"),
                 "fields": ("Device name", "Username", "Email address", "Time zone")},
    "news": {"title": ("Daily Wire", "Headlines", "The Courier"),
             "nav": ("World", "Business", "Science", "Sports", "Culture", "Opinion", "Weather"),
             "items": ("Markets rally after report", "New species found in reef", "City opens bike lanes",
                       "Local team wins final", "Museum reopens its doors", "Storm expected tonight",
                       "Startup raises new funding"),
             "actions": ("Read more", "Subscribe", "Sign in", "Share story"),
             "fields": ("Email", "First name", "Last name")},
    "files": {"title": ("Files", "Drive", "Documents"),
              "nav": ("Recent", "Shared", "Favorites", "Downloads", "Desktop", "Trash"),
              "items": ("report_final.pdf", "budget.xlsx", "holiday.jpg", "notes.txt", "slides.pptx",
                        "contract.docx", "backup.zip", "photo_042.png"),
              "actions": ("Upload", "New folder", "Open", "Rename"),
              "fields": ("File name", "Folder", "Tags")},
    "music": {"title": ("Tunes", "Playlist", "SoundBox"),
              "nav": ("Home", "Browse", "Radio", "Library", "Podcasts"),
              "items": ("Morning acoustic", "Focus beats", "Road trip mix", "Jazz classics", "Chill evening",
                        "Workout hits", "Piano moods"),
              "actions": ("Play all", "Shuffle", "Follow", "Add to library"),
              "fields": ("Playlist name", "Description")},
}


SELECTS = (("Country", ("Portugal", "Japan", "Canada", "Kenya", "Brazil")),
           ("Size", ("Small", "Medium", "Large", "X-Large")),
           ("Priority", ("Low", "Normal", "High", "Urgent")),
           ("Sort by", ("Newest", "Price: low to high", "Price: high to low", "Rating")))


@dataclass
class Element:
    id: str
    kind: str  # "text" | "icon"
    words: str  # visible text, or the icon name
    instruction: str  # how a user asks for it
    role: str  # button | link | input | select | tab | item | icon


@dataclass
class Page:
    html: str
    platform: str  # mobile | desktop | web
    source: str  # data_source, e.g. ios / windows / shop
    theme: str
    elements: dict[str, Element] = field(default_factory=dict)
    size: tuple[int, int] | None = None  # overrides the platform's viewport (e.g. 2560x1440 for Pro)
    options: dict[str, list[str]] = field(default_factory=dict)  # select element id -> its options

    @property
    def viewport(self) -> tuple[int, int]:
        return self.size or VIEWPORTS[self.platform]


class _Builder:
    """Hands out element ids and records elements while components write HTML."""

    def __init__(self, rng: np.random.Generator, color: str) -> None:
        self.rng, self.color, self.elements = rng, color, {}
        self.options: dict[str, list[str]] = {}  # select element id -> its options

    def pick(self, seq, k: int | None = None):
        if k is None:
            return seq[int(self.rng.integers(len(seq)))]
        idx = self.rng.permutation(len(seq))[: min(k, len(seq))]
        return [seq[i] for i in idx]

    def _add(self, kind: str, words: str, instruction: str, role: str) -> str:
        eid = f"e{len(self.elements)}"
        self.elements[eid] = Element(eid, kind, words, instruction, role)
        return eid

    def text(self, tag: str, label: str, role: str, style: str = "", verb: str | None = None) -> str:
        verb = verb or self.pick(("click", "open", "select", "tap", ""))
        instruction = f"{verb} {label}".strip() if verb else label
        eid = self._add("text", label, instruction, role)
        return f'<{tag} data-mb="{eid}" style="{style}">{_html.escape(label)}</{tag}>'

    def icon(self, name: str, size: int = 24, color: str | None = None, style: str = "") -> str:
        instruction = self.pick(ICONS[name][1])
        eid = self._add("icon", name, instruction, "icon")
        return (f'<button data-mb="{eid}" class="ib" aria-label="{name}" style="{style}">'
                f'{svg(name, size, color or "#333")}</button>')

    def field(self, label: str, width: str = "100%") -> str:
        eid = self._add("text", label, f"enter the {label.lower()}", "input")
        return (f'<label class="fl">{_html.escape(label)}<input data-mb="{eid}" placeholder="{_html.escape(label)}"'
                f' style="width:{width}"></label>')

    def select(self, label: str, options: tuple[str, ...], width: str = "100%") -> str:
        """A dropdown; its `words` are the label, its options are kept for SELECT steps."""
        eid = self._add("text", label, f"choose the {label.lower()}", "select")
        self.options[eid] = list(options)
        opts = "".join(f"<option>{_html.escape(o)}</option>" for o in options)
        return (f'<label class="fl">{_html.escape(label)}<select data-mb="{eid}" style="width:{width};display:block;'
                f'margin-top:3px;padding:6px;font:inherit">{opts}</select></label>')


_CSS = """*{box-sizing:border-box}body{margin:0;font-family:'DejaVu Sans',sans-serif;color:#222;background:%(bg)s;
font-size:%(fs)spx;overflow:hidden}button{font:inherit;cursor:pointer}
.ib{border:0;background:none;padding:6px;display:inline-flex;line-height:0}
.bt{border:0;border-radius:6px;padding:8px 14px;background:%(c)s;color:#fff}
.bt2{border:1px solid %(c)s;border-radius:6px;padding:7px 13px;background:#fff;color:%(c)s}
a{color:%(c)s;text-decoration:none}.row{display:flex;align-items:center;gap:10px}
.card{background:#fff;border:1px solid #ddd;border-radius:10px;padding:12px;margin:8px}
.fl{display:block;margin:6px 0;font-size:.85em;color:#555}.fl input{display:block;margin-top:3px;padding:7px;
border:1px solid #bbb;border-radius:5px;font:inherit}
.li{display:flex;align-items:center;justify-content:space-between;padding:9px 12px;border-bottom:1px solid #eee;background:#fff}
.ov{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center}
.dlg{background:#fff;border-radius:12px;padding:18px;min-width:280px;max-width:80%%}
.menu{position:absolute;background:#fff;border:1px solid #ccc;box-shadow:0 4px 12px rgba(0,0,0,.2);padding:4px 0}
.menu div{padding:7px 18px}"""


# -- components ------------------------------------------------------------------------------------
def _list(b: _Builder, t: dict, n: int) -> str:
    rows = []
    for item in b.pick(t["items"], n):
        icons = "".join(b.icon(name, 20) for name in b.pick(("heart", "share", "trash", "edit", "star",
                                                              "download", "bookmark", "info"), 1))
        rows.append(f'<div class="li">{b.text("span", item, "item")}<span>{icons}</span></div>')
    return "".join(rows)


def _cards(b: _Builder, t: dict, n: int, width: str) -> str:
    out = []
    for item in b.pick(t["items"], n):
        price = f"${int(b.rng.integers(5, 300))}.{int(b.rng.integers(0, 99)):02d}"
        action = b.pick(t["actions"])
        out.append(f'<div class="card" style="width:{width};display:inline-block;vertical-align:top">'
                   f'<div style="height:60px;background:#eef;border-radius:6px;margin-bottom:6px"></div>'
                   f'<b>{_html.escape(item)}</b><div style="color:#666">{price}</div>'
                   f'<div class="row" style="justify-content:space-between;margin-top:6px">'
                   f'<span style="font-size:.9em">{_html.escape(action)}</span>'
                   f'{b.icon(b.pick(("heart", "share", "cart", "bookmark")), 18)}</div></div>')
    return "".join(out)


def _form(b: _Builder, t: dict, n: int, width: str) -> str:
    fields = "".join(b.field(f, width) for f in b.pick(t["fields"], n))
    if b.rng.random() < 0.5:
        label, opts = b.pick(SELECTS)
        fields += b.select(label, tuple(b.pick(opts, len(opts))), width)
    submit = b.text("button", b.pick(("Submit", "Continue", "Save", "Send", "Sign up")), "button",
                    verb=b.pick(("click", "press", "")))
    cancel = b.text("button", "Cancel", "button") if b.rng.random() < 0.5 else ""
    return f'<div class="card">{fields}<div class="row" style="margin-top:8px">{submit.replace("<button", "<button class=bt", 1)}{cancel.replace("<button", "<button class=bt2", 1)}</div></div>'


def _dialog(b: _Builder, t: dict) -> str:
    title = b.pick(("Delete this item?", "Unsaved changes", "Allow notifications?", "Sign in required"))
    ok = b.text("button", b.pick(("OK", "Confirm", "Allow", "Discard")), "button")
    no = b.text("button", b.pick(("Not now", "Go back", "Keep editing", "Deny")), "button")
    return (f'<div class="ov"><div class="dlg"><div class="row" style="justify-content:space-between">'
            f'<b>{_html.escape(title)}</b>{b.icon("close", 18)}</div>'
            f'<p style="color:#555">{_html.escape(b.pick(t["items"]))} will be affected.</p>'
            f'<div class="row" style="justify-content:flex-end">{no.replace("<button", "<button class=bt2", 1)}'
            f'{ok.replace("<button", "<button class=bt", 1)}</div></div></div>')


def _menu(b: _Builder, t: dict, left: int, top: int) -> str:
    items = "".join(f'<div class="row">{b.text("span", w, "item")}</div>'
                    for w in b.pick(("Profile", "Preferences", "Billing", "Keyboard shortcuts", "Sign out",
                                     "Switch account", "Invite people"), int(b.rng.integers(3, 6))))
    return f'<div class="menu" style="left:{left}px;top:{top}px;min-width:180px">{items}</div>'


# -- layouts ---------------------------------------------------------------------------------------
def _mobile(b: _Builder, t: dict, title: str) -> str:
    c = b.color
    head = (f'<div class="row" style="justify-content:space-between;padding:4px 14px;font-size:12px">'
            f'<span>9:{int(b.rng.integers(10, 59))}</span><span>5G 87%</span></div>'
            f'<div class="row" style="background:{c};color:#fff;padding:6px 8px">{b.icon("back", 22, "#fff")}'
            f'<b style="flex:1;font-size:1.15em">{_html.escape(title)}</b>'
            + "".join(b.icon(n, 22, "#fff") for n in b.pick(("search", "bell", "share", "plus", "filter"), 2))
            + "</div>")
    chips = "".join(b.text("span", w, "tab", "display:inline-block;padding:5px 10px;margin:4px;border-radius:14px;"
                           "background:#fff;border:1px solid #ccc") for w in b.pick(t["nav"], 3))
    body = {0: lambda: _list(b, t, int(b.rng.integers(4, 7))),
            1: lambda: _cards(b, t, 4, "165px"),
            2: lambda: _form(b, t, int(b.rng.integers(2, 4)), "100%")}[int(b.rng.integers(3))]()
    tabs = "".join(f'<div style="text-align:center;flex:1">{b.icon(n, 24)}</div>'
                   for n in b.pick(("home", "search", "user", "settings", "cart", "mail", "calendar", "grid"), 4))
    bar = f'<div class="row" style="position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:1px solid #ddd;padding:6px 0 18px">{tabs}</div>'
    return head + f'<div style="padding:4px 4px 80px">{chips}{body}</div>' + bar


def _desktop(b: _Builder, t: dict, title: str) -> str:
    ctrl = "".join(b.icon(n, 14) for n in ("minimize", "maximize", "close"))
    menus = "".join(b.text("span", w, "item", "padding:2px 8px") for w in ("File", "Edit", "View", "Window", "Help")[: int(b.rng.integers(3, 6))])
    tools = "".join(b.icon(n, 20) for n in b.pick(("plus", "download", "refresh", "trash", "edit", "share", "filter",
                                                   "search", "lock", "camera"), int(b.rng.integers(4, 7))))
    side = "".join(f'<div class="row" style="padding:6px 12px">{b.text("span", w, "item")}</div>' for w in t["nav"])
    main = _list(b, t, int(b.rng.integers(5, 9))) if b.rng.random() < 0.6 else _form(b, t, 3, "320px")
    return (f'<div class="row" style="background:#e8e8e8;padding:2px 8px;justify-content:space-between">'
            f'<span style="font-size:.9em">{_html.escape(title)}</span><span>{ctrl}</span></div>'
            f'<div class="row" style="background:#f6f6f6;border-bottom:1px solid #ddd">{menus}</div>'
            f'<div class="row" style="padding:2px 8px;border-bottom:1px solid #ddd">{tools}</div>'
            f'<div style="display:flex;height:100%"><div style="width:220px;background:#fafafa;border-right:1px solid #ddd">{side}</div>'
            f'<div style="flex:1;padding:12px">{main}</div></div>')


def _web(b: _Builder, t: dict, title: str) -> str:
    c = b.color
    links = "".join(b.text("a", w, "link", "padding:0 10px") for w in b.pick(t["nav"], int(b.rng.integers(3, 6))))
    icons = "".join(b.icon(n, 22) for n in b.pick(("cart", "user", "bell", "mail", "settings", "heart"), 3))
    nav = (f'<div class="row" style="padding:10px 24px;background:#fff;border-bottom:1px solid #ddd">'
           f'<b style="color:{c};font-size:1.3em;margin-right:20px">{_html.escape(title)}</b>{links}'
           f'<span style="flex:1"></span><input data-mb="{b._add("text", "Search", "type in the search box", "input")}" '
           f'placeholder="Search" style="padding:6px;border:1px solid #bbb;border-radius:16px;width:200px">{icons}</div>')
    body = (f'<div style="padding:10px 24px"><h2 style="margin:6px 0">{_html.escape(b.pick(t["items"]))}</h2>'
            + _cards(b, t, int(b.rng.integers(3, 6)), "210px") + "</div>")
    foot = "".join(b.text("a", w, "link", "margin-right:16px;font-size:.85em")
                   for w in b.pick(("About us", "Careers", "Privacy policy", "Contact", "Terms"), 3))
    return nav + body + f'<div style="padding:8px 24px">{foot}</div>'


def make_page(rng: np.random.Generator, platform: str, size: tuple[int, int] | None = None) -> Page:
    """One random page for `platform` (mobile | desktop | web), optionally at another screen size
    (large screens get small fonts: high-resolution professional screens, as in ScreenSpot-Pro)."""
    theme = list(THEMES)[int(rng.integers(len(THEMES)))]
    t = THEMES[theme]
    b = _Builder(rng, PALETTE[int(rng.integers(len(PALETTE)))])
    title = b.pick(t["title"])
    body = {"mobile": _mobile, "desktop": _desktop, "web": _web}[platform](b, t, title)
    w, h = size or VIEWPORTS[platform]
    if rng.random() < 0.25:
        body += _dialog(b, t)
    elif rng.random() < 0.25:
        body += _menu(b, t, int(rng.integers(20, w // 2)), int(rng.integers(60, h // 3)))
    css = _CSS % {"bg": b.pick(("#f5f5f7", "#ffffff", "#f0f4f8", "#fafafa")), "fs": int(rng.integers(11, 13) if w > 2000 else rng.integers(13, 17)),
                  "c": b.color}
    html = (f'<!doctype html><html><head><meta charset="utf-8"><title>{_html.escape(title)}</title>'
            f'<style>{css}</style></head><body>{body}</body></html>')
    source = SOURCES[platform][int(rng.integers(len(SOURCES[platform])))]
    return Page(html, platform, source, theme, b.elements, size, b.options)
