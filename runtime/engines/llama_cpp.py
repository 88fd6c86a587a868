"""One llama.cpp ``llama-server`` process serving one GGUF file on 127.0.0.1.

The binary is built from the llama.cpp source inside the llama-cpp-python sdist
(``make engine`` runs ``scripts/build-llama-server.sh``); it serves parallel slots with
continuous batching and takes OpenAI ``json_schema`` response formats.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from runtime.config import LlamaCppEngine
from runtime.engines.gguf_reencode import reencoded, reencoded_path
from runtime.engines.kinds import Kind, Place, register
from runtime.engines.process import (  # noqa: F401 (EngineError: re-export)
    KEY_FILE_PLACEHOLDER,
    EngineError,
    ServerProcess,
)
from runtime.engines.weights import cache_dir, resolve_gguf

LLAMA_CPP_PYTHON_VERSION = "0.3.36"  # keep in step with scripts/build-llama-server.sh
LLAMA_SERVER_BUILD = f"llama.cpp-{LLAMA_CPP_PYTHON_VERSION}-noamx"  # the script's cache folder: built without AMX


def find_llama_server() -> Path:
    """``$GRA_LLAMA_SERVER``, else the cached build, else ``llama-server`` on PATH."""
    candidates = [
        os.environ.get("GRA_LLAMA_SERVER"),
        str(cache_dir() / LLAMA_SERVER_BUILD / "bin" / "llama-server"),
        shutil.which("llama-server"),
    ]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    raise EngineError("llama-server not found; run `make engine` (builds it once, about 5 minutes)")


def split_cores(n_engines: int, cores: list[int] | None = None) -> list[frozenset[int] | None]:
    """Give each local engine its own cores.

    ggml's worker threads spin while they wait, so two servers that each use every core
    starve each other (README, "Design measurements"). With fewer cores than engines,
    engines share (one thread each, no pinning).
    """
    cores = sorted(cores if cores is not None else os.sched_getaffinity(0))
    if n_engines <= 0:
        return []
    if len(cores) < n_engines:
        return [None] * n_engines
    share = len(cores) // n_engines
    return [frozenset(cores[i * share : (i + 1) * share]) for i in range(n_engines)]


class LlamaServer(ServerProcess):
    """One ``llama-server``; it reads the API key from ``--api-key-file`` and reports on ``/health``."""

    def __init__(
        self,
        name: str,
        spec: LlamaCppEngine,
        log_path: Path,
        api_key: str,
        port: int | None = None,
        cpus: frozenset[int] | None = None,
    ):
        super().__init__(name, log_path, api_key, port, cpus)
        self.spec = spec

    def model_path(self) -> Path:
        """The file the server loads: the pool's model, or its re-encoded copy (``reencode``)."""
        source = resolve_gguf(self.spec.model)
        return reencoded_path(source, self.spec.reencode) if self.spec.reencode else source

    def start(self) -> None:
        if self.spec.reencode:  # built once into the cache (seconds); later starts find it there
            reencoded(resolve_gguf(self.spec.model), self.spec.reencode)
        super().start()

    def command(self, key_file: str = KEY_FILE_PLACEHOLDER) -> list[str]:
        s = self.spec
        cmd = [
            str(find_llama_server()),
            "--model",
            str(self.model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--parallel",
            str(s.slots),
            "--ctx-size",
            str(s.slots * s.context_per_slot),
            "--api-key-file",
            key_file,
            "--no-webui",
            "--metrics",
            "--cont-batching",
            "--cache-ram",  # llama.cpp's default is 8 GiB per server: bound it, it grows over a long run
            str(s.prompt_cache_mib),
        ]
        threads = s.threads or (len(self.cpus) if self.cpus else 1)
        cmd += ["--threads", str(threads), "--threads-batch", str(threads)]
        return cmd + list(s.extra_args)


class LlamaCppKind(Kind):
    """``kind = "llama.cpp"``: one ``llama-server`` per engine, on cores of its own."""

    name = "llama.cpp"

    def on_cpu(self, spec: LlamaCppEngine) -> bool:
        return True

    def servers(self, engine: str, spec: LlamaCppEngine, place: Place) -> list[tuple[str, ServerProcess]]:
        return [
            (engine, LlamaServer(engine, spec, place.log(engine), place.api_key, port=place.port(), cpus=place.cores))
        ]


register(LlamaCppKind())
