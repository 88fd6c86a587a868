"""The order a sample's reviewers are asked for the instruction checks under early exit.

Any 0 from any reviewer rejects an instruction, so the order changes how many check calls
a rejected instruction costs and never the decision. :class:`StrictestFirst` asks first the
reviewer likeliest to reject, judged by how often each member rejected the instructions it
was the first to check. Only first checks count: a later reviewer sees only instructions
the earlier ones passed, which would make it look more lenient than it is. A member with
no record starts at an even chance (1 of 2), above what most members reject, so every
member is tried first early in a run. Score sheets keep the drawn order: the adjudicator
reads them in that order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


class StrictestFirst:
    """Orders reviewers by their smoothed rate of rejecting the instructions they checked first.

    >>> order = StrictestFirst([("a", True), ("b", False), ("b", False)])
    >>> order.order(("b", "c", "a"))
    ['a', 'c', 'b']
    >>> [round(order.rate(m), 2) for m in "abc"]
    [0.67, 0.25, 0.5]
    """

    def __init__(self, first_checks: Iterable[tuple[str, bool]] = ()):
        self.asked, self.rejected = Counter(), Counter()
        for member, rejected in first_checks:
            self.record(member, rejected)

    def record(self, member: str, rejected: bool) -> None:
        """One instruction ``member`` checked first: did it give a 0?"""
        self.asked[member] += 1
        self.rejected[member] += bool(rejected)

    def rate(self, member: str) -> float:
        """The rejection rate with one rejection and one pass added (Laplace), so an unknown member is 0.5."""
        return (self.rejected[member] + 1) / (self.asked[member] + 2)

    def order(self, reviewers: Iterable[str]) -> list[str]:
        """``reviewers`` strictest first; ties keep the drawn order (so one member in several seats keeps its seats)."""
        return sorted(reviewers, key=self.rate, reverse=True)
