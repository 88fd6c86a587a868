import dspy

from gra_agents import demos as default_demos
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
    """The adjudicator role: rescore a response the reviewers disagreed on, with their reviews in view."""

    def __init__(self, demos: bool = True):
        super().__init__()
        self.adjudicate = dspy.Predict(Adjudicate)
        if demos:
            self.adjudicate.demos = list(default_demos.ADJUDICATE)

    def _inputs(self, instruction, input, response, scores, reviews):
        return dict(instruction=instruction, input=input, response=response, reviews=review_lines(scores, reviews))

    @staticmethod
    def _scores(p: dspy.Prediction) -> dspy.Prediction:
        return dspy.Prediction(scores=[getattr(p, d) for d in SCORE_DIMENSIONS])

    def forward(self, instruction: str, input: str, response: str, scores: list[list[int]], reviews: list[str]):
        return self._scores(self.adjudicate(**self._inputs(instruction, input, response, scores, reviews)))

    async def aforward(self, instruction: str, input: str, response: str, scores: list[list[int]], reviews: list[str]):
        return self._scores(await self.adjudicate.acall(**self._inputs(instruction, input, response, scores, reviews)))
