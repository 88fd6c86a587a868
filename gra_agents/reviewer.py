import random

import dspy

from gra_agents.demos import check_demos, chosen, score_demos
from signatures import CHECK_DIMENSIONS, SCORE_DIMENSIONS, CheckInstruction, ScoreResponse


class Reviewer(dspy.Module):
    """The reviewer role: three binary instruction checks, then six 1-10 scores and a review.

    ``forward`` runs both stages and skips scoring when a check fails; the coordinator
    calls ``check`` and ``score`` separately so every reviewer's checks are in before
    anyone scores. ``checks`` and ``scores`` come back as lists in the order of
    ``CHECK_DIMENSIONS`` and ``SCORE_DIMENSIONS``.

    ``demos`` are the few-shot demos of this call; the coordinator draws them per sample
    from the sample's domain (:mod:`gra_agents.demos`). Left out, they are drawn from the
    bank with the instruction as the seed, so a reviewer never sees one fixed score sheet.
    """

    def __init__(self):
        super().__init__()
        self.check_instruction = dspy.Predict(CheckInstruction)
        self.score_response = dspy.Predict(ScoreResponse)

    def _check_inputs(self, instruction, input, demos):
        draw = lambda: check_demos(None, random.Random(instruction))  # noqa: E731
        return dict(instruction=instruction, input=input, demos=chosen(self.check_instruction, demos, draw))

    def _score_inputs(self, instruction, input, response, demos):
        draw = lambda: score_demos(None, random.Random(instruction))  # noqa: E731
        return dict(
            instruction=instruction, input=input, response=response, demos=chosen(self.score_response, demos, draw)
        )

    @staticmethod
    def _checks(p: dspy.Prediction) -> dspy.Prediction:
        return dspy.Prediction(checks=[getattr(p, d) for d in CHECK_DIMENSIONS])

    @staticmethod
    def _scores(p: dspy.Prediction) -> dspy.Prediction:
        return dspy.Prediction(scores=[getattr(p, d) for d in SCORE_DIMENSIONS], review=p.review)

    def check(self, instruction: str, input: str, demos: list | None = None) -> dspy.Prediction:
        return self._checks(self.check_instruction(**self._check_inputs(instruction, input, demos)))

    async def acheck(self, instruction: str, input: str, demos: list | None = None) -> dspy.Prediction:
        return self._checks(await self.check_instruction.acall(**self._check_inputs(instruction, input, demos)))

    def score(self, instruction: str, input: str, response: str, demos: list | None = None) -> dspy.Prediction:
        return self._scores(self.score_response(**self._score_inputs(instruction, input, response, demos)))

    async def ascore(self, instruction: str, input: str, response: str, demos: list | None = None) -> dspy.Prediction:
        return self._scores(await self.score_response.acall(**self._score_inputs(instruction, input, response, demos)))

    def forward(self, instruction: str, input: str, response: str) -> dspy.Prediction:
        checks = self.check(instruction, input).checks
        if not all(checks):
            return dspy.Prediction(checks=checks, scores=None, review=None)
        scored = self.score(instruction, input, response)
        return dspy.Prediction(checks=checks, scores=scored.scores, review=scored.review)
