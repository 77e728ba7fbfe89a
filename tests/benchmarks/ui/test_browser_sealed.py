"""The offline browser cannot reach the network: not by routed requests, nor by the paths that
request routing does not stop (WebSocket, WebRTC STUN/TURN, cross-site iframe and form targets).

Each vector gets its own local listener (TCP on 127.0.0.1 and ::1, UDP for STUN/TURN) on an
ephemeral port, so a failure names exactly what leaked. A page served by `OfflineBrowser` fires
every vector at those ports; after a short wait no connection may have been accepted and no
datagram received. Traffic only goes to loopback, and every loop here is bounded.
"""

from __future__ import annotations

import json
import mmap
import selectors
import socket
import threading
import time
from pathlib import Path

import pytest
from ui_testutil import needs_browser

from magma_bench.benchmarks.ui import _browser
from magma_bench.benchmarks.ui._browser import OfflineBrowser, chromium_path

pytestmark = [pytest.mark.browser, needs_browser]

# Vectors that open a TCP connection when they escape, and those that send UDP datagrams.
# (`preconnect` did not connect even unsealed in Chromium 156; kept for builds that do.)
TCP_VECTORS = ("websocket", "iframe", "form", "fetch", "image", "css", "beacon", "eventsource",
               "preconnect", "turn-tcp")
UDP_VECTORS = ("stun", "turn-udp")
# Vectors that are HTTP(S)/WS requests: the browser must also abort and count them.
ROUTED = ("websocket", "iframe", "form", "fetch", "image", "css", "beacon", "eventsource")
HOSTS = {"v4": "127.0.0.1", "v6": "[::1]"}
WAIT_MS = 2000

_PROBE_JS = """
const P = __PORTS__, HOSTS = __HOSTS__;
window.__pcs = [];
const url = (scheme, fam, vec) => scheme + "://" + HOSTS[fam] + ":" + P[vec + "|" + fam] + "/" + vec;
const quiet = (f) => { try { const r = f(); if (r && r.catch) r.catch(() => {}); } catch (e) {} };
for (const fam of Object.keys(HOSTS)) {
  const h = HOSTS[fam];
  quiet(() => new WebSocket(url("ws", fam, "websocket")));
  quiet(() => fetch(url("http", fam, "fetch")));
  quiet(() => navigator.sendBeacon(url("http", fam, "beacon"), "probe"));
  quiet(() => new EventSource(url("http", fam, "eventsource")));
  const img = new Image(); img.src = url("http", fam, "image"); document.body.appendChild(img);
  for (const [rel, vec] of [["stylesheet", "css"], ["preconnect", "preconnect"]]) {
    const l = document.createElement("link"); l.rel = rel; l.href = url("http", fam, vec);
    document.head.appendChild(l);
  }
  const fr = document.createElement("iframe"); fr.src = url("http", fam, "iframe");
  document.body.appendChild(fr);
  const sink = document.createElement("iframe"); sink.name = "sink-" + fam; document.body.appendChild(sink);
  const form = document.createElement("form"); form.method = "post"; form.target = sink.name;
  form.action = url("http", fam, "form");
  const inp = document.createElement("input"); inp.name = "q"; inp.value = "probe"; form.appendChild(inp);
  document.body.appendChild(form); quiet(() => form.submit());
  quiet(() => {
    const pc = new RTCPeerConnection({iceServers: [
      {urls: "stun:" + h + ":" + P["stun|" + fam]},
      {urls: "turn:" + h + ":" + P["turn-udp|" + fam] + "?transport=udp", username: "u", credential: "p"},
      {urls: "turn:" + h + ":" + P["turn-tcp|" + fam] + "?transport=tcp", username: "u", credential: "p"}]});
    window.__pcs.push(pc);
    pc.createDataChannel("probe");
    return pc.createOffer().then((o) => pc.setLocalDescription(o));
  });
}
"""


