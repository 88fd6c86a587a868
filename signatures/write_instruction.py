import dspy

from signatures.vocabulary import INPUT_CHARS, INSTRUCTION_CHARS, Domain


class WriteInstruction(dspy.Signature):
    """Write one new, self-contained instruction for an AI assistant.

    The instruction belongs to the given domain and is built around the given keywords.
    It must be reasonable (a sensible request), complete (everything needed to answer is
    in the instruction or its input) and clear (one unambiguous task). Put any material
    the task operates on (a passage, a list, code) in `input`; leave `input` empty
    when the instruction stands alone."""

    domain: Domain = dspy.InputField()
    keywords: list[str] = dspy.InputField()
    example_summaries: list[str] = dspy.InputField(desc="summaries of existing tasks of the domain, for style only")
    instruction: str = dspy.OutputField(min_length=1, max_length=INSTRUCTION_CHARS)
    input: str = dspy.OutputField(desc="material for the task, or an empty string", max_length=INPUT_CHARS)
