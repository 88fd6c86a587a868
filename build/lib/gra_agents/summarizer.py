import dspy

from gra_agents.demos import chosen, summarize_demos
from signatures import SummarizeSample


class Summarizer(dspy.Module):
    """Summarize an accepted sample so it can join the pool for the next round.

    ``examples`` are annotated pool rows of the sample's domain (dicts with
    ``instruction``, ``input`` and ``summary``), shown as demos of a good summary.
    """

    def __init__(self):
        super().__init__()
        self.summarize = dspy.Predict(SummarizeSample)

    def _inputs(self, instruction: str, input: str, examples) -> dict:
        return dict(instruction=instruction, input=input, demos=chosen(self.summarize, summarize_demos(examples)))

    def forward(self, instruction: str, input: str, examples=()) -> dspy.Prediction:
        return self.summarize(**self._inputs(instruction, input, examples))

    async def aforward(self, instruction: str, input: str, examples=()) -> dspy.Prediction:
        return await self.summarize.acall(**self._inputs(instruction, input, examples))