class Listeners:
    """One non-blocking socket per (vector, family), watched by one thread until `stop()`."""

    def __init__(self) -> None:
        self.sel = selectors.DefaultSelector()
        self.ports: dict[str, int] = {}  # "vector|family" -> port
        self.hits: list[str] = []  # "vector|family|tcp-accept" or "...|udp-datagram"
        self.families = ["v4"] + (["v6"] if _have_ipv6() else [])
        for fam in self.families:
            for vec in TCP_VECTORS:
                self._open(vec, fam, socket.SOCK_STREAM)
            for vec in UDP_VECTORS:
                self._open(vec, fam, socket.SOCK_DGRAM)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _open(self, vec: str, fam: str, kind: int) -> None:
        af, host = (socket.AF_INET, "127.0.0.1") if fam == "v4" else (socket.AF_INET6, "::1")
        s = socket.socket(af, kind)
        s.bind((host, 0))
        if kind == socket.SOCK_STREAM:
            s.listen(16)
        s.setblocking(False)
        self.ports[f"{vec}|{fam}"] = s.getsockname()[1]
        self.sel.register(s, selectors.EVENT_READ, (f"{vec}|{fam}", kind))

    def _loop(self) -> None:
        deadline = time.monotonic() + 120  # never outlive a stuck test
        while not self._stop.is_set() and time.monotonic() < deadline:
            for key, _ in self.sel.select(timeout=0.05):
                name, kind = key.data
                try:
                    if kind == socket.SOCK_STREAM:
                        conn, _ = key.fileobj.accept()
                        conn.close()
                        self.hits.append(f"{name}|tcp-accept")
                    else:
                        key.fileobj.recvfrom(65535)
                        self.hits.append(f"{name}|udp-datagram")
                except (BlockingIOError, OSError):
                    pass

    def self_check(self) -> None:
        """Prove every listener records traffic (so an empty `hits` means something), then reset."""
        for name, port in self.ports.items():
            vec, fam = name.split("|")
            af, host = (socket.AF_INET, "127.0.0.1") if fam == "v4" else (socket.AF_INET6, "::1")
            with socket.socket(af, socket.SOCK_STREAM if vec in TCP_VECTORS else socket.SOCK_DGRAM) as s:
                if vec in TCP_VECTORS:
                    s.settimeout(2)
                    s.connect((host, port))
                else:
                    s.sendto(b"self-check", (host, port))
        deadline = time.monotonic() + 5
        while len({h.rsplit("|", 1)[0] for h in self.hits}) < len(self.ports) and time.monotonic() < deadline:
            time.sleep(0.02)
        seen = {h.rsplit("|", 1)[0] for h in self.hits}
        assert seen == set(self.ports), f"listeners not recording: {sorted(set(self.ports) - seen)}"
        self.hits.clear()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()


def _have_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def listeners():
    ls = Listeners()
    try:
        ls.self_check()
        yield ls
    finally:
        ls.stop()


def _probe(listeners: Listeners) -> tuple[list[str], list[str], int]:
    """Fire every vector from a page served by OfflineBrowser: (leaked, blocked URLs, pages served)."""
    hosts = {fam: HOSTS[fam] for fam in listeners.families}
    js = _PROBE_JS.replace("__PORTS__", json.dumps(listeners.ports)).replace("__HOSTS__", json.dumps(hosts))
    html = f'<html><head></head><body><button data-mb="x">Go</button><script>{js}</script></body></html>'
    with OfflineBrowser() as b:
        b.goto(html, (390, 844), path="probe.html")
        b.page.wait_for_timeout(WAIT_MS)
        blocked, served = list(b.blocked), b.served
    return sorted(set(listeners.hits)), blocked, served


def test_no_vector_reaches_a_local_listener(listeners):
    # Unsealed (routing only), Chromium 156 leaked: WebSocket, iframe, form, STUN, TURN/UDP, TURN/TCP.
    leaked, blocked, served = _probe(listeners)
    assert not leaked, f"reached a local listener: {leaked}"
    assert served == 1  # only the in-memory page itself
    unrouted = [f"{vec}|{fam}" for fam in listeners.families for vec in ROUTED
                if not any(f":{listeners.ports[f'{vec}|{fam}']}/" in u for u in blocked)]
    assert not unrouted, f"not aborted and counted by the browser: {unrouted} (blocked: {blocked})"


@pytest.mark.slow
@pytest.mark.parametrize("layer", ["proxy", "resolver"])
def test_each_tcp_layer_seals_on_its_own(listeners, monkeypatch, layer):
    """The proxy and the resolver rules each stop TCP alone, so losing one is caught here, not hidden."""
    flags = tuple(f for f in _browser.SEAL_FLAGS if layer in f or "webrtc" in f)
    assert len(flags) >= 2
    monkeypatch.setattr(_browser, "SEAL_FLAGS", flags)
    leaked, _, _ = _probe(listeners)
    assert not leaked, f"with only {flags}: reached a local listener: {leaked}"


def _chromium_binary() -> Path | None:
    """The ELF binary behind chromium_path() (Debian's /usr/bin/chromium is a shell wrapper)."""
    exe = Path(chromium_path() or "")
    if exe.is_file():
        with exe.open("rb") as fh:
            if fh.read(4) == b"\x7fELF":
                return exe
    real = Path("/usr/lib/chromium/chromium")
    return real if real.is_file() else None


def test_installed_chromium_knows_every_seal_switch():
    """Chromium silently ignores unknown switches (e.g. --force-webrtc-ip-handling-policy is gone
    in 156), so each switch name and the WebRTC policy value must occur in the binary itself."""
    binary = _chromium_binary()
    if binary is None:
        pytest.skip("no Chromium ELF binary found behind the wrapper")
    needles = [f.split("=", 1)[0].removeprefix("--") for f in _browser.SEAL_FLAGS] + ["disable_non_proxied_udp"]
    with binary.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
        missing = [n for n in needles if m.find(n.encode()) < 0]
    assert not missing, f"{binary} does not know: {missing}"
