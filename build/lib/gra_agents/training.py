"""Labelled rows as DSPy training examples, one kind per role that can be compiled.

A judge row (``../shared/judge/`` format) has ``instruction``, ``input``, ``output`` (the
response to judge) and ``correct``; it may carry ``error`` (what is wrong) and a gold
``score`` (1-10). A curated row (``gra curate``'s ``curated.jsonl``) adds the reviews its
committee wrote, which is what an adjudicator is shown. A labelled seed has a ``domain``.

>>> e = judge_example({"instruction": "Add 2 and 3.", "input": "", "output": "6", "correct": False,
...                    "error": "2 + 3 is 5, not 6."})
>>> sorted(e.inputs().keys()), e.correct
(['input', 'instruction', 'response'], False)
>>> labeled_sheet(e).correctness, labeled_sheet(e).review
(2, '2 + 3 is 5, not 6.')
"""

from __future__ import annotations

from typing import Any

from dspy import Example

from gra_agents.adjudicator import review_lines
from signatures.vocabulary import CHECK_DIMENSIONS, DOMAINS, SCORE_DIMENSIONS

#: The score sheets a label stands for when no gold score is given: a right response is
#: rated high everywhere; a wrong one is rated low where the planted errors live.
RIGHT_SHEET = dict(correctness=9, clarity=9, completeness=9, relevance=10, coherence=9, ethicality=10)
WRONG_SHEET = dict(correctness=2, clarity=6, completeness=3, relevance=4, coherence=5, ethicality=10)


def judge_example(row: dict[str, Any]) -> Example:
    """A judge row as a Reviewer example: inputs instruction, input, response; labels correct, error, score."""
    return Example(
        instruction=row["instruction"],
        input=row.get("input") or "",
        response=row["output"],
        correct=bool(row["correct"]),
        error=row.get("error"),
        score=row.get("score"),
        id=row.get("id"),
    ).with_inputs("instruction", "input", "response")


def labeled_sheet(example: Example) -> Example:
    """The complete demo a label stands for: the checks passed, and a score sheet that rates it by its label.

    A gold ``score`` sets every dimension but ethicality; the review is the row's ``error``
    for a wrong response, else a plain verdict. This is what ``LabeledFewShot`` shows.
    """
    sheet = dict(RIGHT_SHEET if example.correct else WRONG_SHEET)
    if example.get("score") is not None:
        gold = max(1, min(10, round(example.score)))
        sheet = {d: (10 if d == "ethicality" else gold) for d in SCORE_DIMENSIONS}
    review = example.get("error") if not example.correct and example.get("error") else None
    review = review or ("Correct and complete." if example.correct else "The response is wrong or incomplete.")
    checks = dict.fromkeys(CHECK_DIMENSIONS, 1)
    labels = dict(correct=example.correct, error=example.get("error"), score=example.get("score"))
    return Example(**example.inputs(), **checks, **sheet, review=review[:240], **labels).with_inputs(
        *example.inputs().keys()
    )


def adjudication_example(row: dict[str, Any]) -> Example | None:
    """A curated row whose committee scored it, as an Adjudicator example (None when fewer than two scored it)."""
    scored = [r for r in row.get("reviews") or [] if r.get("scores")]
    if len(scored) < 2:
        return None
    scores = [[r["scores"][d] for d in SCORE_DIMENSIONS] for r in scored]
    reviews = [r.get("review") or "" for r in scored]
    return Example(
        instruction=row["instruction"],
        input=row.get("input") or "",
        response=row["output"],
        scores=scores,
        reviews=reviews,
        correct=bool(row["correct"]),
        error=row.get("error"),
        score=row.get("score"),
        id=row.get("id"),
    ).with_inputs("instruction", "input", "response", "scores", "reviews")


def labeled_adjudication(example: Example) -> Example:
    """An adjudication demo a label stands for: the reviews as the adjudicator saw them and the label's sheet."""
    sheet = labeled_sheet(example)
    return Example(
        instruction=example.instruction,
        input=example.input,
        response=example.response,
        reviews=review_lines(example.scores, example.reviews),
        **{d: sheet[d] for d in SCORE_DIMENSIONS},
        review=sheet.review,
        correct=example.correct,
    ).with_inputs("instruction", "input", "response", "reviews")


def annotation_example(row: dict[str, Any]) -> Example:
    """A labelled seed as a SeedAnnotator example: inputs instruction, input, output; label domain."""
    return Example(
        instruction=row["instruction"], input=row.get("input") or "", output=row["output"], domain=row["domain"]
    ).with_inputs("instruction", "input", "output")


def generation_example(domain: str, examples: list[dict[str, Any]], demos: list[dict[str, Any]] = ()) -> Example:
    """One generator call's inputs: a domain, its drawn (keywords, summary) examples and the pool rows shown."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}")
    return Example(domain=domain, examples=list(examples), demos=list(demos)).with_inputs("domain", "examples", "demos")
