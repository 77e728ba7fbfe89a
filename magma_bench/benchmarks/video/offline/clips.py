"""Procedural video clips with ground-truth event logs, shared by the offline video-QA suites.

Four kinds of clip, each a real scene a model has to watch (nothing is printed on the frames
except the letters of the `letters` clip):
- collision: a mover slides into a resting object and then stops, bounces back or follows more
  slowly; the struck object moves off in the same direction (CLEVRER-like); other objects rest,
  one may drift in its own lane;
- fetch: a robot walks to an object, picks it up, carries it to a coloured zone and drops it,
  one or more trips (intent: the zone is the goal);
- change: resting objects, one changes colour part-way, and the room (background) changes;
- letters: the robot writes letters on a board one after another.

Every event lasts several frames and its effect persists, so K >= 8 uniformly sampled frames of
a clip suffice to answer its questions. Clips are written as real mp4 files with OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

W, H, FPS, R = 192, 144, 8, 8  # frame size, frames per second, object radius (px)
COLORS = {"red": (220, 40, 40), "green": (40, 170, 60), "blue": (40, 90, 230), "yellow": (235, 205, 30),
          "purple": (150, 60, 190), "orange": (245, 135, 30), "brown": (130, 80, 40)}
SHAPES = ("circle", "square", "triangle")
ZONES = {"pink": (250, 175, 205), "cyan": (150, 230, 240), "gray": (185, 185, 185), "lime": (205, 245, 140)}
ROOMS = {"white": (245, 245, 245), "beige": (235, 220, 190), "light blue": (200, 220, 250),
         "light green": (210, 240, 200), "lavender": (225, 210, 245)}
DIRS = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1)}
LETTER_POOL = "ABDEFHKMNPRSTXZ"


@dataclass
class Thing:
    """Something drawn: an object (`color shape`) or the robot; one position per frame."""

    color: str
    shape: str  # circle | square | triangle | robot
    xy: np.ndarray  # (T, 2) float, centre in px
    colors: list[str] | None = None  # per-frame colour when it changes

    @property
    def name(self) -> str:
        return "robot" if self.shape == "robot" else f"{self.color} {self.shape}"


@dataclass
class Clip:
    kind: str
    n_frames: int
    things: list[Thing]
    zones: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # colour -> box
    rooms: list[str] = field(default_factory=list)  # background name per frame
    letters: list[tuple[int, str]] = field(default_factory=list)  # (frame it appears, letter)
    events: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def thing(self, name: str) -> Thing:
        return next(t for t in self.things if t.name == name)

    @property
    def objects(self) -> list[Thing]:
        return [t for t in self.things if t.shape != "robot"]


# -- layout helpers -------------------------------------------------------------------------------
def _pick_objects(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    colors = rng.permutation(list(COLORS))[:n]
    return [(str(c), str(rng.choice(SHAPES))) for c in colors]


def _free_spot(rng: np.random.Generator, taken: list[np.ndarray], margin: float = 14,
               min_d: float = 4 * R, avoid=lambda p: False) -> np.ndarray:
    for _ in range(400):
        p = np.array([rng.uniform(margin, W - margin), rng.uniform(margin, H - margin)])
        if all(np.linalg.norm(p - q) >= min_d for q in taken) and not avoid(p):
            return p
    raise RuntimeError("no free spot")  # caught by the generators' retry loop


def _still(p: np.ndarray, T: int) -> np.ndarray:
    return np.repeat(p[None, :].astype(float), T, axis=0)


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / max(float(np.dot(ab, ab)), 1e-9), 0, 1))
    return float(np.linalg.norm(p - (a + t * ab)))


def retry(make, rng: np.random.Generator, *args: Any) -> Clip:
    for _ in range(300):  # layouts are cheap to try; busy fetch scenes need many tries
        try:
            return make(rng, *args)
        except RuntimeError:
            continue
    raise RuntimeError(f"could not lay out a {make.__name__} clip")


# -- scenarios ------------------------------------------------------------------------------------
def collision(rng: np.random.Generator, T: int = 48) -> Clip:
    n = int(rng.integers(3, 6))
    specs = _pick_objects(rng, n)
    dname = str(rng.choice(list(DIRS)))
    d = np.array(DIRS[dname], float)
    horizontal = d[1] == 0
    extent = (W if horizontal else H) - 2 * 12
    tc = int(round(T * rng.uniform(0.35, 0.5)))
    v = (extent - 4 * R - 6) / (T - 1) * rng.uniform(0.75, 0.95)
    a_travel, b_travel = v * tc, v * (T - 1 - tc)
    along0 = 12 + R + rng.uniform(0, extent - 2 * R - a_travel - b_travel - 2 * R)  # A's start
    lane = rng.uniform(20, (H if horizontal else W) - 20)

    def at(along: float) -> np.ndarray:
        if d.sum() < 0:  # moving left/up: mirror the along-axis coordinate
            along = (W if horizontal else H) - along
        return np.array([along, lane]) if horizontal else np.array([lane, along])

    a_start, contact = along0, along0 + a_travel
    b_start = contact + 2 * R
    ts = np.arange(T)
    after = str(rng.choice(["stop", "bounce", "follow"]))  # what the mover does after the hit
    k_after = {"stop": 0.0, "bounce": -0.5, "follow": 0.4}[after]
    a_xy = np.stack([at(a_start + v * min(t, tc) + k_after * v * max(0, t - tc)) for t in ts])
    b_xy = np.stack([at(b_start + v * max(0, t - tc)) for t in ts])
    things = [Thing(*specs[0], a_xy), Thing(*specs[1], b_xy)]
    lane_pts = [a_xy[0], b_xy[-1]]
    drift = None
    if n >= 4 and rng.random() < 0.8:  # a drifter in its own parallel lane
        dd = str(rng.choice([k for k, vv in DIRS.items() if (vv[1] == 0) == horizontal]))
        for _ in range(100):
            lane2 = rng.uniform(16, (H if horizontal else W) - 16)
            if abs(lane2 - lane) > 5 * R:
                break
        else:
            raise RuntimeError("no lane")
        span = v * 0.8 * (T - 1)
        s0 = rng.uniform(16, (W if horizontal else H) - 16 - span)
        dv = np.array(DIRS[dd], float)
        start = (np.array([s0, lane2]) if horizontal else np.array([lane2, s0]))
        if dv.sum() < 0:
            start = start + (np.array([span, 0]) if horizontal else np.array([0, span]))
        xy = np.stack([start + dv * v * 0.8 * t for t in ts])
        things.append(Thing(*specs[3], xy))
        drift = (things[-1].name, dd)
        lane_pts += [xy[0], xy[-1]]
    taken = [p for th in things for p in (th.xy[0], th.xy[-1])]
    for spec in (specs[2:3] + specs[4:]) if drift else specs[2:]:
        p = _free_spot(rng, taken, avoid=lambda p: _seg_dist(p, lane_pts[0], lane_pts[1]) < 3 * R or (
            drift is not None and _seg_dist(p, lane_pts[2], lane_pts[3]) < 3 * R))
        taken.append(p)
        things.append(Thing(*spec, _still(p, T)))
    a, b = things[0].name, things[1].name
    events = [{"t": 0, "kind": "move", "subject": a, "dir": dname},
              {"t": tc, "kind": "collide", "subject": a, "object": b},
              {"t": tc, "kind": after, "subject": a},
              {"t": tc, "kind": "move", "subject": b, "dir": dname}]
    if drift:
        events.insert(1, {"t": 0, "kind": "move", "subject": drift[0], "dir": drift[1]})
    static = [t.name for t in things[2:] if drift is None or t.name != drift[0]]
    facts = {"mover": a, "struck": b, "dir": dname, "tc": tc, "after": after, "drifter": drift, "static": static}
    return Clip("collision", T, things, events=events, facts=facts)


def fetch(rng: np.random.Generator, T: int = 48, trips: int = 1) -> Clip:
    n = int(rng.integers(trips + 1, trips + (4 if trips <= 2 else 2)))
    specs = _pick_objects(rng, n)
    zone_names = [str(z) for z in rng.permutation(list(ZONES))[: 2 if trips == 1 else 3]]
    zones: dict[str, tuple[int, int, int, int]] = {}
    corners = [(6, 6), (W - 46, 6), (6, H - 38), (W - 46, H - 38)]
    for z, ci in zip(zone_names, rng.permutation(4), strict=False):
        x, y = corners[int(ci)]
        zones[z] = (x, y, x + 40, y + 32)
    centres = {z: np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]) for z, b in zones.items()}
    in_zone = lambda p: any(b[0] - 2 * R < p[0] < b[2] + 2 * R and b[1] - 2 * R < p[1] < b[3] + 2 * R  # noqa: E731
                            for b in zones.values())
    taken: list[np.ndarray] = []
    pos = []
    for _ in specs:
        p = _free_spot(rng, taken, margin=20, avoid=in_zone)
        taken.append(p)
        pos.append(p)
    robot0 = _free_spot(rng, taken, margin=20, avoid=in_zone)
    carried = [int(i) for i in rng.permutation(n)[:trips]]
    goals = [zone_names[int(rng.integers(len(zone_names)))] for _ in range(trips)]
    # waypoints: robot -> item -> zone (-> next item -> zone ...) -> back home
    drop_spots = {}
    way = [robot0]
    for i, z in zip(carried, goals, strict=True):
        jitter = rng.uniform(-6, 6, 2) + (len([g for g in drop_spots.values() if g[0] == z]) * np.array([10, 0]))
        drop_spots[i] = (z, centres[z] + jitter)
        way += [pos[i], drop_spots[i][1]]
    way.append(robot0)
    legs = [np.linalg.norm(way[k + 1] - way[k]) for k in range(len(way) - 1)]
    for k in range(len(way) - 1):  # a leg may not pass over an object other than its target
        for j, p in enumerate(pos):
            if j in carried and (k // 2 >= carried.index(j)):
                continue
            if not np.allclose(p, way[k + 1]) and _seg_dist(p, way[k], way[k + 1]) < 2.5 * R:
                raise RuntimeError("path crosses an object")
    dwell = max(2, T // 16)
    move_frames = T - 1 - dwell * (2 * trips)
    cum = np.concatenate([[0], np.cumsum(legs)]) / sum(legs) * move_frames
    bounds = []  # (start frame, end frame) of each leg, with a dwell after each pick/drop
    t0 = 0.0
    for k in range(len(legs)):
        t1 = t0 + (cum[k + 1] - cum[k])
        bounds.append((t0, t1))
        t0 = t1 + (dwell if k < len(legs) - 1 else 0)
    robot = np.zeros((T, 2))
    for t in range(T):
        for k, (s, e) in enumerate(bounds):
            if t <= e or k == len(bounds) - 1:
                f = float(np.clip((t - s) / max(e - s, 1e-9), 0, 1))
                robot[t] = way[k] + f * (way[k + 1] - way[k])
                break
    things = [Thing(*specs[i], _still(pos[i], T)) for i in range(n)]
    events: list[dict[str, Any]] = []
    for m, (i, z) in enumerate(zip(carried, goals, strict=True)):
        pick_t, drop_t = int(np.ceil(bounds[2 * m][1])), int(np.ceil(bounds[2 * m + 1][1]))
        xy = things[i].xy
        xy[pick_t:drop_t] = robot[pick_t:drop_t] + np.array([0, -1.6 * R])  # held above the robot
        xy[drop_t:] = drop_spots[i][1]
        events += [{"t": int(bounds[2 * m][0]), "kind": "go", "subject": "robot", "object": things[i].name},
                   {"t": pick_t, "kind": "pick", "subject": "robot", "object": things[i].name},
                   {"t": pick_t, "kind": "carry", "subject": "robot", "object": things[i].name, "zone": z},
                   {"t": drop_t, "kind": "drop", "subject": "robot", "object": things[i].name, "zone": z}]
    events.append({"t": int(bounds[-1][0]), "kind": "return", "subject": "robot"})
    things.append(Thing("gray", "robot", robot))
    facts = {"carried": [things[i].name for i in carried], "goals": goals, "zones": zone_names,
             "untouched": [things[i].name for i in range(n) if i not in carried],
             "first_leg": (way[1] - way[0]).tolist(), "T": T}
    return Clip("fetch", T, things, zones=zones, events=events, facts=facts)


def change(rng: np.random.Generator, T: int = 48) -> Clip:
    specs = _pick_objects(rng, int(rng.integers(3, 5)))
    taken: list[np.ndarray] = []
    things = []
    for spec in specs:
        p = _free_spot(rng, taken, margin=20)
        taken.append(p)
        things.append(Thing(*spec, _still(p, T)))
    target = things[0]
    new_color = str(rng.choice([c for c in COLORS if c not in {s[0] for s in specs}]))
    tc = int(round(T * rng.uniform(0.3, 0.45)))
    target.colors = [target.color] * tc + [new_color] * (T - tc)
    r1, r2 = (str(r) for r in rng.permutation(list(ROOMS))[:2])
    tr = int(round(T * rng.uniform(0.55, 0.7)))
    events = [{"t": tc, "kind": "recolor", "subject": target.name, "to": new_color},
              {"t": tr, "kind": "room", "from": r1, "to": r2}]
    facts = {"changed": target.name, "from": target.color, "to": new_color, "shape": target.shape,
             "rooms": (r1, r2), "others": [t.name for t in things[1:]]}
    return Clip("change", T, things, rooms=[r1] * tr + [r2] * (T - tr), events=events, facts=facts)


def letters(rng: np.random.Generator, T: int = 48) -> Clip:
    k = int(rng.integers(3, 5))
    chars = [str(c) for c in rng.permutation(list(LETTER_POOL))[:k]]
    times = [int(round(T * (i + 0.5) / (k + 1))) for i in range(k)]
    robot = np.zeros((T, 2))
    slots = [np.array([40 + 36 * i, 92]) for i in range(k)]
    for t in range(T):
        i = int(np.searchsorted(times, t, side="right"))
        robot[t] = slots[min(i, k - 1)] + np.array([0, 28])
    events = [{"t": t, "kind": "write", "subject": "robot", "letter": c} for t, c in zip(times, chars, strict=True)]
    clip = Clip("letters", T, [Thing("gray", "robot", robot)], letters=list(zip(times, chars, strict=True)),
                events=events, facts={"order": chars})
    return clip


# -- rendering ------------------------------------------------------------------------------------
def _bgr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return (rgb[2], rgb[1], rgb[0])


def _draw(img: np.ndarray, th: Thing, t: int) -> None:
    import cv2

    x, y = (int(round(v)) for v in th.xy[t])
    if th.shape == "robot":
        cv2.rectangle(img, (x - 9, y - 9), (x + 9, y + 9), (70, 70, 70), -1)
        cv2.circle(img, (x - 4, y - 3), 2, (255, 255, 255), -1)
        cv2.circle(img, (x + 4, y - 3), 2, (255, 255, 255), -1)
        cv2.line(img, (x, y - 9), (x, y - 13), (70, 70, 70), 2)
        return
    color = _bgr(COLORS[th.colors[t] if th.colors else th.color])
    if th.shape == "circle":
        cv2.circle(img, (x, y), R, color, -1, lineType=cv2.LINE_AA)
    elif th.shape == "square":
        cv2.rectangle(img, (x - R + 1, y - R + 1), (x + R - 1, y + R - 1), color, -1)
    else:
        pts = np.array([[x, y - R], [x - R, y + R - 1], [x + R, y + R - 1]], np.int32)
        cv2.fillPoly(img, [pts], color, lineType=cv2.LINE_AA)


def render_frame(clip: Clip, t: int) -> np.ndarray:
    """Frame t as BGR uint8 (OpenCV order)."""
    import cv2

    room = clip.rooms[t] if clip.rooms else "white"
    img = np.empty((H, W, 3), np.uint8)
    img[:] = _bgr(ROOMS[room])
    for z, (x0, y0, x1, y1) in clip.zones.items():
        cv2.rectangle(img, (x0, y0), (x1, y1), _bgr(ZONES[z]), -1)
        cv2.rectangle(img, (x0, y0), (x1, y1), (90, 90, 90), 1)
    if clip.letters:
        cv2.rectangle(img, (20, 60), (W - 20, 112), (255, 255, 255), -1)
        cv2.rectangle(img, (20, 60), (W - 20, 112), (60, 60, 60), 1)
        for i, (ta, ch) in enumerate(clip.letters):
            if t >= ta:
                cv2.putText(img, ch, (30 + 36 * i, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (20, 20, 20), 2, cv2.LINE_AA)
    robots = [th for th in clip.things if th.shape == "robot"]
    objects = [th for th in clip.things if th.shape != "robot"]
    # fetch: carried objects are held above the robot, so draw them over it
    for th in (robots + objects if clip.kind == "fetch" else objects + robots):
        _draw(img, th, t)
    return img


def write_mp4(clip: Clip, path: Path) -> Path:
    """The clip as an mp4 (MPEG-4 Part 2, which every OpenCV build can write and read)."""
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (W, H))
    if not w.isOpened():
        raise RuntimeError(f"OpenCV cannot write mp4 to {path}")
    try:
        for t in range(clip.n_frames):
            w.write(render_frame(clip, t))
    finally:
        w.release()
    return path
