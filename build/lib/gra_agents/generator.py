from collections.abc import Sequence
from typing import Any

import dspy

from gra_agents.demos import chosen, example_lines, generator_demos
from signatures import AnswerInstruction, InventKeywords, WriteInstruction
from signatures.vocabulary import DOMAIN_DEFINITIONS


class Generator(dspy.Module):
    """The generator role: new keywords → a new instruction → its response (paper §3.1, Appendix E).

    ``examples`` are the 2-4 pool rows drawn from one domain for this sample (dicts with
    ``keywords`` and ``summary``): the paper's examples. ``demos`` are other drawn pool rows
    (dicts with ``keywords``, ``summary``, ``instruction``, ``input`` and ``output``), never
    among the examples, shown as the few-shot demos of each step
    (:func:`gra_agents.demos.generator_demos`), so every sample is shown other demos. The
    result carries ``keywords``, ``instruction``, ``input`` and ``response``.
    """

    def __init__(self):
        super().__init__()
        self.invent = dspy.Predict(InventKeywords)
        self.write = dspy.Predict(WriteInstruction)
        self.answer = dspy.Predict(AnswerInstruction)

    def _steps(self, domain: str, examples: Sequence[dict[str, Any]], shown: Sequence[dict[str, Any]]):
        demos = generator_demos(domain, shown)
        lines = example_lines([(e["keywords"], e["summary"]) for e in examples])
        invent = dict(domain=domain, examples=lines, demos=chosen(self.invent, demos["invent"]))

        def write(keywords):
            definition = DOMAIN_DEFINITIONS[domain]
            return dict(
                domain=domain, domain_definition=definition, keywords=keywords, demos=chosen(self.write, demos["write"])
            )

        def answer(task):
            return dict(instruction=task.instruction, input=task.input, demos=chosen(self.answer, demos["answer"]))

        return invent, write, answer

    @staticmethod
    def _result(keywords, task, answer) -> dspy.Prediction:
        return dspy.Prediction(
            keywords=keywords, instruction=task.instruction, input=task.input, response=answer.response
        )

    async def adraft(self, domain: str, examples: Sequence[dict], demos: Sequence[dict] = ()) -> dspy.Prediction:
        """Keywords and the instruction only (``keywords``, ``instruction``, ``input``): the checks can read it
        before any response is written (``--order check-first``). Same prompts as :meth:`aforward`'s first steps."""
        invent, write, _ = self._steps(domain, examples, demos)
        keywords = (await self.invent.acall(**invent)).keywords
        task = await self.write.acall(**write(keywords))
        return dspy.Prediction(keywords=keywords, instruction=task.instruction, input=task.input)

    async def aanswer(self, domain: str, examples: Sequence[dict], demos: Sequence[dict], task) -> dspy.Prediction:
        """The response to a drafted ``task`` (it has ``instruction`` and ``input``): :meth:`aforward`'s last step."""
        _, _, answer = self._steps(domain, examples, demos)
        return await self.answer.acall(**answer(task))

    def forward(self, domain: str, examples: Sequence[dict], demos: Sequence[dict] = ()) -> dspy.Prediction:
        invent, write, answer = self._steps(domain, examples, demos)
        keywords = self.invent(**invent).keywords
        task = self.write(**write(keywords))
        return self._result(keywords, task, self.answer(**answer(task)))

    async def aforward(self, domain: str, examples: Sequence[dict], demos: Sequence[dict] = ()) -> dspy.Prediction:
        invent, write, answer = self._steps(domain, examples, demos)
        keywords = (await self.invent.acall(**invent)).keywords
        task = await self.write.acall(**write(keywords))
        return self._result(keywords, task, await self.answer.acall(**answer(task)))
