"""What a resumed run re-derives from the database instead of trusting files on disk.

The database is the record; ``index/dedup.bin`` and ``data.jsonl`` are derived from it.
A crash can leave either one behind the database (killed before the index was saved) or
ahead of it (saved, then killed before the transaction committed), so on resume:

* the index must hold exactly the labels of ``index_items``, and a random handful of its
  vectors must match a fresh embedding of their texts; otherwise it is repaired (the
  missing items embedded and added) or, if it holds anything the database does not,
  rebuilt from the database;
* ``data.jsonl`` is rewritten from the accepted rows (:func:`runtime.storage.export.write_data`).
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from runtime.pipeline.dedup import DedupIndex
from runtime.pipeline.embedding import embed, sample_text
from runtime.storage.store import Store

#: How many stored vectors are re-embedded and compared when an index is verified.
SPOT_CHECKS = 16
#: Cosine between a stored vector and a fresh embedding of the same text, below which the index is rebuilt.
MIN_AGREEMENT = 0.999


def index_texts(store: Store, labels: list[int] | None = None) -> dict[int, str]:
    """label → the text that was embedded for it (a seed's or a sample's instruction and input)."""
    return {lb: sample_text(ins, inp) for lb, (ins, inp) in store.index_texts(labels).items()}


def _add(index: DedupIndex, texts: dict[int, str]) -> None:
    if texts:
        labels = sorted(texts)
        index.add(embed([texts[lb] for lb in labels]), labels)


def _rebuilt(store: Store, path: Path, why: str) -> tuple[DedupIndex, str]:
    """A new index of every ``index_items`` row, embedded from the database and saved over ``path``."""
    index = DedupIndex()
    _add(index, index_texts(store))
    index.save(path)
    return index, f"rebuilt: {why}"


def verified_index(store: Store, path: Path, seed: int = 0) -> tuple[DedupIndex, str]:
    """The run's dedup index, checked against the database (and saved if it had to change).

    Returns the index and one line saying what was found: ``new``, ``verified``,
    ``repaired`` or ``rebuilt``.
    """
    expected = store.index_labels()
    if not path.exists():
        if not expected:
            return DedupIndex(), "new"
        return _rebuilt(store, path, f"{path} was missing; {len(expected)} items re-embedded from the database")
    try:
        index = DedupIndex.load(path)
        held = set(index.labels())
    except RuntimeError as exc:
        return _rebuilt(store, path, f"{path} could not be read ({exc})")
    if not held <= expected:  # written ahead of a transaction that never committed
        return _rebuilt(store, path, f"{path} held {len(held - expected)} items the database does not")
    checked = random.Random(seed).sample(sorted(held), min(SPOT_CHECKS, len(held)))
    if checked:
        texts = index_texts(store, checked)
        fresh = embed([texts[lb] for lb in checked])
        agreement = float(np.min(np.sum(fresh * index.vectors(checked), axis=1)))
        if agreement < MIN_AGREEMENT:
            return _rebuilt(store, path, f"{path} vectors do not match their texts (cosine {agreement:.3f})")
    missing = expected - held
    if missing:
        _add(index, index_texts(store, sorted(missing)))
        index.save(path)
        return index, f"repaired: {len(missing)} items the database had were missing from {path}"
    return index, f"verified: {len(held)} items, {len(checked)} re-embedded and matched"
