"""The verifier: a reviewer writing code that checks a response, instead of reading it and guessing.

Small models judge arithmetic and code badly by reading them, and write a short program
that computes the answer well enough. So, for a math task, the verifier writes a program
that computes the answer (never shown the response: it must not copy its mistake); for a
coding task, its own reference solution of the function and test calls to run both on.
Running them is the verification stage's work, in the sandbox
(:mod:`runtime.pipeline.verification`); :mod:`gra_agents.evidence` turns what they printed
into a verdict.

Both are plain DSPy predictors, so ``gra optimize`` can compile them like any role.
"""

from __future__ import annotations

import dspy

from gra_agents.demos import chosen
from gra_agents.verifier_demos import PROGRAMS, REFERENCES
from signatures.write_program import WriteProgram
from signatures.write_reference import WriteReference

#: The verifier samples its programs hotter than the judges score: programs drawn at the pool's 0.2 repeat one
#: misreading of the task three times over, and a majority of one mistake is no check at all.
TEMPERATURE = 0.8


class Verifier(dspy.Module):
    """Writes a program that computes a task's answer, or a reference solution with test calls."""

    def __init__(self):
        super().__init__()
        self.write_program = dspy.Predict(WriteProgram)
        self.write_reference = dspy.Predict(WriteReference)

    def _call(self, instruction: str, input: str, function: str | None):
        """The predictor and inputs of one call: its own demos (compiled or set), else the hand-written ones."""
        hot = {"temperature": TEMPERATURE}
        if function is None:
            demos = chosen(self.write_program, PROGRAMS)
            return self.write_program, dict(instruction=instruction, input=input, demos=demos, config=hot)
        demos = chosen(self.write_reference, REFERENCES)
        inputs = dict(instruction=instruction, input=input, function=function, demos=demos, config=hot)
        return self.write_reference, inputs

    def forward(self, instruction: str, input: str, function: str | None = None) -> dspy.Prediction:
        """A program (``program``) for a math task; with ``function`` (a def line), ``reference`` and ``tests``."""
        predictor, inputs = self._call(instruction, input, function)
        return predictor(**inputs)

    async def aforward(self, instruction: str, input: str, function: str | None = None) -> dspy.Prediction:
        predictor, inputs = self._call(instruction, input, function)
        return await predictor.acall(**inputs)
