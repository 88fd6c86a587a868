"""One llama.cpp ``llama-server`` process serving one GGUF file on 127.0.0.1.

The binary is built from the llama.cpp source inside the llama-cpp-python sdist
(``make engine`` runs ``scripts/build-llama-server.sh``); it serves parallel slots with
continuous batching and takes OpenAI ``json_schema`` response formats.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from runtime.pool import LlamaCppEngine
from runtime.weights import cache_dir, resolve_gguf

LLAMA_CPP_PYTHON_VERSION = "0.3.36"  # keep in step with scripts/build-llama-server.sh


class EngineError(RuntimeError):
    """An engine that could not be found, started or reached."""


def find_llama_server() -> Path:
    """``$GRA_LLAMA_SERVER``, else the cached build, else ``llama-server`` on PATH."""
    candidates = [
        os.environ.get("GRA_LLAMA_SERVER"),
        str(cache_dir() / f"llama.cpp-{LLAMA_CPP_PYTHON_VERSION}" / "bin" / "llama-server"),
        shutil.which("llama-server"),
    ]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    raise EngineError("llama-server not found; run `make engine` (builds it once, about 5 minutes)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_setup(cpus: frozenset[int] | None):
    def setup() -> None:  # runs in the child before exec
        try:  # SIGTERM the server when the coordinator dies, even by SIGKILL: no orphans
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass
        if cpus:
            os.sched_setaffinity(0, cpus)

    return setup


def split_cores(n_engines: int, cores: list[int] | None = None) -> list[frozenset[int] | None]:
    """Give each local engine its own cores.

    ggml's worker threads spin while they wait, so two servers that each use every core
    starve each other: measured on 2 cores, two llama-servers with 2 threads each made
    18 tok/s together, with 1 thread each pinned apart 101 tok/s. With fewer cores than
    engines, engines share (one thread each, no pinning).
    """
    cores = sorted(cores if cores is not None else os.sched_getaffinity(0))
    if n_engines <= 0:
        return []
    if len(cores) < n_engines:
        return [None] * n_engines
    share = len(cores) // n_engines
    return [frozenset(cores[i * share : (i + 1) * share]) for i in range(n_engines)]


class LlamaServer:
    """Start, health-check and stop one ``llama-server``.

    The API key reaches the server through a 0600 file that is removed once the server
    is up, so it never appears in a process listing or a log.
    """

    def __init__(
        self,
        name: str,
        spec: LlamaCppEngine,
        log_path: Path,
        api_key: str,
        port: int | None = None,
        cpus: frozenset[int] | None = None,
    ):
        self.name, self.spec, self.log_path, self.api_key, self.cpus = name, spec, log_path, api_key, cpus
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self._key_file: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self, key_file: str = "KEY_FILE") -> list[str]:
        s = self.spec
        cmd = [
            str(find_llama_server()),
            "--model",
            str(resolve_gguf(s.model)),
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
        ]
        threads = s.threads or (len(self.cpus) if self.cpus else 1)
        cmd += ["--threads", str(threads), "--threads-batch", str(threads)]
        return cmd + list(s.extra_args)

    def start(self) -> None:
        fd, self._key_file = tempfile.mkstemp(prefix="gra-key-")
        with os.fdopen(fd, "w") as f:
            f.write(self.api_key + "\n")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.command(self._key_file),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_child_setup(self.cpus),
        )
        log.close()

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    raise EngineError(f"engine {self.name!r} exited during start; see {self.log_path}")
                try:
                    if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2.0).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
            raise EngineError(f"engine {self.name!r} not healthy after {timeout:.0f}s; see {self.log_path}")
        finally:
            self._drop_key_file()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        self._drop_key_file()
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def _drop_key_file(self) -> None:
        if self._key_file:
            Path(self._key_file).unlink(missing_ok=True)
            self._key_file = None
