import dspy

from signatures.vocabulary import Domain, Keyword


class InventKeywords(dspy.Signature):
    """Invent keywords for a NEW instruction-tuning task in the given domain.

    You see the keywords and summaries of a few existing tasks of that domain. Propose
    three keywords for a different task that is still in the same domain: related in
    spirit, not a copy of any example."""

    domain: Domain = dspy.InputField()
    examples: list[str] = dspy.InputField(desc="existing tasks, one 'keywords | summary' line each")
    keywords: list[Keyword] = dspy.OutputField(desc="exactly 3 new keywords", min_length=3, max_length=3)
