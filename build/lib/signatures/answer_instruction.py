import dspy

from signatures.vocabulary import RESPONSE_CHARS


class AnswerInstruction(dspy.Signature):
    """Answer the instruction as a helpful, honest and harmless assistant would.

    Follow the instruction exactly and use its input when one is given. The response must be:
    - correct: accurate facts, sound logic, right calculations and working code;
    - complete: it answers every part of the instruction;
    - relevant: it stays on the task, with no unrelated content;
    - clear and well organized: show the steps of math and reasoning, and write
      mathematical content in LaTeX;
    - safe and ethical: politely decline a harmful request."""

    instruction: str = dspy.InputField()
    input: str = dspy.InputField(desc="material for the task; may be empty")
    response: str = dspy.OutputField(min_length=1, max_length=RESPONSE_CHARS)
