"""What a SimplerEnv task needs before `simpler_env.make()` is worth calling, checked without
importing SimplerEnv, ManiSkill2_real2sim or SAPIEN (`magma-bench list` stays cheap).

Why this exists: SAPIEN only *logs* a missing scene or object file and the episode runs on
(objects fall through a table that was never loaded), and a machine without a working Vulkan
driver fails deep inside `make()` with an error that reads like a broken install. So the three
ways a run can be impossible are told apart here, one line each:
- "simpler_env not installed" (the packages are not importable);
- "Vulkan/rendering unavailable" (no Vulkan loader or driver; SAPIEN renders every step);
- "asset files missing" (ManiSkill2_real2sim's data/ lacks a file the task loads).

The per-task facts are read off ManiSkill2_real2sim (commit ef7a4d4): `simpler_env.ENVIRONMENT_MAP`
for the env ids, each env's `register_env(..., max_episode_steps=...)` for the time limits, and
its `_setup_prepackaged_env_init_config` / `_load_model` for the scene, overlay and object files
the visual-matching ("prepackaged") configuration loads.
"""

from __future__ import annotations

import ctypes.util
import glob
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

INSTALL = ("needs SimplerEnv with its ManiSkill2_real2sim assets, which are not on PyPI: "
           "git clone https://github.com/simpler-env/SimplerEnv --recurse-submodules && "
           "pip install -e SimplerEnv/ManiSkill2_real2sim && pip install -e SimplerEnv "
           "(or `make simplerenv SIMPLER_DIR=<clone>`, see docs/simplerenv.md; "
           "offline stand-ins: tabletop_bridge / tabletop_google)")
DOCS = "see docs/simplerenv.md"


@dataclass(frozen=True)
class SimTask:
    """One SimplerEnv visual-matching task and the files its prepackaged config loads (paths
    relative to the ManiSkill2_real2sim asset dir)."""

    name: str  # simpler_env task name (simpler_env.make)
    ours: str  # our task name (lines up with the tabletop suites and Figure 8)
    env_id: str  # the gym id it maps to
    time_limit: int  # the env's registered max_episode_steps (its TimeLimit truncates there)
    files: tuple[str, ...]  # scene, overlay images, model json, urdf
    models: tuple[str, ...] = ()  # object model dirs under custom/models (collision.obj + a visual)
    raytraced: bool = False  # prepackaged config sets shader_dir="rt": ~38 s per step on a CPU renderer


_COKE_STAGE = "hab2_bench_assets/stages/google_pick_coke_can_1_v4.glb"
_DRAWER_FILES = ("custom/mk_station_recolor.urdf", "custom/info_pick_custom_v0.json",
                 *(f"real_inpainting/open_drawer_{i}.png" for i in ("a0", "a1", "a2", "b0", "b1", "b2", "c0", "c1", "c2")))
_MOVE_NEAR_MODELS = ("blue_plastic_bottle", "baked_opened_pepsi_can_v2", "orange", "baked_opened_7up_can_v2",
                     "baked_apple_v2", "baked_sponge_v2", "baked_opened_coke_can_v2", "baked_opened_redbull_can_v2")

