import random

import dspy

from gra_agents.demos import adjudicate_demos, chosen
from signatures import SCORE_DIMENSIONS, Adjudicate


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

    ``demos`` are this call's few-shot demos, drawn per sample by the coordinator; left
    out, they are drawn from the bank with the instruction as the seed.
    """

    def __init__(self):
        super().__init__()
        self.adjudicate = dspy.Predict(Adjudicate)

    def _inputs(self, instruction, input, response, scores, reviews, demos=None):
        draw = lambda: adjudicate_demos(None, random.Random(instruction))  # noqa: E731
        return dict(
            instruction=instruction,
            input=input,
            response=response,
            reviews=review_lines(scores, reviews),
            demos=chosen(self.adjudicate, demos, draw),
        )

    @staticmethod
    def _scores(p: dspy.Prediction) -> dspy.Prediction:
        return dspy.Prediction(scores=[getattr(p, d) for d in SCORE_DIMENSIONS], review=p.review)

    def forward(self, instruction: str, input: str, response: str, scores, reviews, demos=None):
        return self._scores(self.adjudicate(**self._inputs(instruction, input, response, scores, reviews, demos)))

    async def aforward(self, instruction: str, input: str, response: str, scores, reviews, demos=None):
        inputs = self._inputs(instruction, input, response, scores, reviews, demos)
        return self._scores(await self.adjudicate.acall(**inputs))
