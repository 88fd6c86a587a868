import dspy

from signatures.vocabulary import SUMMARY_CHARS


class SummarizeSample(dspy.Signature):
    """Summarize what an instruction-tuning task asks for, in no more than 30 words."""

    instruction: str = dspy.InputField()
    input: str = dspy.InputField(desc="may be empty")
    summary: str = dspy.OutputField(min_length=1, max_length=SUMMARY_CHARS)
