"""A full-review run's reviews read back, and the fewest calls early exit could make on them.

A run that asked every reviewer (the paper's order, or ``--full-reviews``) holds each drawn
reviewer's checks of every instruction and score sheet of every response. On those same
reviews, early exit under any order can be counted, and so can its floor: an order that
knew every review in advance would stop each rejected instruction at its first reviewer,
and ask for the lowest score sheets first. No exact rule of the judges (any 0 rejects;
μ < τ certain after k sheets) can make fewer calls than that.
"""

from __future__ import annotations

import json
from fractions import Fraction

from gra_agents import rejected_already
from runtime.storage.store import Store

#: One checked sample: its generator, and (reviewer, gave a 0) for each reviewer in the drawn order.
Checked = tuple[str, list[tuple[str, bool]]]

#: One scored sample: (reviewer, its score sheet) for each reviewer in the drawn order.
Scored = list[tuple[str, list[int]]]


def _reviews(store: Store, sid: str, kind: str) -> dict[str, list[int]]:
    sql = "select reviewer, scores from reviews where sample_id = ? and kind = ?"
    return {r: json.loads(s) for r, s in store.db.execute(sql, (sid, kind))}


def checks_by_sample(store: Store) -> list[Checked]:
    """Every sample each drawn reviewer checked, in id order."""
    out = []
    for sid, generator, reviewers in store.db.execute("select id, generator, reviewers from samples order by id"):
        said, drawn = _reviews(store, sid, "instruction"), json.loads(reviewers or "[]")
        if drawn and all(r in said for r in drawn):
            out.append((generator, [(r, 0 in said[r]) for r in drawn]))
    return out


def sheets_by_sample(store: Store) -> list[Scored]:
    """For each sample every drawn reviewer scored, in id order: (reviewer, its score sheet) in the drawn order."""
    out = []
    for sid, reviewers in store.db.execute("select id, reviewers from samples order by id"):
        said, drawn = _reviews(store, sid, "response"), json.loads(reviewers or "[]")
        if drawn and all(r in said for r in drawn):
            out.append([(r, said[r]) for r in drawn])
    return out


def calls_until_a_zero(outcomes: list[bool]) -> int:
    """Check calls early exit makes when the reviewers answer ``outcomes`` (gave a 0) in this order."""
    return outcomes.index(True) + 1 if any(outcomes) else len(outcomes)


def calls_until_settled(sheets: list[list[int]], tau: float) -> int:
    """Score sheets early exit asks for when the reviewers answer ``sheets`` in this order."""
    for k in range(1, len(sheets)):
        if rejected_already(sheets[:k], len(sheets), tau):
            return k
    return len(sheets)


def floor_checks(sample: Checked) -> int:
    """The check calls of an order that knew the checks: one for a rejected instruction, every one for a pass."""
    _, sheet = sample
    return 1 if any(zero for _, zero in sheet) else len(sheet)


def floor_sheets(sample: Scored, tau: float) -> int:
    """The score sheets of an order that knew them: the lowest sheets first."""
    return calls_until_settled(sorted((s for _, s in sample), key=lambda s: Fraction(sum(s), len(s))), tau)


def beyond_the_floor(checks: list[Checked], sheets: list[Scored], tau: float) -> dict[str, int]:
    """Of every review asked for, how many check calls and score sheets even the floor's order would still skip.

    >>> beyond_the_floor([("g", [("a", False), ("b", True), ("c", True)])], [[("a", [9] * 6), ("b", [2] * 6)]], 8.0)
    {'checks': 2, 'sheets': 1}
    """
    return {
        "checks": sum(len(sheet) - floor_checks((g, sheet)) for g, sheet in checks),
        "sheets": sum(len(sample) - floor_sheets(sample, tau) for sample in sheets),
    }
