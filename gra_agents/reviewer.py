import dspy

from gra_agents import demos as default_demos
from signatures import CHECK_DIMENSIONS, SCORE_DIMENSIONS, CheckInstruction, ScoreResponse


class Reviewer(dspy.Module):
    """The reviewer role: three binary instruction checks, then six 1-10 scores and a review.

    ``forward`` runs both stages and skips scoring when a check fails; the coordinator
    calls ``check`` and ``score`` separately so every reviewer's checks are in before
    anyone scores. ``checks`` and ``scores`` come back as lists in the order of
    ``CHECK_DIMENSIONS`` and ``SCORE_DIMENSIONS``.
    """

    def __init__(self, demos: bool = True):
        super().__init__()
        self.check_instruction = dspy.Predict(CheckInstruction)
        self.score_response = dspy.Predict(ScoreResponse)
        if demos:
            self.check_instruction.demos = list(default_demos.CHECK)
            self.score_response.demos = list(default_demos.SCORE)

    @staticmethod
    def _checks(p: dspy.Prediction) -> dspy.Prediction:
        return dspy.Prediction(checks=[getattr(p, d) for d in CHECK_DIMENSIONS])

    @staticmethod
    def _scores(p: dspy.Prediction) -> dspy.Prediction:
        return dspy.Prediction(scores=[getattr(p, d) for d in SCORE_DIMENSIONS], review=p.review)

    def check(self, instruction: str, input: str) -> dspy.Prediction:
        return self._checks(self.check_instruction(instruction=instruction, input=input))

    async def acheck(self, instruction: str, input: str) -> dspy.Prediction:
        return self._checks(await self.check_instruction.acall(instruction=instruction, input=input))

    def score(self, instruction: str, input: str, response: str) -> dspy.Prediction:
        return self._scores(self.score_response(instruction=instruction, input=input, response=response))

    async def ascore(self, instruction: str, input: str, response: str) -> dspy.Prediction:
        return self._scores(await self.score_response.acall(instruction=instruction, input=input, response=response))

    def forward(self, instruction: str, input: str, response: str) -> dspy.Prediction:
        checks = self.check(instruction, input).checks
        if not all(checks):
            return dspy.Prediction(checks=checks, scores=None, review=None)
        scored = self.score(instruction, input, response)
        return dspy.Prediction(checks=checks, scores=scored.scores, review=scored.review)
