"""The embedding model's own process: batches of texts in on stdin, unit vectors out on stdout.

``runtime.engines.embedding`` starts it as ``python -m runtime.engines.embedding_worker PARENT_PID``,
so that torch and sentence-transformers (most of a coordinator's memory) live here and
never in the coordinator. It dies with its parent: it exits at end of input, and the
kernel sends it SIGTERM when the parent dies (PR_SET_PDEATHSIG), even by SIGKILL. (Linux
ties that signal to the parent *thread* that started the worker: started from a short-lived
thread, it would end with that thread, and the engine would start another on the next call.)

The wire is a sequence of frames, each an 8-byte little-endian length and that many bytes:

- request: one JSON frame ``{"texts": [...], "batch_size": 64}``;
- answer: a JSON frame ``{"rows": n, "dim": 384}`` then a frame of ``n × dim`` little-endian
  float32 in row order, or a single JSON frame ``{"error": "..."}``.

:func:`encode` is the same model called in the current process (what the worker runs,
and what tests compare the worker with).
"""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
from functools import lru_cache
from typing import BinaryIO

import numpy as np

from runtime.engines.parent_death import die_with_parent
from runtime.engines.proc_stats import thread_ids
from runtime.engines.weights import minilm_dir

DIM = 384
_LENGTH = struct.Struct("<Q")


#: The worker's nice level: below the engines (nice 0), so a busy engine keeps most of its core, yet always
#: above nothing: unlike SCHED_IDLE, a nice process still gets its share when other programs hold every core
#: (Linux weighs nice 5 at 335 against 1024 for nice 0: about a quarter of a core shared with one busy program).
NICE = 5


def share_cpu_with_engines(nice: int = NICE) -> None:
    """Run this process (and the threads it starts later) at ``nice``, on one compute thread.

    The worker loads its model while the engines annotate seeds and embeds while they
    decode. At a nice level it yields most of a contended core to them, but it is never
    starved: ``SCHED_IDLE``, tried before, runs only when nothing else wants the CPU, and on
    a machine where other programs keep every core busy that is never (the run hung,
    waiting for its first embedding). One thread: a second would spin on a core an engine
    is using. Linux only; elsewhere it is a no-op.
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not hasattr(os, "setpriority"):
        return
    # The nice level is per thread on Linux; threads started later inherit it, and numpy's BLAS
    # pool already runs by now, so every thread there is gets it too.
    for tid in thread_ids(os.getpid()):
        try:
            os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), nice))
        except ProcessLookupError:  # a thread that just ended
            pass


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's bytes, or None at end of input (or a frame cut short by it)."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (n,) = _LENGTH.unpack(head)
    body = stream.read(n)
    return body if len(body) == n else None


@lru_cache(maxsize=1)
def load_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    import torch

    torch.set_num_threads(1)
    return SentenceTransformer(str(minilm_dir()), device="cpu")


def encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text, computed in this process."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = load_model().encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer requests until end of input; a failed request answers an error and the loop goes on."""
    while (frame := read_frame(requests)) is not None:
        try:
            request = json.loads(frame)
            vectors = encode(request["texts"], request.get("batch_size", 64))
            head, body = {"rows": vectors.shape[0], "dim": vectors.shape[1]}, vectors.astype("<f4").tobytes()
        except Exception as exc:  # reported to the caller, who raises it
            head, body = {"error": f"{type(exc).__name__}: {exc}"}, None
        write_frame(answers, json.dumps(head).encode())
        if body is not None:
            write_frame(answers, body)
        answers.flush()


def main() -> None:
    if not die_with_parent(int(sys.argv[1]), signal.SIGTERM):
        sys.exit(0)
    share_cpu_with_engines()
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to stderr and cannot corrupt the wire
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
