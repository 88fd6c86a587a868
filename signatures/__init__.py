"""DSPy signatures for every GRA role, and nothing else.

Each signature's docstring is the role's instruction; its typed output fields are the
contract the engines are held to (see ``runtime.calls.adapter`` for how the types become
a decoding constraint).

Importing any of gra's packages imports this one first, and it tells LiteLLM (under
DSPy) to read its bundled model cost map instead of fetching it: gra runs offline.
"""

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

# ruff: noqa: E402  (the variable must be set before DSPy, and so LiteLLM, is imported)

from signatures.adjudicate import Adjudicate
from signatures.adjudicate_with_evidence import AdjudicateWithEvidence
from signatures.annotate_seed import AnnotateSeed
from signatures.answer_instruction import AnswerInstruction
from signatures.check_instruction import CHECK_QUESTIONS, CheckInstruction
from signatures.invent_keywords import InventKeywords
from signatures.refine_response import RefineResponse
from signatures.score_response import ScoreResponse
from signatures.score_with_evidence import ScoreWithEvidence
from signatures.summarize_sample import SummarizeSample
from signatures.vocabulary import CHECK_DIMENSIONS, DOMAINS, SCORE_DIMENSIONS, Check, Domain, Keyword, Score
from signatures.write_instruction import WriteInstruction
from signatures.write_program import WriteProgram
from signatures.write_reference import WriteReference

ALL_SIGNATURES = (
    AnnotateSeed,
    InventKeywords,
    WriteInstruction,
    AnswerInstruction,
    CheckInstruction,
    ScoreResponse,
    ScoreWithEvidence,
    Adjudicate,
    AdjudicateWithEvidence,
    SummarizeSample,
    RefineResponse,
    WriteProgram,
    WriteReference,
)

__all__ = [
    "ALL_SIGNATURES",
    "Adjudicate",
    "AdjudicateWithEvidence",
    "AnnotateSeed",
    "AnswerInstruction",
    "CHECK_DIMENSIONS",
    "CHECK_QUESTIONS",
    "Check",
    "CheckInstruction",
    "DOMAINS",
    "Domain",
    "InventKeywords",
    "Keyword",
    "RefineResponse",
    "SCORE_DIMENSIONS",
    "Score",
    "ScoreResponse",
    "ScoreWithEvidence",
    "SummarizeSample",
    "WriteInstruction",
    "WriteProgram",
    "WriteReference",
]
