import dspy

from gra_agents import demos as default_demos
from signatures import AnnotateSeed


class SeedAnnotator(dspy.Module):
    """Give a seed sample its domain, keywords and summary.

    >>> annotator = SeedAnnotator()
    >>> # with dspy.context(lm=dspy.LM(...)):
    >>> #     annotator(instruction="Sort a list in Python", input="", output="sorted(xs)").domain
    """

    def __init__(self, demos: bool = True):
        super().__init__()
        self.annotate = dspy.Predict(AnnotateSeed)
        if demos:
            self.annotate.demos = list(default_demos.ANNOTATE)

    def forward(self, instruction: str, input: str, output: str) -> dspy.Prediction:
        return self.annotate(instruction=instruction, input=input, output=output)

    async def aforward(self, instruction: str, input: str, output: str) -> dspy.Prediction:
        return await self.annotate.acall(instruction=instruction, input=input, output=output)