TASKS: dict[str, SimTask] = {t.name: t for t in (
    SimTask("google_robot_pick_coke_can", "pick_coke_can", "GraspSingleOpenedCokeCanInScene-v0", 80,
            (_COKE_STAGE, "real_inpainting/google_coke_can_real_eval_1.png", "custom/info_pick_custom_v0.json"),
            ("opened_coke_can",)),
    SimTask("google_robot_move_near", "move_near", "MoveNearGoogleBakedTexInScene-v1", 80,
            (_COKE_STAGE, "real_inpainting/google_move_near_real_eval_1.png", "custom/info_pick_custom_baked_tex_v1.json"),
            _MOVE_NEAR_MODELS),
    SimTask("google_robot_open_drawer", "open_drawer", "OpenDrawerCustomInScene-v0", 113, _DRAWER_FILES, raytraced=True),
    SimTask("google_robot_close_drawer", "close_drawer", "CloseDrawerCustomInScene-v0", 113, _DRAWER_FILES, raytraced=True),
    SimTask("widowx_spoon_on_towel", "put_spoon_on_towel", "PutSpoonOnTableClothInScene-v0", 60,
            ("hab2_bench_assets/stages/bridge_table_1_v1.glb", "real_inpainting/bridge_real_eval_1.png",
             "custom/info_bridge_custom_v0.json"), ("bridge_spoon_generated_modified", "table_cloth_generated_shorter")),
    SimTask("widowx_carrot_on_plate", "put_carrot_on_plate", "PutCarrotOnPlateInScene-v0", 60,
            ("hab2_bench_assets/stages/bridge_table_1_v1.glb", "real_inpainting/bridge_real_eval_1.png",
             "custom/info_bridge_custom_v0.json"), ("bridge_carrot_generated_modified", "bridge_plate_objaverse_larger")),
    SimTask("widowx_stack_cube", "stack_green_block_on_yellow_block", "StackGreenCubeOnYellowCubeBakedTexInScene-v0", 60,
            ("hab2_bench_assets/stages/bridge_table_1_v1.glb", "real_inpainting/bridge_real_eval_1.png",
             "custom/info_bridge_custom_baked_tex_v0.json"), ("baked_green_cube_3cm", "baked_yellow_cube_3cm")),
    SimTask("widowx_put_eggplant_in_basket", "put_eggplant_in_basket", "PutEggplantInBasketScene-v0", 120,
            ("hab2_bench_assets/stages/bridge_table_1_v2.glb", "real_inpainting/bridge_sink.png",
             "custom/info_bridge_custom_v0.json"), ("eggplant", "dummy_sink_target_plane", "sink")),
)}


