# magma-bench: `make bench` runs the main job on the embedded default, `make test` the tests.
# Both install what they need first (idempotent: a stamp file records the last install).
VENV    ?= .venv
PY      := $(VENV)/bin/python
MB      := $(VENV)/bin/magma-bench
STAMP   := $(VENV)/.install-stamp
CKPT    := checkpoints/magma-tiny
export MUJOCO_GL ?= egl
export PYTHONHASHSEED := 0
export RAY_AUTH_MODE ?= disabled

.PHONY: install bench train train-distributed ablation paper-tables leaderboard test test-slow test-lmms simplerenv perf lint clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/install.sh
	VENV=$(VENV) bash scripts/install.sh
	@touch $@

# The main job: every offline suite through the shipped tiny Magma (trained first only when its
# weights are missing: `make train` takes ~81 min) and the baselines, then the leaderboard
# (terminal table, JSON/markdown, HTML page, plots).
bench: install $(CKPT)/model.safetensors
	$(MB) sweep --config configs/bench.yaml
	$(PY) -m magma_bench.leaderboards build --runs runs --out runs/leaderboard

$(CKPT)/model.safetensors: | install
	$(PY) -m magma_bench.trainer.train --out $(CKPT)

train: install
	$(MB) train --out $(CKPT)

# Multi-GPU / multi-node training on DeepSpeed ZeRO (docs/training-distributed.md): NGPUS per node,
# HOSTFILE=<deepspeed hostfile> for several nodes; the gathered weights land in checkpoints/magma-$(PRESET).
NGPUS     ?= 8
DS_CONFIG ?= configs/deepspeed/zero2.json
PRESET    ?= small
HOSTFILE  ?=

train-distributed: install
	@test -x $(VENV)/bin/deepspeed || { echo "train-distributed needs DeepSpeed: $(VENV)/bin/pip install -c constraints.txt -e '.[deepspeed]'"; exit 2; }
	$(VENV)/bin/deepspeed $(if $(HOSTFILE),--hostfile $(HOSTFILE)) --num_gpus $(NGPUS) \
	  --module magma_bench.trainer.distributed --ds-config $(DS_CONFIG) --preset $(PRESET) \
	  --out checkpoints/magma-$(PRESET)

# The paper's Table 3 variants at one budget, evaluated through the evaluator, then the table.
# Five variants in 3 h: each gets the default steps at batch 8, an eighth of the shipped recipe's.
ablation: install
	$(MB) ablation --batch-size 8
	$(MB) leaderboard ablation --runs runs --out runs/leaderboard

paper-tables: install
	$(MB) leaderboard paper-tables --out runs/leaderboard/paper

leaderboard: install
	$(MB) leaderboard build --runs runs --out runs/leaderboard

test: install
	$(PY) -m pytest -q -m "not slow and not gpu" -p no:cacheprovider

test-slow: install
	$(PY) -m pytest -q -m "slow" -p no:cacheprovider

# lmms-eval interop both ways (magma-bench -> lmms-eval models, lmms-eval -> Magma), in a venv of its own:
# lmms-eval needs torchvision, which does not import beside the main venv's torch (scripts/install_lmms.sh).
LMMS_VENV ?= .venv-lmms

$(LMMS_VENV)/.install-stamp: pyproject.toml scripts/install_lmms.sh
	VENV=$(LMMS_VENV) bash scripts/install_lmms.sh
	@touch $@

test-lmms: $(LMMS_VENV)/.install-stamp
	OMP_NUM_THREADS=1 $(LMMS_VENV)/bin/python -m pytest -q -p no:cacheprovider \
	  tests/adapters/test_lmms_bridge.py tests/adapters/test_lmms_llava.py tests/perf/test_perf_lmms.py

# Real SimplerEnv for local validation (docs/simplerenv.md), in a venv of its own: its pins
# (sapien 2.2.2, numpy<2, opencv-python) clash with the main venv. SIMPLER_DIR=<your clone>.
SIMPLER_VENV ?= .venv-simpler
SIMPLER_DIR  ?=

simplerenv:
	VENV=$(SIMPLER_VENV) SIMPLER_DIR=$(SIMPLER_DIR) bash scripts/install_simplerenv.sh

perf: install
	$(MB) perf --out runs/perf/latest.json

lint: install
	$(VENV)/bin/ruff check magma_bench model trainer adapters leaderboards tests

clean:
	rm -rf runs data build dist *.egg-info
