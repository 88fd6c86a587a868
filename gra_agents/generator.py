import dspy

from gra_agents import demos as default_demos
from signatures import AnswerInstruction, InventKeywords, WriteInstruction


def example_lines(examples: list[tuple[list[str], str]]) -> list[str]:
    """Render (keywords, summary) pairs the way the generator sees them."""
    return [f"{', '.join(keywords)} | {summary}" for keywords, summary in examples]


class Generator(dspy.Module):
    """The generator role: new keywords → a new instruction → its response (paper §3.1, Appendix E).

    ``examples`` are 2-4 (keywords, summary) pairs drawn from one domain of the pool.
    The result carries ``keywords``, ``instruction``, ``input`` and ``response``.
    """

    def __init__(self, demos: bool = True):
        super().__init__()
        self.invent = dspy.Predict(InventKeywords)
        self.write = dspy.Predict(WriteInstruction)
        self.answer = dspy.Predict(AnswerInstruction)
        if demos:
            self.invent.demos = list(default_demos.INVENT)
            self.write.demos = list(default_demos.WRITE)
            self.answer.demos = list(default_demos.ANSWER)

    def forward(self, domain: str, examples: list[tuple[list[str], str]]) -> dspy.Prediction:
        keywords = self.invent(domain=domain, examples=example_lines(examples)).keywords
        task = self.write(domain=domain, keywords=keywords, example_summaries=[s for _, s in examples])
        answer = self.answer(instruction=task.instruction, input=task.input)
        return dspy.Prediction(
            keywords=keywords, instruction=task.instruction, input=task.input, response=answer.response
        )

    async def aforward(self, domain: str, examples: list[tuple[list[str], str]]) -> dspy.Prediction:
        keywords = (await self.invent.acall(domain=domain, examples=example_lines(examples))).keywords
        task = await self.write.acall(domain=domain, keywords=keywords, example_summaries=[s for _, s in examples])
        answer = await self.answer.acall(instruction=task.instruction, input=task.input)
        return dspy.Prediction(
            keywords=keywords, instruction=task.instruction, input=task.input, response=answer.response
        )
