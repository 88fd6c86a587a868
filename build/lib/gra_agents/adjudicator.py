import random

import dspy

from gra_agents.demos import adjudicate_demos, chosen
from gra_agents.reviewer import PROBABILITIES, read_scores
from signatures import SCORE_DIMENSIONS, Adjudicate
from signatures.adjudicate_with_evidence import AdjudicateWithEvidence


def review_lines(scores: list[list[int]], reviews: list[str]) -> list[str]:
    """Render each reviewer's scores and review for the adjudicator."""
    return [
        f"Reviewer {i + 1}: "
        + ", ".join(f"{d} {s}" for d, s in zip(SCORE_DIMENSIONS, sc, strict=True))
        + f". Review: {rv}"
        for i, (sc, rv) in enumerate(zip(scores, reviews, strict=True))
    ]


class Adjudicator(dspy.Module):
    """The adjudicator role: rescore a response the reviewers disagreed on, with their reviews in view.

    Its sheet comes back as a reviewer's does (:func:`gra_agents.reviewer.read_scores`): the
    sampled ``scores``, their ``expected`` values and ``distributions``, and the ``review``.
    With ``evidence`` (what running the code or the math showed) it is asked with
    :class:`~signatures.adjudicate_with_evidence.AdjudicateWithEvidence`.

    ``demos`` are this call's few-shot demos, drawn per sample by the coordinator; left
    out, they are drawn from the bank with the instruction as the seed.
    """

    def __init__(self):
        super().__init__()
        self.adjudicate = dspy.Predict(Adjudicate)
        self.adjudicate_with_evidence = dspy.Predict(AdjudicateWithEvidence)

    def _predictor(self, evidence: str | None) -> dspy.Predict:
        return self.adjudicate_with_evidence if evidence else self.adjudicate

    def _inputs(self, instruction, input, response, scores, reviews, demos=None, evidence=None):
        draw = lambda: adjudicate_demos(None, random.Random(instruction))  # noqa: E731
        inputs = dict(
            instruction=instruction,
            input=input,
            response=response,
            reviews=review_lines(scores, reviews),
            demos=chosen(self._predictor(evidence), demos, draw),
            config=PROBABILITIES,
        )
        return inputs | ({"evidence": evidence} if evidence else {})

    def forward(self, instruction: str, input: str, response: str, scores, reviews, demos=None, evidence=None):
        inputs = self._inputs(instruction, input, response, scores, reviews, demos, evidence)
        return read_scores(self._predictor(evidence)(**inputs))

    async def aforward(self, instruction: str, input: str, response: str, scores, reviews, demos=None, evidence=None):
        inputs = self._inputs(instruction, input, response, scores, reviews, demos, evidence)
        return read_scores(await self._predictor(evidence).acall(**inputs))
