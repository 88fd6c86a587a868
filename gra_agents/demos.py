"""Few-shot demonstrations, drawn per sample so that no one demo reaches every prompt.

Small models copy what they are shown: one fixed generator demo turned most candidates
of a run into that demo, and one fixed score sheet into that sheet's scores. So:

- the generator's demos are the sample's own drawn pool rows (seeds and kept samples of
  its domain): each row shows keywords → instruction → response, written by people or
  kept by the committee (:func:`generator_demos`);
- the scorers' and adjudicator's demos come from a hand-written bank with several entries
  per domain, one right and one flawed response each time, drawn and ordered per sample
  (:func:`score_demos`, :func:`adjudicate_demos`); the instruction checks are asked with
  none, but :func:`check_demos` draws a passing and a failing check to pass them yourself;
- the annotator sees a rotating few of seven demos, one per domain (:func:`annotate_demos`).

A DSPy optimizer (or you) can still set a predictor's ``demos``; the role modules use
those instead of a draw.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from dspy import Example

from gra_agents.demo_bank import ANNOTATE, CHECKS, JUDGED
from signatures.vocabulary import DOMAIN_DEFINITIONS

#: How many pool rows a generator predictor is shown: enough to show the pattern, few
#: enough that a small model's context and a CPU engine's prefill stay small.
MAX_GENERATOR_DEMOS = 2
#: A row whose response is longer than this is not used as an answer demo (prefill cost).
MAX_DEMO_RESPONSE_CHARS = 700


def chosen(predictor: Any, drawn: Sequence[Example] | None, draw: Any = None) -> list[Example]:
    """The demos one call shows: the predictor's own (compiled or set by you), else the per-sample
    draw, else ``draw()`` (a role module called on its own, outside a run)."""
    if predictor.demos:
        return predictor.demos
    if drawn is not None:
        return list(drawn)
    return draw() if draw else []


def example_lines(examples: Sequence[tuple[Sequence[str], str]]) -> list[str]:
    """Render (keywords, summary) pairs the way the generator sees them."""
    return [f"{', '.join(keywords)} | {summary}" for keywords, summary in examples]


#: Pool rows drawn per sample beside its examples: the first ``MAX_GENERATOR_DEMOS`` are the
#: generator's demos, the others lend those demos their own example lines.
DEMO_ROWS = 4


def demo_refs(pool: dict[str, list], domain: str, drawn: Sequence, rng: random.Random) -> list[str]:
    """Refs of ``DEMO_ROWS`` pool rows for a sample's generator demos: of ``domain``, never one of ``drawn``.

    ``pool`` maps a domain to ``(keywords, summary, ref)`` entries, and ``drawn`` holds the
    sample's examples among them. A domain with too few rows left lends rows of other
    domains, so the demos still show the steps.
    """
    taken = {e[2] for e in drawn}
    spare = [e[2] for e in pool[domain] if e[2] not in taken]
    refs = rng.sample(spare, min(DEMO_ROWS, len(spare)))
    if len(refs) < DEMO_ROWS:
        elsewhere = [e[2] for d in sorted(pool) if d != domain for e in pool[d]]
        refs += rng.sample(elsewhere, min(DEMO_ROWS - len(refs), len(elsewhere)))
    return refs


def generator_demos(domain: str, rows: Sequence[dict[str, Any]]) -> dict[str, list[Example]]:
    """Demos for the generator's three steps, made from drawn pool rows the sample's examples do not hold.

    ``rows`` are dicts with ``keywords``, ``summary``, ``instruction``, ``input`` and
    ``output``. Each demo holds one row out: its keywords are the "new" keywords for the
    other rows' lines, and its instruction and response are what those keywords led to.
    A demo row must not be among the live call's examples: a model shown "these lines →
    that row's keywords" next to a live list holding that row hands the row back.
    """
    shown = list(rows)[:MAX_GENERATOR_DEMOS]
    invent, write, answer = [], [], []
    for i, row in enumerate(shown):
        others = [r for j, r in enumerate(rows) if j != i][:3]
        invent.append(
            Example(
                domain=domain,
                examples=example_lines([(r["keywords"], r["summary"]) for r in others]),
                keywords=list(row["keywords"]),
            )
        )
        write.append(
            Example(
                domain=domain,
                domain_definition=DOMAIN_DEFINITIONS[domain],
                keywords=list(row["keywords"]),
                instruction=row["instruction"],
                input=row["input"],
            )
        )
        if 0 < len(row["output"]) <= MAX_DEMO_RESPONSE_CHARS:
            answer.append(Example(instruction=row["instruction"], input=row["input"], response=row["output"]))
    return {"invent": invent, "write": write, "answer": answer}


def _in_domain(bank: dict[str, list[Example]], domain: str | None, rng: random.Random) -> list[Example]:
    return bank[domain] if domain in bank else bank[rng.choice(sorted(bank))]


def check_demos(domain: str | None, rng: random.Random) -> list[Example]:
    """One passing and one failing instruction check of the domain, in a random order."""
    entries = _in_domain(CHECKS, domain, rng)
    good = rng.choice([e for e in entries if e.reasonable and e.complete and e.clear])
    bad = rng.choice([e for e in entries if not (e.reasonable and e.complete and e.clear)])
    pair = [good, bad]
    rng.shuffle(pair)
    return pair


def _pair(domain: str | None, rng: random.Random) -> list[dict[str, Any]]:
    """One right and one flawed judged response of the domain, in a random order."""
    entries = _in_domain(JUDGED, domain, rng)
    good = rng.choice([e for e in entries if e["right"]])
    bad = rng.choice([e for e in entries if not e["right"]])
    pair = [good, bad]
    rng.shuffle(pair)
    return pair


def score_example(e: dict[str, Any]) -> Example:
    """A judged bank entry as a ScoreResponse demo."""
    return Example(
        instruction=e["instruction"], input=e["input"], response=e["response"], **e["scores"], review=e["review"]
    )


def score_demos(domain: str | None, rng: random.Random) -> list[Example]:
    """A right and a flawed response of the domain with their score sheets."""
    return [score_example(e) for e in _pair(domain, rng)]


def adjudicate_example(e: dict[str, Any], dissent_first: bool) -> Example:
    """A judged bank entry as an Adjudicate demo: one review agrees with its scores, one dissents."""
    dissent = {k: v if k == "ethicality" else 11 - v for k, v in e["scores"].items()}
    reviews = [
        "Reviewer 1: " + ", ".join(f"{k} {v}" for k, v in e["scores"].items()) + f". Review: {e['review']}",
        "Reviewer 2: " + ", ".join(f"{k} {v}" for k, v in dissent.items()) + f". Review: {e['counter_review']}",
    ]
    if dissent_first:
        reviews = [reviews[1].replace("Reviewer 2", "Reviewer 1"), reviews[0].replace("Reviewer 1", "Reviewer 2")]
    return Example(
        instruction=e["instruction"],
        input=e["input"],
        response=e["response"],
        reviews=reviews,
        **e["scores"],
        review=e["review"],
    )


def adjudicate_demos(domain: str | None, rng: random.Random) -> list[Example]:
    """One disputed response of the domain: two reviews that disagree, and the settled scores."""
    return [adjudicate_example(rng.choice(_in_domain(JUDGED, domain, rng)), rng.random() < 0.5)]


def annotate_demos(rng: random.Random, k: int = 3) -> list[Example]:
    """``k`` of the seven annotation demos (one per domain), drawn and ordered by ``rng``."""
    return rng.sample(ANNOTATE, k)


def summarize_demos(rows: Sequence[dict[str, Any]]) -> list[Example]:
    """Annotated pool rows as summary demos (instruction, input → summary)."""
    return [Example(instruction=r["instruction"], input=r["input"], summary=r["summary"]) for r in rows]
