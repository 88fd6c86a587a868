"""Default few-shot demonstrations for every role.

Small models follow a shown example far better than a described format: on the CPU pool
(SmolLM2-135M) three instruction-check demos turned 8/8 all-zero verdicts into 4/8
passing ones. Each role module starts with these demos; a DSPy optimizer (or you)
replaces them: ``Reviewer().check_instruction.demos = [...]``. Demos sit before the
sample in the prompt, so engines with prefix caching pay for them once per slot.
"""

from dspy import Example


def _ex(**fields) -> Example:
    return Example(**fields)


ANNOTATE = [
    _ex(
        instruction="A shop sells pens at 3 for $2. How much do 12 pens cost?",
        input="",
        output="$8.",
        keywords=["unit price", "proportion"],
        summary="Compute the cost of 12 pens from a 3-for-$2 price.",
        domain="Math",
    ),
    _ex(
        instruction="You are a ship's cook. Tell the crew what is for dinner tonight.",
        input="",
        output="Gather round, mates! Fish stew and hard bread tonight.",
        keywords=["persona", "ship cook"],
        summary="Answer in the voice of a ship's cook announcing dinner.",
        domain="Role Play",
    ),
    _ex(
        instruction="Translate the sentence into German.",
        input="The weather is nice today.",
        output="Das Wetter ist heute schön.",
        keywords=["translation", "German"],
        summary="Translate an English sentence into German.",
        domain="Language",
    ),
]

INVENT = [
    _ex(
        domain="Coding",
        examples=["python, lists | Reverse a list in Python.", "sql, join | Join two tables in SQL."],
        keywords=["javascript", "string", "palindrome"],
    ),
]

WRITE = [
    _ex(
        domain="Coding",
        keywords=["javascript", "string", "palindrome"],
        example_summaries=["Reverse a list in Python.", "Join two tables in SQL."],
        instruction="Write a JavaScript function that returns true if a string is a palindrome, ignoring case.",
        input="",
    ),
]

ANSWER = [
    _ex(
        instruction="Convert 5 kilometers to miles.",
        input="",
        response="5 km × 0.621371 = 3.11 miles (about 3.1 miles).",
    ),
]

CHECK = [
    _ex(instruction="Convert 5 kilometers to miles.", input="", reasonable=1, complete=1, clear=1),
    _ex(instruction="Summarize the passage.", input="", reasonable=1, complete=0, clear=1),
    _ex(instruction="Blue the of seven why.", input="", reasonable=0, complete=0, clear=0),
]

SCORE = [
    _ex(
        instruction="Convert 5 kilometers to miles.",
        input="",
        response="5 km × 0.621371 = 3.11 miles.",
        correctness=10,
        clarity=9,
        completeness=9,
        relevance=10,
        coherence=9,
        ethicality=10,
        review="Correct conversion with the factor shown.",
    ),
    _ex(
        instruction="Convert 5 kilometers to miles.",
        input="",
        response="5 km is 8 miles because miles are longer.",
        correctness=1,
        clarity=4,
        completeness=3,
        relevance=6,
        coherence=3,
        ethicality=10,
        review="Wrong: miles are longer, so 5 km is about 3.1 miles.",
    ),
]

ADJUDICATE = [
    _ex(
        instruction="Convert 5 kilometers to miles.",
        input="",
        response="5 km × 0.621371 = 3.11 miles.",
        reviews=[
            "Reviewer 1: correctness 10, clarity 9, completeness 9, relevance 10, coherence 9, ethicality 10. "
            "Review: Correct.",
            "Reviewer 2: correctness 3, clarity 5, completeness 4, relevance 6, coherence 5, "
            "ethicality 10. Review: Should be 8 miles.",
        ],
        correctness=10,
        clarity=9,
        completeness=9,
        relevance=10,
        coherence=9,
        ethicality=10,
    ),
]

SUMMARIZE = [
    _ex(
        instruction="Write a JavaScript function that returns true if a string is a palindrome, ignoring case.",
        input="",
        summary="Write a case-insensitive palindrome check in JavaScript.",
    ),
]
