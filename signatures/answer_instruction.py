import dspy

from signatures.vocabulary import RESPONSE_CHARS


class AnswerInstruction(dspy.Signature):
    """Answer the instruction as a helpful, honest and harmless assistant would.

    Follow the instruction exactly, use its input when one is given, and give a
    correct, complete, well-organized answer."""

    instruction: str = dspy.InputField()
    input: str = dspy.InputField(desc="material for the task; may be empty")
    response: str = dspy.OutputField(min_length=1, max_length=RESPONSE_CHARS)
