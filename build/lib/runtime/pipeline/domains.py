"""Domains by embedding: the nearest domain centroid of the labelled demo bank.

The demo bank (:mod:`gra_agents.demo_bank`) holds several hand-written tasks per domain.
Their MiniLM embeddings, averaged per domain, give one centroid each; a task's domain is
the centroid nearest to its instruction and input. It costs no model call, and it decides
the same way for every member, which a small annotator does not (the README's "Domains"
gives both classifiers' accuracy on labelled examples).

It classifies seeds (``SynthConfig.seed_domains``) and checks each generated instruction
against the domain its generator was asked for (``SynthConfig.domain_check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from gra_agents.demo_bank import CHECKS, JUDGED
from runtime.pipeline.embedding import embed, sample_text


def labelled_tasks() -> list[tuple[str, str]]:
    """``(domain, text)`` of every task of the demo bank, instruction checks and judged responses alike."""
    tasks = [(d, sample_text(e.instruction, e.input)) for d, bank in CHECKS.items() for e in bank]
    return tasks + [(d, sample_text(e["instruction"], e["input"])) for d, bank in JUDGED.items() for e in bank]


@cache
def centroids() -> tuple[tuple[str, ...], np.ndarray]:
    """The domains, sorted, and their unit-length centroids (one row each)."""
    tasks = labelled_tasks()
    vectors = embed([text for _, text in tasks])
    domains = tuple(sorted({d for d, _ in tasks}))
    rows = np.stack([vectors[[i for i, (d, _) in enumerate(tasks) if d == domain]].mean(axis=0) for domain in domains])
    return domains, rows / np.linalg.norm(rows, axis=1, keepdims=True)


def classify(tasks: Sequence[tuple[str, str]]) -> list[str]:
    """The nearest domain of each ``(instruction, input)``."""
    if not tasks:
        return []
    domains, rows = centroids()
    nearest = np.argmax(embed([sample_text(i, x) for i, x in tasks]) @ rows.T, axis=1)
    return [domains[int(j)] for j in nearest]
