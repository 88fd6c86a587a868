"""Copies: a generated instruction that repeats an example its generator was shown.

Small generators often hand back one of their few-shot demos nearly verbatim. Such a
candidate is settled as ``duplicate`` of the example before any judge is called, with
the same embeddings and the same cosine threshold as deduplication.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from runtime.pipeline.embedding import embed, sample_text


def copied_from(
    instruction: str, input: str, shown: Sequence[dict[str, Any]], threshold: float
) -> tuple[str, float] | None:
    """``(ref, cosine)`` of the shown row most like the generated text, if it is at least ``threshold``.

    ``shown`` are the pool rows the generator saw (dicts with ``ref``, ``instruction`` and
    ``input``); None when nothing shown comes that close. Instructions are compared alone
    as well as with their inputs: a shown instruction handed back with a made-up input is
    still a copy.
    """
    if not shown:
        return None
    texts = [sample_text(instruction, input)] + [sample_text(r["instruction"], r["input"]) for r in shown]
    texts += [instruction] + [r["instruction"] for r in shown]
    vectors = embed(texts)
    n = len(shown) + 1
    with_inputs = vectors[1:n] @ vectors[0]
    alone = vectors[n + 1 :] @ vectors[n]
    similarities = np.maximum(with_inputs, alone)
    best = int(np.argmax(similarities))
    similarity = float(similarities[best])
    return (shown[best]["ref"], similarity) if similarity >= threshold else None
