#!/usr/bin/env bash
# Builds the SimplerEnv venv (`make simplerenv SIMPLER_DIR=<clone>`) apart from the main one:
# SimplerEnv pins sapien==2.2.2 (wheels for CPython 3.8-3.11), needs numpy<2 (numpy 2 segfaults
# SAPIEN on the first step) and setuptools<81, and ManiSkill2_real2sim pulls opencv-python, which
# clashes with the main venv's opencv-python-headless. SimplerEnv and its assets are not on PyPI:
# they come from the user's clone (docs/simplerenv.md). Idempotent; pip runs under nice.
set -euo pipefail
VENV=${VENV:-.venv-simpler}
SIMPLER_DIR=${SIMPLER_DIR:-}
PYTHON=${PYTHON:-python3}

if [ -z "$SIMPLER_DIR" ]; then
  echo "make simplerenv needs SIMPLER_DIR=<path to: git clone https://github.com/simpler-env/SimplerEnv --recurse-submodules>" >&2
  exit 2
fi
if [ ! -f "$SIMPLER_DIR/simpler_env/__init__.py" ] || [ ! -f "$SIMPLER_DIR/ManiSkill2_real2sim/setup.py" ]; then
  echo "$SIMPLER_DIR is not a SimplerEnv clone with its ManiSkill2_real2sim submodule (clone with --recurse-submodules)" >&2
  exit 2
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "$PYTHON is $("$PYTHON" -V 2>&1): sapien==2.2.2 has wheels up to CPython 3.11 and magma-bench needs 3.11; set PYTHON=python3.11" >&2
  exit 2
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP="nice -n 10 $VENV/bin/pip --disable-pip-version-check -q"
cons=$(mktemp)
trap 'rm -f "$cons"' EXIT
printf 'numpy<2\nsetuptools<81\nsapien==2.2.2\ngymnasium<1.0\n' >"$cons"
$PIP install -c "$cons" "numpy<2" "setuptools<81" "sapien==2.2.2"
$PIP install -c "$cons" -e "$SIMPLER_DIR/ManiSkill2_real2sim"
$PIP install -c "$cons" -e "$SIMPLER_DIR"
# magma-bench itself (base dependencies only: no torch, no headless OpenCV) and pytest
$PIP install -c "$cons" -e . pytest
"$VENV/bin/python" - <<'EOF'
from magma_bench.benchmarks.robotics.simpler import SimplerEnvBridge, SimplerEnvGoogle
import numpy, sapien
print(f"SimplerEnv venv ready (numpy {numpy.__version__}, sapien {sapien.__version__})")
for cls in (SimplerEnvBridge, SimplerEnvGoogle):
    ok, why = cls.availability()
    print(f"  {cls.name}: {'runnable' if ok else 'not runnable'}" + (f" ({why})" if why else ""))
EOF
