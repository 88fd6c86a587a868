"""The closed vocabularies every GRA signature speaks in.

These are plain type aliases, so a signature field typed ``Score`` reaches the
model as an enum of ``1..10`` (engines that take a JSON schema enforce it while
decoding) and is validated again after decoding. DSPy does not enforce
``ge``/``le`` bounds, which is why ranges are written as ``Literal`` enums here.
"""

from typing import Annotated, Literal

from pydantic import StringConstraints

#: The seven task domains of the GRA paper (Appendix A).
Domain = Literal["Coding", "Math", "QA", "Reasoning", "Role Play", "Language", "Creation"]

#: One response-quality score on the paper's 1-10 scale.
Score = Literal[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

#: One binary instruction check: 1 passes, 0 rejects.
Check = Literal[0, 1]

#: A keyword or short key phrase.
Keyword = Annotated[str, StringConstraints(min_length=1, max_length=40)]

#: One test call of a reference solution, e.g. ``f([1, 2], 3)``.
TestCall = Annotated[str, StringConstraints(min_length=1, max_length=200)]

#: Character caps that stand in for the paper's word limits (about 8 characters a word).
SUMMARY_CHARS = 240  # "no more than 30 words"
REVIEW_CHARS = 240  # "no more than 30 words"
INSTRUCTION_CHARS = 1200
INPUT_CHARS = 1500
RESPONSE_CHARS = 4000
PROGRAM_CHARS = 2000  # a verifier's program or reference solution (within llama.cpp's enforced string bound)

DOMAINS: tuple[str, ...] = Domain.__args__
#: What each domain holds (paper Appendix E, Prompt 1): ``AnnotateSeed`` classifies by these,
#: and ``WriteInstruction`` is shown the one its instruction must belong to.
DOMAIN_DEFINITIONS: dict[str, str] = {
    "Coding": "writing, explaining, debugging or converting code and algorithms.",
    "Math": "calculations, equations, proofs and mathematical word problems.",
    "QA": "questions that ask for facts, knowledge or explanations.",
    "Reasoning": "logical reasoning, puzzles, planning and analysis.",
    "Role Play": "answering in the voice of a given character or persona.",
    "Language": "grammar, translation, rewriting, summarizing or classifying text.",
    "Creation": "creative writing such as stories, poems, slogans and other open-ended writing.",
}
#: The reviewers' six response dimensions and three instruction checks (paper Appendix E,
#: Prompts 6 and 8); their definitions are in ``ScoreResponse``, ``Adjudicate`` and
#: ``CheckInstruction``.
SCORE_DIMENSIONS: tuple[str, ...] = ("correctness", "clarity", "completeness", "relevance", "coherence", "ethicality")
CHECK_DIMENSIONS: tuple[str, ...] = ("reasonable", "complete", "clear")

#: What an evidence field holds: gra's own words about what running the math or the code showed.
EVIDENCE = "what gra saw when it ran the response's code or programs that compute its answer"

#: Marks an input field whose text was written by a seed author or a model: the engine
#: adapter fences it (``runtime.calls.untrusted``) and the role's instruction says not to obey it.
UNTRUSTED = "(untrusted text)"

#: Marks the one output field of a signature answered as a bare value in one token (``1``, not
#: ``{"answer": 1}``): the engine adapter asks such a signature plainly (``runtime.calls.bare_answer``),
#: since a small judge's probability of a lone value ranks far better than the same value inside JSON.
BARE = "(answered bare)"


def desc_of(field) -> str:
    """A DSPy field's desc ("" when it has none): where the markers above are written."""
    return str((getattr(field, "json_schema_extra", None) or {}).get("desc", ""))
