"""The persisted hnswlib index behind deduplication (paper §3.3).

Accepted samples are visited in descending μ; each is dropped as a duplicate when its
cosine similarity to anything already kept (seeds, earlier rounds, higher-μ samples of
this round) is at least the threshold, otherwise it is kept and added to the index.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import hnswlib
import numpy as np

DEFAULT_THRESHOLD = 0.9


@dataclass(frozen=True)
class DedupDecision:
    key: str
    kept: bool
    nearest: int | None  # label of the most similar kept item, if any
    similarity: float | None


class DedupIndex:
    """A cosine hnswlib index whose integer labels the caller assigns (and persists elsewhere)."""

    def __init__(self, dim: int = 384, capacity: int = 1024, ef: int = 200, m: int = 32):
        self.dim, self._ef = dim, ef
        self.index = hnswlib.Index(space="cosine", dim=dim)
        self.index.init_index(max_elements=capacity, ef_construction=ef, M=m)
        self.index.set_ef(ef)

    def __len__(self) -> int:
        return self.index.get_current_count()

    def add(self, vectors: np.ndarray, labels: Sequence[int]) -> None:
        if len(labels) == 0:
            return
        needed = len(self) + len(labels)
        if needed > self.index.get_max_elements():
            self.index.resize_index(max(needed, 2 * self.index.get_max_elements()))
        self.index.add_items(np.asarray(vectors, dtype=np.float32), np.asarray(labels, dtype=np.int64))

    def nearest(self, vector: np.ndarray) -> tuple[int, float] | None:
        """The label and cosine similarity of the closest item, or None when empty."""
        if len(self) == 0:
            return None
        labels, distances = self.index.knn_query(np.asarray(vector, dtype=np.float32).reshape(1, -1), k=1)
        return int(labels[0][0]), float(1.0 - distances[0][0])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        self.index.save_index(str(tmp))
        os.replace(tmp, path)  # a reader never sees half an index

    @classmethod
    def load(cls, path: Path, dim: int = 384, ef: int = 200) -> DedupIndex:
        new = cls.__new__(cls)
        new.dim, new._ef = dim, ef
        new.index = hnswlib.Index(space="cosine", dim=dim)
        new.index.load_index(str(path), allow_replace_deleted=False)
        new.index.set_ef(ef)
        return new


def deduplicate(
    index: DedupIndex,
    items: Sequence[tuple[str, float, np.ndarray]],
    new_label: Callable[[str], int],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[DedupDecision]:
    """Visit ``items`` (key, μ, unit vector) in descending μ and keep or drop each.

    Kept items are added to ``index`` under the label ``new_label(key)`` before the next
    item is checked, so two near-identical samples of the same batch keep only the
    higher-μ one. Ties in μ keep the input order.
    """
    decisions = []
    for key, _mean, vector in sorted(items, key=lambda t: -t[1]):
        hit = index.nearest(vector)
        if hit is not None and hit[1] >= threshold:
            decisions.append(DedupDecision(key, False, hit[0], hit[1]))
            continue
        index.add(vector.reshape(1, -1), [new_label(key)])
        decisions.append(DedupDecision(key, True, hit[0] if hit else None, hit[1] if hit else None))
    return decisions
