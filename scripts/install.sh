#!/usr/bin/env bash
# Idempotent install on a fresh Debian machine: system packages (Chromium, Mesa for headless
# MuJoCo, ffmpeg), a venv, the CPU torch wheel pinned first, then the project with its extras.
set -euo pipefail
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-data,model,ui,robotics,libero,plots,ray,deepspeed,tensorboard,dev}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
for pkg in libosmesa6 libegl1 libgl1-mesa-dri ffmpeg; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing system packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "warning: missing system packages (${need_apt[*]}); install them with apt-get as root" >&2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PIP="$VENV/bin/pip --disable-pip-version-check -q"
# torch first, from the CPU wheel; everything after is constrained to it (no CUDA builds).
$VENV/bin/python -c "import torch" 2>/dev/null || $PIP install "torch==$(grep '^torch==' constraints.txt | cut -d= -f3)"
$PIP install -c constraints.txt -e ".[${EXTRAS}]"
echo "installed magma-bench into $VENV"
