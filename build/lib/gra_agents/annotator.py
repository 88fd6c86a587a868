import random

import dspy

from gra_agents.demos import annotate_demos, chosen
from signatures import AnnotateSeed


class SeedAnnotator(dspy.Module):
    """Give a seed sample its domain, keywords and summary.

    Each call is shown three of seven demos (one per domain), drawn with the instruction
    as the seed, so no one domain's demo sits before every seed.
    """

    def __init__(self):
        super().__init__()
        self.annotate = dspy.Predict(AnnotateSeed)

    def _inputs(self, instruction: str, input: str, output: str) -> dict:
        draw = lambda: annotate_demos(random.Random(instruction))  # noqa: E731
        return dict(instruction=instruction, input=input, output=output, demos=chosen(self.annotate, None, draw))

    def forward(self, instruction: str, input: str, output: str) -> dspy.Prediction:
        return self.annotate(**self._inputs(instruction, input, output))

    async def aforward(self, instruction: str, input: str, output: str) -> dspy.Prediction:
        return await self.annotate.acall(**self._inputs(instruction, input, output))
