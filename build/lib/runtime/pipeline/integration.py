"""Integrated data (the paper's §5.3, Table 2): refined seeds and a synth run's kept samples, deduplicated.

The rows are visited in descending μ under the run's own rule (:func:`deduplicate`): a row at
cosine ≥ the threshold to a row kept before it is dropped, so of two near-identical rows
the one its committee scored higher stays. Ties keep the input order, refined seeds first.
"""

from __future__ import annotations

import itertools
from typing import Any

from runtime.pipeline.dedup import DedupIndex, deduplicate
from runtime.pipeline.embedding import embed, sample_text


def integrate(
    refined: list[dict[str, Any]], synthetic: list[dict[str, Any]], threshold: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(kept, dropped)``: every row tagged with its ``source``, kept ones in input order.

    A dropped row names the row it repeats in ``duplicate_of`` (``source:id``) and the cosine
    ``similarity``.
    """
    rows = [r | {"source": "refined"} for r in refined] + [r | {"source": "synth"} for r in synthetic]
    if not rows:
        return [], []
    vectors = embed([sample_text(r["instruction"], r.get("input", "")) for r in rows])
    items = [(str(i), r.get("mean") or 0.0, v) for i, (r, v) in enumerate(zip(rows, vectors, strict=True))]
    labels, owner = itertools.count(), {}

    def new_label(key: str) -> int:
        owner[label := next(labels)] = int(key)
        return label

    decisions = {d.key: d for d in deduplicate(DedupIndex(vectors.shape[1], len(rows)), items, new_label, threshold)}
    kept, dropped = [], []
    for i, row in enumerate(rows):
        d = decisions[str(i)]
        if d.kept:
            kept.append(row)
        else:
            twin = rows[owner[d.nearest]]
            dropped.append(row | {"duplicate_of": f"{twin['source']}:{twin['id']}", "similarity": d.similarity})
    return kept, dropped
