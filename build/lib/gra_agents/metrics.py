"""What a compiled role is scored on: agreement with labels, in DSPy's metric shape.

Every metric takes ``(example, prediction, trace=None)`` as DSPy's optimizers call it, and
also the two extra arguments GEPA passes, and returns a score in [0, 1]; GEPA is handed a
:class:`dspy.Prediction` with ``score`` and ``feedback`` (:func:`with_feedback`).

A judge is rewarded for the decision its label calls for, not for accepting: on a balanced
set, accepting everything scores 0.5, like rejecting everything. The instructions of a judge
set are real tasks, so a check that fails one is an error too, whatever the label.

>>> from dspy import Example, Prediction
>>> right = Example(correct=True)
>>> judge_agreement(right, Prediction(checks=[1, 1, 1], scores=[9] * 6))
1.0
>>> judge_agreement(right, Prediction(checks=[1, 0, 1], scores=None))
0.0
>>> judge_agreement(Example(correct=False), Prediction(scores=[3] * 6))
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dspy

from gra_agents.committee import DEFAULT_TAU, adjudication_accepts


def judged_accepts(prediction: Any, tau: float = DEFAULT_TAU) -> bool:
    """Whether one judge's prediction accepts: every check it made passed and its scores average ≥ τ."""
    checks = getattr(prediction, "checks", None) or []
    scores = getattr(prediction, "scores", None)
    return all(checks) and bool(scores) and adjudication_accepts(scores, tau)


def judge_agreement(example: Any, prediction: Any, trace: Any = None, *_: Any, tau: float = DEFAULT_TAU) -> float:
    """1.0 when the judge's decision is the label's (accept a right response, reject a wrong one), else 0.0.

    A wrong response turned away by a failed instruction check does not count as caught:
    judge-set instructions are sound, so the check itself was the mistake.
    """
    checks = getattr(prediction, "checks", None)
    if checks is not None and not all(checks):
        return 0.0
    return float(judged_accepts(prediction, tau) == bool(example.correct))


def domain_accuracy(example: Any, prediction: Any, trace: Any = None, *_: Any) -> float:
    """1.0 when the annotator names the labelled domain."""
    return float(getattr(prediction, "domain", None) == example.domain)


def judge_feedback(example: Any, prediction: Any) -> str:
    """Why a judge's decision was right or wrong, in words GEPA's reflection model can act on."""
    checks = getattr(prediction, "checks", None)
    scores = getattr(prediction, "scores", None)
    label = "right" if example.correct else "wrong"
    error = f" ({example.error})" if not example.correct and example.get("error") else ""
    if checks is not None and not all(checks):
        return f"The instruction is a sound task, but a check failed it ({checks}). The response was {label}{error}."
    mean = sum(scores) / len(scores) if scores else None
    verdict = "accepted" if judged_accepts(prediction) else "rejected"
    return f"The response was {label}{error}; the judge {verdict} it with mean score {mean}."


def domain_feedback(example: Any, prediction: Any) -> str:
    return f"The labelled domain is {example.domain}; the annotator said {getattr(prediction, 'domain', None)}."


def with_feedback(metric: Callable[..., float], explain: Callable[[Any, Any], str]) -> Callable[..., Any]:
    """``metric`` as GEPA calls it: a Prediction with the score and a sentence of feedback."""

    def scored(example, prediction, trace=None, pred_name=None, pred_trace=None):
        return dspy.Prediction(score=metric(example, prediction, trace), feedback=explain(example, prediction))

    return scored


#: The default metric of each role that has labels to agree with.
DEFAULT_METRICS: dict[str, tuple[Callable[..., float], Callable[[Any, Any], str]]] = {
    "reviewer": (judge_agreement, judge_feedback),
    "adjudicator": (judge_agreement, judge_feedback),
    "team": (judge_agreement, judge_feedback),
    "annotator": (domain_accuracy, domain_feedback),
}
