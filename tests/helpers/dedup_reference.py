"""Two reference deduplications that the production pass (``runtime.pipeline.dedup.deduplicate``) must agree with.

``one_at_a_time`` is the original pass, kept verbatim: one hnswlib query and one insert per
item. ``brute_force`` computes the same decisions with exact cosine over everything kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from runtime.pipeline.dedup import DedupDecision, DedupIndex


def one_at_a_time(
    index: DedupIndex,
    items: Sequence[tuple[str, float, np.ndarray]],
    new_label: Callable[[str], int],
    threshold: float = 0.9,
) -> list[DedupDecision]:
    """Visit in descending μ; query the index, then keep (and insert) or drop, item by item."""
    decisions = []
    for key, _mean, vector in sorted(items, key=lambda t: -t[1]):
        hit = index.nearest(vector)
        if hit is not None and hit[1] >= threshold:
            decisions.append(DedupDecision(key, False, hit[0], hit[1]))
            continue
        index.add(vector.reshape(1, -1), [new_label(key)])
        decisions.append(DedupDecision(key, True, hit[0] if hit else None, hit[1] if hit else None))
    return decisions


def brute_force(
    prior: np.ndarray, items: Sequence[tuple[str, float, np.ndarray]], threshold: float = 0.9
) -> dict[str, bool]:
    """Key → kept, by exact cosine against ``prior`` (already kept) and every item kept before it."""
    kept = np.zeros((len(prior) + len(items), prior.shape[1]), dtype=np.float64)
    kept[: len(prior)] = prior
    n, out = len(prior), {}
    for key, _mean, vector in sorted(items, key=lambda t: -t[1]):
        out[key] = n == 0 or float((kept[:n] @ vector).max()) < threshold
        if out[key]:
            kept[n], n = vector, n + 1
    return out
