import dspy

from signatures.vocabulary import INPUT_CHARS, INSTRUCTION_CHARS, Domain


class WriteInstruction(dspy.Signature):
    """Write one new, self-contained instruction for an AI assistant.

    Requirements:
    1. It belongs to the given domain, as its definition says, and is built around the given keywords.
    2. It is new: a task of its own, not a copy or paraphrase of a known task.
    3. It is reasonable: a sensible request that can be answered, not nonsense or self-contradictory.
    4. It is complete: everything needed to answer it is in the instruction or its input.
    5. It is clear: it asks for one unambiguous task.
    6. It can be answered in text alone, and it is safe and ethical.
    Write only the task and do not answer it. Write mathematical content in LaTeX. Put any
    material the task operates on (a passage, a list, code) in `input`; leave `input` empty
    when the instruction stands alone."""

    domain: Domain = dspy.InputField()
    domain_definition: str = dspy.InputField(desc="what tasks of this domain are")
    keywords: list[str] = dspy.InputField()
    instruction: str = dspy.OutputField(min_length=1, max_length=INSTRUCTION_CHARS)
    input: str = dspy.OutputField(desc="material for the task, or an empty string", max_length=INPUT_CHARS)
