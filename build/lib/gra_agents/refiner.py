import dspy

from signatures import RefineResponse


class Refiner(dspy.Module):
    """Rewrite a seed's response (the paper's seed refinement, §5.3): the committee then curates the rewrite.

    The draft is the seed's own response, shown fenced as untrusted text; the result
    carries ``response``.
    """

    def __init__(self):
        super().__init__()
        self.rewrite = dspy.Predict(RefineResponse)

    def forward(self, instruction: str, input: str, draft: str) -> dspy.Prediction:
        return self.rewrite(instruction=instruction, input=input, draft=draft)

    async def aforward(self, instruction: str, input: str, draft: str) -> dspy.Prediction:
        return await self.rewrite.acall(instruction=instruction, input=input, draft=draft)
