"""The order a sample's reviewers are asked for their score sheets under early exit.

After k sheets a sample is rejected once even 10s from the other reviewers could not lift
μ to τ (:func:`gra_agents.rejected_already`); μ and σ do not depend on who scored first,
so the order changes how many sheets a rejection costs and never the decision.
:class:`HarshestFirst` asks first the reviewer whose sheets have averaged lowest, since a
low first sheet is what settles a rejection early. The sheets are stored, and read by the
adjudicator, in the drawn order whatever order they were asked in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from fractions import Fraction


class HarshestFirst:
    """Orders reviewers by the mean of their score sheets' averages so far, lowest first.

    Each member starts with one made-up sheet at ``prior`` (τ by default), so a member
    never seen sits at τ: behind the members known to score below τ, ahead of the lenient.

    >>> order = HarshestFirst([("a", [9] * 6), ("b", [4] * 6)])
    >>> order.order(("a", "c", "b"))
    ['b', 'c', 'a']
    >>> [float(order.mean(m)) for m in "abc"]
    [8.5, 6.0, 8.0]
    >>> {m: float(mean) for m, mean in order.seen().items()}
    {'a': 9.0, 'b': 4.0}
    """

    def __init__(self, sheets: Iterable[tuple[str, Sequence[int]]] = (), prior: float = 8.0):
        self.prior = Fraction(prior)
        self.total: defaultdict[str, Fraction] = defaultdict(Fraction)
        self.count: defaultdict[str, int] = defaultdict(int)
        for member, scores in sheets:
            self.record(member, scores)

    def record(self, member: str, scores: Sequence[int]) -> None:
        """One score sheet ``member`` gave."""
        self.total[member] += Fraction(sum(scores), len(scores))
        self.count[member] += 1

    def mean(self, member: str) -> Fraction:
        """The mean of the member's sheet averages, with the one made-up sheet at the prior."""
        return (self.total.get(member, Fraction(0)) + self.prior) / (self.count.get(member, 0) + 1)

    def seen(self) -> dict[str, Fraction]:
        """Each member that has given a sheet → the mean of its sheet averages, without the made-up sheet."""
        return {member: self.total[member] / count for member, count in self.count.items()}

    def order(self, reviewers: Iterable[str]) -> list[str]:
        """``reviewers`` harshest first; ties keep the drawn order (so one member in several seats keeps its seats)."""
        return sorted(reviewers, key=self.mean)
