"""The generator's metric while it is compiled: the committee's verdict plus distinctness from what it was shown.

A generated instruction that repeats a row its generator was shown scores 0 (a copy, as
:mod:`runtime.pipeline.copies` settles it in a run); a new one scores 0.5, and 1 when a
reviewer of another model accepts it (its checks pass and its scores average at least τ).
"""

from __future__ import annotations

from collections.abc import Callable

import dspy

from gra_agents import Reviewer
from gra_agents.metrics import judged_accepts
from runtime.calls import record
from runtime.calls.adapter import StructuredAdapter
from runtime.pipeline.copies import copied_from


def generator_metric(judge: Callable[[str, str, str], bool], threshold: float) -> Callable[..., float]:
    """The committee's verdict plus distinctness: 0 for a copy of a shown row, 0.5 for a new one, 1 if judged good."""

    def metric(example, prediction, trace=None, *_):
        shown = [
            {"ref": str(i), "instruction": r["instruction"], "input": r.get("input", "")}
            for i, r in enumerate(example.demos)
        ]
        if copied_from(prediction.instruction, prediction.input, shown, threshold) is not None:
            return 0.0
        return 1.0 if judge(prediction.instruction, prediction.input, prediction.response) else 0.5

    return metric


def judge_of(model_of: dict[str, str], model: str, member: str) -> str:
    """Who judges a generator's samples while it compiles: a member of another model, else another member."""
    others = [n for n, m in model_of.items() if m != model] or [n for n in model_of if n != member]
    return others[0]


def judge_with(
    lm: dspy.LM, adapter: Callable[[], StructuredAdapter], record_to: Callable[[list, str], None]
) -> Callable[[str, str, str], bool]:
    """A verdict of one reviewer (on ``lm``, default demos) on a generated sample: checks and scores."""
    reviewer = Reviewer()

    def judge(instruction: str, input: str, response: str) -> bool:
        with record.recording(scope="optimize:generator-judge") as log:
            try:
                with dspy.context(lm=lm, adapter=adapter()):
                    return judged_accepts(reviewer(instruction=instruction, input=input, response=response))
            except Exception:  # an unparseable verdict counts as not accepted; its call is recorded below
                return False
            finally:
                record_to(log.calls, "judge")

    return judge
