"""Offline Chromium: Debian's browser driven by PyPI Playwright, every request served from memory.

One `OfflineBrowser` is one Chromium process reused for many pages (launching costs ~1.5 s, a page
~0.1 s). Pages are fetched from a fake origin (`http://magma.local/`) through `context.route`; any
request for something not in the in-memory site is aborted and counted in `blocked`, and so is
every WebSocket (`context.route_web_socket`); service workers are blocked.

Routing alone is not a seal. With it alone, Chromium 156 let WebSockets (before they were routed
too), WebRTC STUN/TURN traffic and the connections it opens for cross-site iframe and form
targets (even though the requests themselves are aborted) reach listeners on 127.0.0.1 and ::1
(tests/benchmarks/ui/test_browser_sealed.py). So the process itself is sealed by `SEAL_FLAGS`:
every connection goes to a proxy nothing serves, with no bypass, not even for loopback; every host
name resolves to nothing; WebRTC may not use UDP that bypasses the proxy. The proxy and the
resolver rules each stop all TCP vectors on their own (tested); the WebRTC policy is what stops
UDP. Chromium ignores switches it does not know, so the test also checks the installed binary
knows each one.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from magma_bench.errors import MissingDependency

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://magma.local/"
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--font-render-hinting=none", "--hide-scrollbars")
# Process-level seal (see the module docstring). The proxy is loopback port 9 (discard), which
# nothing here serves; `<-loopback>` removes Chromium's implicit proxy bypass for localhost,
# 127.0.0.1 and [::1] (without it iframe, form and TURN/TCP still reached loopback listeners).
# `--force-webrtc-ip-handling-policy` does not exist in Debian's Chromium 156; this pref switch does.
SEAL_FLAGS = ("--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
              "--host-resolver-rules=MAP * ~NOTFOUND",
              "--webrtc-ip-handling-policy=disable_non_proxied_udp")

# Boxes of every element tagged `data-mb`, in CSS px relative to the viewport, with whether the
# element is the topmost thing at its own centre (so occluded elements, e.g. under a dialog, are
# never used as targets).
_BOXES_JS = """() => Array.from(document.querySelectorAll('[data-mb]')).map(el => {
  const r = el.getBoundingClientRect();
  const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
  const hit = document.elementFromPoint(cx, cy);
  return {id: el.getAttribute('data-mb'), x: r.x, y: r.y, w: r.width, h: r.height,
          visible: !!hit && (el === hit || el.contains(hit))};
})"""


def chromium_path() -> str | None:
    """The Debian Chromium binary, or None when it is not installed."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@dataclass
class Rendered:
    png: bytes
    boxes: list[dict[str, Any]]  # {id, x, y, w, h, visible}, CSS px (device scale 1)


@dataclass
class OfflineBrowser:
    """Context manager: `with OfflineBrowser() as b: b.render(html, (390, 844))`."""

    site: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (content type, body)
    blocked: list[str] = field(default_factory=list)  # URLs aborted because they were not local
    served: int = 0

    def __enter__(self) -> OfflineBrowser:
        exe = chromium_path()
        if exe is None:
            raise MissingDependency("the UI suites need Debian's Chromium (apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise MissingDependency("the UI suites need playwright (pip install playwright; "
                                    "never `playwright install`: Debian's chromium is used)") from None
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=exe, args=[*FLAGS, *SEAL_FLAGS])
        self._context = self._browser.new_context(viewport={"width": 1280, "height": 800},
                                                  device_scale_factor=1, reduced_motion="reduce",
                                                  service_workers="block")
        self._context.route("**/*", self._handle)
        self._context.route_web_socket(lambda url: True, self._refuse_web_socket)
        self.page = self._context.new_page()
        self._size = (1280, 800)
        return self

    def __exit__(self, *exc: Any) -> None:
        for close in (self._context.close, self._browser.close, self._pw.stop):
            try:
                close()
            except Exception:  # noqa: BLE001 - best effort teardown
                pass

    def _handle(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(ORIGIN) and url[len(ORIGIN):] in self.site:
            ctype, body = self.site[url[len(ORIGIN):]]
            self.served += 1
            route.fulfill(status=200, content_type=ctype, body=body)
        else:
            self.blocked.append(url)
            route.abort()

    def _refuse_web_socket(self, ws: Any) -> None:
        """No site here speaks WebSocket: close it without ever connecting to a server."""
        self.blocked.append(ws.url)
        ws.close()

    def goto(self, html: str, viewport: tuple[int, int], path: str = "page.html") -> None:
        """Serve `html` at ORIGIN + path and load it at the given viewport size."""
        self.site[path] = ("text/html; charset=utf-8", html.encode())
        if viewport != self._size:
            self.page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
            self._size = viewport
        self.page.goto(ORIGIN + path, wait_until="load")

    def boxes(self) -> list[dict[str, Any]]:
        return self.page.evaluate(_BOXES_JS)

    def screenshot(self) -> bytes:
        return self.page.screenshot(type="png", animations="disabled", caret="hide")

    def render(self, html: str, viewport: tuple[int, int], path: str = "page.html") -> Rendered:
        """Load, read element boxes from the DOM, take a viewport screenshot."""
        self.goto(html, viewport, path)
        return Rendered(png=self.screenshot(), boxes=self.boxes())
