"""The embedding engine: one long-lived child process that runs the sentence-embedding model.

Like the LLM engines, the model runs outside the coordinator. The child
(``runtime.engines.embedding_worker``) starts on the first request, serves every later one, and
is stopped at exit (or dies with the coordinator), so the coordinator process never
imports torch and its memory stays that of its own state.

>>> engine = EmbeddingEngine()                      # doctest: +SKIP
>>> engine.embed(["a sentence", "another"]).shape   # doctest: +SKIP
(2, 384)
>>> engine.close()                                  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from runtime.engines.embedding_worker import DIM, read_frame, write_frame
from runtime.engines.llama_cpp import EngineError
from runtime.engines.proc_stats import cpu_seconds, peak_rss_mb
from runtime.engines.weights import minilm_dir

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds runtime/


class EmbeddingEngineError(EngineError):
    """The embedding worker failed a request, or exited."""


class EmbeddingEngine:
    """A child process holding the model; ``embed`` sends it texts and reads back vectors."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()  # one request on the pipe at a time

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        minilm_dir()  # a missing model package raises WeightsMissing here, in the caller's process
        path = os.pathsep.join(p for p in (str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runtime.engines.embedding_worker", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )

    def warm_up(self) -> threading.Thread:
        """Start the worker now and load its model in a background thread, so the first real
        ``embed`` does not wait for it (the coordinator calls this while the engines annotate seeds).

        The worker is started here, in the caller's thread, not in the background one: the
        kernel's parent-death signal follows the thread that started a child, so a worker
        started by a thread that then ends would be killed with it. A later ``embed`` waits
        for the load; if the load failed, that call starts the worker again and raises the
        error in its caller.
        """
        with self._lock:
            if not self.alive():
                self.start()

        def load() -> None:
            try:
                self.embed(["warm up"])
            except Exception:  # noqa: BLE001 -- raised again, to its caller, by the next embed
                pass

        thread = threading.Thread(target=load, name="embedding-warm-up", daemon=True)
        thread.start()
        return thread

    def cpu_seconds(self) -> float | None:
        """CPU time the worker has used so far, or None when it is not running."""
        return cpu_seconds(self.proc.pid) if self.alive() else None

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (``DIM`` columns); starts the worker if needed."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            if not self.alive():
                self.start()
            try:
                answer, body = self._request({"texts": list(texts), "batch_size": batch_size})
            except BaseException:  # a half-read answer would garble the next one: start afresh next time
                self._stop()
                raise
        if "error" in answer:
            raise EmbeddingEngineError(f"embedding engine: {answer['error']}")
        return np.frombuffer(body, dtype="<f4").reshape(answer["rows"], answer["dim"]).astype(np.float32)

    def _request(self, request: dict) -> tuple[dict, bytes | None]:
        """Send one request and read its whole answer: (header, vector bytes or None after an error)."""
        try:
            write_frame(self.proc.stdin, json.dumps(request).encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ConnectionResetError):
            raise EmbeddingEngineError("embedding engine: the worker exited") from None
        head = read_frame(self.proc.stdout)
        answer = json.loads(head) if head is not None else None
        body = read_frame(self.proc.stdout) if answer is not None and "error" not in answer else None
        if answer is None or ("error" not in answer and body is None):
            raise EmbeddingEngineError(f"embedding engine: the worker exited (code {self.proc.wait()})")
        return answer, body

    def peak_rss_mb(self) -> float | None:
        """The worker's peak resident memory so far, or None when it is not running."""
        return peak_rss_mb(self.proc.pid) if self.alive() else None

    def close(self, grace: float = 10.0) -> None:
        """Stop the worker: end of input tells it to exit; one still running after ``grace`` seconds is killed."""
        with self._lock:
            self._stop(grace)

    def _stop(self, grace: float = 10.0) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_shared: EmbeddingEngine | None = None
_shared_lock = threading.Lock()


def shared_engine() -> EmbeddingEngine:
    """The process-wide engine, created on first use and closed at interpreter exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EmbeddingEngine()
            atexit.register(_shared.close)
        return _shared
