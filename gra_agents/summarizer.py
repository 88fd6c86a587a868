import dspy

from gra_agents import demos as default_demos
from signatures import SummarizeSample


class Summarizer(dspy.Module):
    """Summarize an accepted sample so it can join the pool for the next round."""

    def __init__(self, demos: bool = True):
        super().__init__()
        self.summarize = dspy.Predict(SummarizeSample)
        if demos:
            self.summarize.demos = list(default_demos.SUMMARIZE)

    def forward(self, instruction: str, input: str) -> dspy.Prediction:
        return self.summarize(instruction=instruction, input=input)

    async def aforward(self, instruction: str, input: str) -> dspy.Prediction:
        return await self.summarize.acall(instruction=instruction, input=input)