# -- install ---------------------------------------------------------------------------------------
def _spec_origin(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin else None


def install_problem() -> str | None:
    """'simpler_env not installed: ...' when either package cannot be imported, else None."""
    missing = [m for m in ("simpler_env", "mani_skill2_real2sim", "sapien") if _spec_origin(m) is None]
    if missing:
        return f"simpler_env not installed (missing {', '.join(missing)}): {INSTALL}"
    return None


# -- assets ----------------------------------------------------------------------------------------
def asset_dir() -> Path:
    """Where ManiSkill2_real2sim will look for its data, by its own rule (`mani_skill2_real2sim/__init__.py`):
    $MS2_REAL2SIM_ASSET_DIR, else <package>/../data, else $MS2_ASSET_DIR, else ./data."""
    if os.getenv("MS2_REAL2SIM_ASSET_DIR"):
        return Path(os.environ["MS2_REAL2SIM_ASSET_DIR"])
    origin = _spec_origin("mani_skill2_real2sim")
    if origin is not None and (origin.parent.parent / "data").exists():
        return origin.parent.parent / "data"
    if os.getenv("MS2_ASSET_DIR"):
        return Path(os.environ["MS2_ASSET_DIR"])
    return Path("data")


def _usable(path: Path) -> bool:
    """A real file: present, not empty, and not a Git LFS pointer left by a clone without LFS."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        if path.stat().st_size < 200:
            with path.open("rb") as f:
                return not f.read(40).startswith(b"version https://git-lfs")
        return True
    except OSError:
        return False


def missing_files(task: SimTask, root: Path | None = None) -> list[str]:
    """The files `task` loads that are absent under the asset dir (relative paths)."""
    root = asset_dir() if root is None else root
    out = [f for f in task.files if not _usable(root / f)]
    for m in task.models:
        d = root / "custom" / "models" / m
        if not _usable(d / "collision.obj"):
            out.append(f"custom/models/{m}/collision.obj")
        if not any(_usable(d / v) for v in ("textured.obj", "textured.dae", "textured.glb")):
            out.append(f"custom/models/{m}/textured.(obj|dae|glb)")
    return out


def assets_problem(tasks: list[SimTask], root: Path | None = None) -> str | None:
    """'asset files missing: ...' naming the first missing file of each task, else None."""
    root = asset_dir() if root is None else root
    bad = {t.name: m for t in tasks if (m := missing_files(t, root))}
    if not bad:
        return None
    parts = "; ".join(f"{name} needs {files[0]}" + (f" (+{len(files) - 1} more)" if len(files) > 1 else "")
                      for name, files in bad.items())
    return (f"asset files missing under {root}: {parts}. A `git clone --recurse-submodules` of SimplerEnv has "
            f"them (copies without large blobs lack the scenes); set MS2_REAL2SIM_ASSET_DIR to its "
            f"ManiSkill2_real2sim/data, or pick other tasks with tasks=...")


# -- rendering -------------------------------------------------------------------------------------
def vulkan_icds() -> list[Path]:
    """The Vulkan driver manifests the loader would read ($VK_DRIVER_FILES / $VK_ICD_FILENAMES win)."""
    forced = os.getenv("VK_DRIVER_FILES") or os.getenv("VK_ICD_FILENAMES")
    if forced:
        return [Path(p) for p in forced.split(os.pathsep) if p and Path(p).is_file()]
    dirs = [os.getenv("XDG_CONFIG_HOME", str(Path.home() / ".config")), "/etc/xdg", "/etc",
            os.getenv("XDG_DATA_HOME", str(Path.home() / ".local/share")),
            *os.getenv("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":")]
    found: list[Path] = []
    for d in dict.fromkeys(dirs):
        found += [Path(p) for p in sorted(glob.glob(os.path.join(d, "vulkan", "icd.d", "*.json")))]
    return found


def _icd_library(path: Path) -> str:
    try:
        return str(json.loads(path.read_text()).get("ICD", {}).get("library_path", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def software_only(icds: list[Path]) -> bool:
    """True when every Vulkan driver is a CPU rasteriser (Mesa lavapipe, SwiftShader)."""
    soft = ("lvp", "lavapipe", "swiftshader", "llvmpipe")
    return bool(icds) and all(any(s in (p.name + _icd_library(p)).lower() for s in soft) for p in icds)


def _has_loader() -> bool:
    if ctypes.util.find_library("vulkan"):
        return True
    sapien = _spec_origin("sapien")  # SAPIEN wheels may carry their own loader
    return sapien is not None and bool(glob.glob(str(sapien.parent / "**" / "libvulkan.so*"), recursive=True))


def rendering_problem() -> str | None:
    """'Vulkan/rendering unavailable: ...' when no Vulkan loader or driver is installed, else None.
    Static checks only; `probe_renderer` tries the real thing in a child process."""
    if not _has_loader():
        return ("Vulkan/rendering unavailable: no Vulkan loader (libvulkan.so.1); SAPIEN renders every step with "
                f"Vulkan: install libvulkan1 and a driver (GPU, or Mesa lavapipe for CPU), {DOCS}")
    if not vulkan_icds():
        return ("Vulkan/rendering unavailable: no Vulkan driver manifest (vulkan/icd.d/*.json, or VK_ICD_FILENAMES); "
                f"install a GPU driver or Mesa's lavapipe (mesa-vulkan-drivers), {DOCS}")
    return None


PROBE = "import sapien.core as s; r = s.SapienRenderer(offscreen_only=True); print('ok')"


def probe_renderer(timeout: float = 120.0) -> str | None:
    """Create SAPIEN's renderer in a child process (a broken driver can crash, not raise):
    None when it works, else 'Vulkan/rendering unavailable: <its last error line>'."""
    try:
        p = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"Vulkan/rendering unavailable: creating SAPIEN's renderer took over {timeout:.0f} s, {DOCS}"
    if p.returncode == 0 and "ok" in p.stdout:
        return None
    lines = [ln.strip() for ln in (p.stderr + p.stdout).splitlines() if ln.strip()]
    why = lines[-1] if lines else f"exit status {p.returncode}"
    if "ModuleNotFoundError" in why or "ImportError" in why:
        return f"simpler_env not installed ({why[:200]}): {INSTALL}"
    hint = ""
    if "semaphore" in why.lower() or "extension" in why.lower():
        hint = " (a CPU driver lacking VK_KHR_external_semaphore_fd: see the layer in docs/simplerenv.md)"
    return f"Vulkan/rendering unavailable: SAPIEN could not create a renderer: {why[:200]}{hint}, {DOCS}"


def looks_like_rendering(e: BaseException) -> bool:
    """An exception from make()/reset() that is really a Vulkan failure."""
    text = f"{type(e).__name__} {e}".lower()
    return any(k in text for k in ("vulkan", "vk_", "vk::", "renderer", "physical device", "icd"))
