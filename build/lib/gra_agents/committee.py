"""The committee rule of GRA (paper §3.2): turn reviewers' scores into a decision.

>>> v = verdict([[9, 10, 10, 10, 10, 10], [9, 9, 10, 10, 10, 10], [6, 4, 5, 4, 5, 3]])
>>> v.decision, v.mean, round(v.std, 4)
('adjudicate', 8.0, 2.4758)

Arithmetic is exact (fractions), so a mean of exactly τ is accepted, never lost to
floating-point rounding. A sheet may hold sampled integers (the paper) or the floats of an
expected or calibrated reading (:mod:`runtime.pipeline.reading`); each float counts as the
decimal it prints as.

The paper's ablations (§4.3) swap the adjudicator for a plainer rule: ``majority`` settles
a dispute by how many reviewers' averages reach τ, ``mean`` lets μ alone decide.

>>> verdict([[9, 10, 10, 10, 10, 10], [9, 9, 10, 10, 10, 10], [6, 4, 5, 4, 5, 3]], vote="majority").decision
'accept'
>>> verdict([[10] * 6, [10] * 6, [4] * 6], vote="mean").decision
'accept'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from signatures.vocabulary import Score

Decision = Literal["accept", "reject", "adjudicate"]
#: How a dispute (μ ≥ τ, σ > δ) is settled: by the adjudicator (the paper), by the reviewers'
#: majority, or not at all (μ alone decides, σ is ignored).
Vote = Literal["adjudicator", "majority", "mean"]
VOTES: tuple[str, ...] = Vote.__args__

DEFAULT_TAU = 8.0
DEFAULT_DELTA = 1.5


@dataclass(frozen=True)
class Verdict:
    """What the reviewers decided about one response.

    ``averages`` holds each reviewer's mean score; ``mean`` (μ) is the mean of those
    and ``std`` (σ) their population standard deviation.
    """

    decision: Decision
    mean: float
    std: float
    averages: tuple[float, ...]


def _exact(x: float | int | Fraction) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(str(x))


def _average(scores: Sequence[float | int]) -> Fraction:
    """The exact mean of one sheet: sampled integer scores, or the floats of an expected or calibrated reading."""
    return sum((_exact(x) for x in scores), Fraction(0)) / len(scores)


def verdict(
    scores: Sequence[Sequence[int]], tau: float = DEFAULT_TAU, delta: float = DEFAULT_DELTA, vote: Vote = "adjudicator"
) -> Verdict:
    """Apply the committee rule to each reviewer's list of scores.

    μ < τ rejects; μ ≥ τ and σ ≤ δ accepts; μ ≥ τ and σ > δ goes to the adjudicator, or,
    under ``vote="majority"``, is accepted when more than half the reviewers' averages
    reach τ. Under ``vote="mean"``, μ ≥ τ accepts whatever σ.
    """
    if vote not in VOTES:
        raise ValueError(f"vote must be one of {', '.join(VOTES)}, got {vote!r}")
    if not scores or any(len(s) == 0 for s in scores):
        raise ValueError("verdict needs at least one reviewer with at least one score")
    averages = [_average(s) for s in scores]
    mean = sum(averages, Fraction(0)) / len(averages)
    variance = sum(((a - mean) ** 2 for a in averages), Fraction(0)) / len(averages)
    std = math.sqrt(variance)
    if mean < _exact(tau):
        decision: Decision = "reject"
    elif vote == "mean" or variance <= _exact(delta) ** 2:
        decision = "accept"
    elif vote == "majority":
        decision = "accept" if 2 * sum(a >= _exact(tau) for a in averages) > len(averages) else "reject"
    else:
        decision = "adjudicate"
    return Verdict(decision, float(mean), std, tuple(float(a) for a in averages))


#: The highest score a reviewer can give (``signatures.vocabulary.Score``).
MAX_SCORE = max(Score.__args__)


def rejected_already(
    scores: Sequence[Sequence[int]], n_reviewers: int, tau: float = DEFAULT_TAU, top: int = MAX_SCORE
) -> bool:
    """Whether the reviews in so far already fix μ < τ: even ``top`` on every score of the rest leaves μ below τ.

    Every vote rejects μ < τ, so the other reviewers' calls cannot change the decision and
    may be skipped (``--early-exit``). The other certainty, a dispute (μ ≥ τ and σ > δ
    whatever the rest give), is not used: the adjudicator reads every review, so sending it
    a partial set would change what it decides on.

    >>> rejected_already([[3] * 6], 3)  # (3 + 10 + 10) / 3 = 7.67 < 8
    True
    >>> rejected_already([[6] * 6], 3)  # (6 + 10 + 10) / 3 = 8.67: the others could still lift μ to τ
    False
    """
    if not 0 < len(scores) <= n_reviewers:
        raise ValueError(f"need between 1 and {n_reviewers} reviewers' scores, got {len(scores)}")
    so_far = sum((_average(s) for s in scores), Fraction(0))
    return (so_far + (n_reviewers - len(scores)) * top) / n_reviewers < _exact(tau)


def adjudication_accepts(scores: Sequence[int], tau: float = DEFAULT_TAU) -> bool:
    """The adjudicator's rule: accept iff the average of its own scores is at least τ."""
    if not scores:
        raise ValueError("adjudication needs at least one score")
    return _average(scores) >= _exact(tau)
