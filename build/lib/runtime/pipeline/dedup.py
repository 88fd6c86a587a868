"""The persisted hnswlib index behind deduplication (paper §3.3).

Accepted samples are visited in descending μ; each is dropped as a duplicate when its
cosine similarity to anything already kept (seeds, earlier rounds, higher-μ samples of
this round) is at least the threshold, otherwise it is kept and added to the index.

The pass works in blocks so that it costs a few large calls instead of one small call per
sample: a block of B samples asks the index (as it stood before the block) for every
sample's nearest neighbour in one multithreaded ``knn_query``, settles the conflicts
*inside* the block exactly with one B×B matrix product, visited in order, and adds the
block's survivors with one ``add_items``. The decisions are those of visiting the samples
one at a time, because a sample can only collide with what was kept before it: the index
covers everything before the block, the matrix product the survivors earlier in the block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import hnswlib
import numpy as np

from runtime.files import atomic_path

DEFAULT_THRESHOLD = 0.9


@dataclass(frozen=True)
class DedupDecision:
    key: str
    kept: bool
    nearest: int | None  # label of the most similar kept item, if any
    similarity: float | None


class DedupIndex:
    """A cosine hnswlib index whose integer labels the caller assigns (and persists elsewhere).

    ``ef`` is the search breadth of queries, ``m`` and ``ef_construction`` shape the graph.
    Deduplication only asks whether some kept item lies within cosine 0.9, and such close
    neighbours are easy for hnswlib to find, so a light graph suffices: the defaults make
    the same keep/drop decisions as exact brute force (``bench/throughput.py`` checks it).
    """

    def __init__(self, dim: int = 384, capacity: int = 1024, ef: int = 64, m: int = 24, ef_construction: int = 100):
        self.dim, self._ef = dim, ef
        self.index = hnswlib.Index(space="cosine", dim=dim)
        self.index.init_index(max_elements=capacity, ef_construction=ef_construction, M=m)
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

    def labels(self) -> list[int]:
        """Every label the index holds."""
        return [int(x) for x in self.index.get_ids_list()]

    def vectors(self, labels: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``labels``, unit length (hnswlib's cosine space keeps them normalised)."""
        stored = np.asarray(self.index.get_items(list(labels)), dtype=np.float32)
        return stored / np.linalg.norm(stored, axis=1, keepdims=True)

    def nearest(self, vector: np.ndarray) -> tuple[int, float] | None:
        """The label and cosine similarity of the closest item, or None when empty."""
        labels, similarities = self.nearest_many(np.asarray(vector).reshape(1, -1))
        return None if labels[0] < 0 else (int(labels[0]), float(similarities[0]))

    def nearest_many(self, vectors: np.ndarray, num_threads: int = -1) -> tuple[np.ndarray, np.ndarray]:
        """For each row, the label and cosine similarity of its closest item, in one (threaded) query.

        An empty index answers label -1 and similarity -inf for every row, so that any
        comparison with a threshold reads "no duplicate".
        """
        n = len(vectors)
        if len(self) == 0 or n == 0:
            return np.full(n, -1, dtype=np.int64), np.full(n, -np.inf, dtype=np.float32)
        labels, distances = self.index.knn_query(np.asarray(vectors, dtype=np.float32), k=1, num_threads=num_threads)
        return labels[:, 0].astype(np.int64), (1.0 - distances[:, 0]).astype(np.float32)

    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            self.index.save_index(str(tmp))

    @classmethod
    def load(cls, path: Path, dim: int = 384, ef: int = 64) -> DedupIndex:
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
    block: int = 2048,
    num_threads: int = -1,
    advance: Callable[[int], None] = lambda n: None,
) -> list[DedupDecision]:
    """Visit ``items`` (key, μ, unit vector) in descending μ and keep or drop each.

    Returns one decision per item, in visiting order. Ties in μ keep the input order.
    A kept item is added to ``index`` under ``new_label(key)``; labels are asked for in
    visiting order, one per kept item. An item is dropped when its cosine similarity to
    anything kept before it (already in the index, or kept earlier in this call) is at
    least ``threshold``, so of two near-identical items only the higher-μ one survives.

    ``nearest``/``similarity`` name the most similar item kept before the decision (None
    when nothing was). When that item was kept earlier in the same block, the similarity
    is the exact float32 dot product rather than hnswlib's distance; the two may differ in
    the 7th decimal. ``block`` (≥ 1) and ``num_threads`` change the speed, not the decisions.
    ``advance(n)`` is told after each block how many items it settled (a progress bar).
    """
    ordered = sorted(items, key=lambda t: -t[1])
    decisions: list[DedupDecision] = []
    for start in range(0, len(ordered), block):
        chunk = ordered[start : start + block]
        vectors = np.stack([np.asarray(v, dtype=np.float32).ravel() for _, _, v in chunk])
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # cosine, as hnswlib's space is
        labels, similarities = index.nearest_many(vectors, num_threads)
        kept, row = settle_block(vectors, similarities, threshold)
        new = {j: new_label(chunk[j][0]) for j in np.flatnonzero(kept)}  # asked in visiting order
        for j, (key, _mean, _vector) in enumerate(chunk):
            label = new[row[j]] if row[j] >= 0 else (int(labels[j]) if labels[j] >= 0 else None)
            similarity = float(similarities[j]) if label is not None else None
            decisions.append(DedupDecision(key, bool(kept[j]), label, similarity))
        index.add(vectors[kept], list(new.values()))
        advance(len(chunk))
    return decisions


def settle_block(vectors: np.ndarray, similarities: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Decide the rows of one block in order, exactly.

    ``similarities[j]`` is row ``j``'s best similarity to what was kept before the block
    (-inf for nothing); it is raised in place whenever a row kept earlier in the block is
    closer. Returns ``(kept, row)``: the mask of kept rows, and for each row the earlier
    kept row it is closest to, or -1 when its closest kept item lies outside the block.

    >>> v = np.array([[1, 0], [0.96, 0.28], [0, 1]], dtype=np.float32)  # row 1 is 0.96 from row 0
    >>> kept, row = settle_block(v, np.full(3, -np.inf, dtype=np.float32), 0.9)
    >>> kept.tolist(), row.tolist()
    ([True, False, True], [-1, 0, 0])
    """
    gram = vectors @ vectors.T
    kept = np.zeros(len(vectors), dtype=bool)
    row = np.full(len(vectors), -1, dtype=np.int64)
    for j in range(len(vectors)):
        if similarities[j] >= threshold:
            continue  # a duplicate: what comes later is compared only with kept rows
        kept[j] = True
        to_j, best = gram[j, j + 1 :], similarities[j + 1 :]
        closer = to_j > best
        best[closer] = to_j[closer]
        row[j + 1 :][closer] = j
    return kept, row
