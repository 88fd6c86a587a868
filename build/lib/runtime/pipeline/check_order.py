"""The order a sample's reviewers are asked for the instruction checks under early exit.

Any 0 from any reviewer rejects an instruction, so the order changes how many check calls
a rejected instruction costs and never the decision. :class:`StrictestFirst` asks first the
reviewers running another model than the generator's (a judge may favour what its own
weights wrote; ``bench/review_order.py`` measures how much, as ``self_preference``, and the
README gives what it found), and within each group the reviewer likeliest to reject,
judged by how often each member rejected the instructions it was the first to check.
Only first checks count: a later reviewer sees only instructions the earlier ones passed,
which would make it look more lenient than it is. A member with no record starts at an
even chance (1 of 2), above what most members reject, so every member is tried first
early in a run. Score sheets keep the drawn order: the adjudicator reads them in that order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping


class StrictestFirst:
    """Orders reviewers: another model than the generator's first, then by the smoothed rate of rejecting first checks.

    ``model_of`` maps a member to the model it runs; without it (or for a generator not in
    it) only the rates count.

    >>> order = StrictestFirst([("a", True), ("b", False), ("b", False)], {"a": "m1", "b": "m2", "c": "m2", "g": "m1"})
    >>> order.order(("b", "c", "a"))
    ['a', 'c', 'b']
    >>> order.order(("b", "c", "a"), generator="g")  # a runs g's model: asked last
    ['c', 'b', 'a']
    >>> [round(order.rate(m), 2) for m in "abc"]
    [0.67, 0.25, 0.5]
    """

    def __init__(self, first_checks: Iterable[tuple[str, bool]] = (), model_of: Mapping[str, str] | None = None):
        self.model_of = dict(model_of or {})
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

    def order(self, reviewers: Iterable[str], generator: str | None = None) -> list[str]:
        """``reviewers``, those on ``generator``'s model last, strictest first within each; ties keep the drawn order.

        Keeping ties in the drawn order keeps one member in several seats in its seats.
        """
        own = self.model_of.get(generator) if generator is not None else None
        return sorted(reviewers, key=lambda r: (own is not None and self.model_of.get(r) == own, -self.rate(r)))
