"""Coverage: where the kept samples lie against the seeds, in the run's own embedding space.

The vectors are the run's MiniLM instruction embeddings (instruction and input, the text
deduplication compares), read from the dedup index ``index/dedup.bin`` when it holds them
and recomputed with the same embedder otherwise.

The number is the **share beyond the seeds**: let *m* be the median, over the seeds, of
each seed's cosine distance to its nearest *other* seed (how far apart the seeds
themselves lie). A kept sample is beyond the seeds when its nearest seed is farther than
*m*. About half of a set drawn like the seeds would be; a run that only paraphrases its
seeds scores near 0, one that explores new ground well above 0.5.

The map projects seeds and kept samples together to 2-D with t-SNE (as the paper's
Figures 5-6 do); distances on it are only locally meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.pipeline.dedup import DedupIndex
from runtime.pipeline.embedding import embed, sample_text
from runtime.storage.status import Status
from runtime.storage.store import Store


@dataclass(frozen=True)
class Coverage:
    seeds: np.ndarray  # (n_seeds, 2) t-SNE coordinates
    kept: np.ndarray  # (n_kept, 2)
    seed_spacing: float  # m: median cosine distance of a seed to its nearest other seed
    nearest_seed: np.ndarray  # each kept sample's cosine distance to its nearest seed

    @property
    def share_beyond(self) -> float | None:
        """Share of kept samples whose nearest seed is farther than ``seed_spacing``."""
        return float(np.mean(self.nearest_seed > self.seed_spacing)) if len(self.nearest_seed) else None


def vectors(store: Store, run_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of the annotated seeds and of the kept samples: stored ones if the index has them all."""
    seed_rows = store.seeds("status = 'annotated'")
    kept_rows = store.samples("status = ?", [Status.ACCEPTED], order_by="id")
    labels = dict(((r["kind"], r["ref"]), r["label"]) for r in store.db["index_items"].rows)
    keys = [("seed", r["id"]) for r in seed_rows] + [("sample", r["id"]) for r in kept_rows]
    path = run_dir / "index" / "dedup.bin"
    if path.is_file() and keys and all(k in labels for k in keys):
        both = DedupIndex.load(path).vectors([labels[k] for k in keys])
    elif keys:
        both = embed([sample_text(r["instruction"], r["input"] or "") for r in seed_rows + kept_rows])
    else:
        both = np.zeros((0, 384), dtype=np.float32)
    return both[: len(seed_rows)], both[len(seed_rows) :]


def seed_spacing(seeds: np.ndarray) -> float:
    """Median over the seeds of the cosine distance to the nearest other seed.

    >>> round(seed_spacing(np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])), 2)
    0.2
    """
    if len(seeds) < 2:
        return float("nan")
    distance = 1.0 - seeds @ seeds.T
    np.fill_diagonal(distance, np.inf)
    return float(np.median(distance.min(axis=1)))


def nearest_seed_distance(seeds: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Each kept sample's cosine distance to its nearest seed."""
    if len(kept) == 0 or len(seeds) == 0:
        return np.zeros(0)
    return (1.0 - kept @ seeds.T).min(axis=1)


def project(points: np.ndarray, seed: int = 0) -> np.ndarray:
    """2-D t-SNE of unit vectors (cosine metric); perplexity fitted to small sets."""
    from sklearn.manifold import TSNE

    if len(points) < 3:
        return np.zeros((len(points), 2))
    perplexity = min(30.0, (len(points) - 1) / 3)
    return TSNE(2, perplexity=perplexity, metric="cosine", init="pca", random_state=seed).fit_transform(points)


def coverage(store: Store, run_dir: Path) -> Coverage:
    """The coverage map and the share beyond the seeds of one run."""
    seeds, kept = vectors(store, run_dir)
    xy = project(np.vstack([seeds, kept]))
    return Coverage(xy[: len(seeds)], xy[len(seeds) :], seed_spacing(seeds), nearest_seed_distance(seeds, kept))
