import dspy

from signatures.vocabulary import UNTRUSTED, Domain, Keyword


class InventKeywords(dspy.Signature):
    """Invent keywords for a NEW instruction-tuning task in the given domain.

    You see the keywords and summaries of a few existing tasks of that domain. Generate
    at most three new keywords for a different task. The keywords must be novel: not copied from
    the examples and not a rewording of them. They must stay in the same domain: related
    in spirit, not a copy of any example. Each keyword is a word or short phrase concrete
    enough to build one task around."""

    domain: Domain = dspy.InputField()
    examples: list[str] = dspy.InputField(desc=f"existing tasks, one 'keywords | summary' line each {UNTRUSTED}")
    keywords: list[Keyword] = dspy.OutputField(desc="1 to 3 new keywords", min_length=1, max_length=3)
