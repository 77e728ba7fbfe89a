#!/usr/bin/env bash
# Builds the lmms-eval venv (`make test-lmms`, `make perf`'s lmms_* figures) apart from the main one:
# lmms-eval needs torchvision, and PyPI's torchvision does not import beside the main venv's
# torch 2.13 CPU wheel. Idempotent; pip runs under nice (the box's cores are shared).
set -euo pipefail
VENV=${VENV:-.venv-lmms}
TORCH=${TORCH:-2.14.1}
TORCHVISION=${TORCHVISION:-0.29.1}
LMMS_EVAL=${LMMS_EVAL:-0.7.3}
if [ "$(uname -m)" = aarch64 ]; then TORCH=2.9.1; TORCHVISION=0.24.1; fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PIP="nice -n 10 $VENV/bin/pip --disable-pip-version-check -q"
# The torch/torchvision pair first (a matched pair: a newer torchvision would drag torch along),
# then everything else held to it.
$PIP install "torch==$TORCH" "torchvision==$TORCHVISION"
cons=$(mktemp)
trap 'rm -f "$cons"' EXIT
printf 'torch==%s\ntorchvision==%s\nlmms-eval==%s\n' "$TORCH" "$TORCHVISION" "$LMMS_EVAL" >"$cons"
$PIP install -c "$cons" -e ".[model,data,dev,lmms]"
"$VENV/bin/python" -c "import lmms_eval.models, decord, filelock; print('lmms-eval ready in $VENV, filelock', filelock.__version__)"
