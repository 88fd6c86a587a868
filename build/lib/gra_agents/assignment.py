"""Who plays which role for one sample (paper §3.1).

Every sample has a generator, ``n_reviewers`` reviewers and an adjudicator, all different
members. Each role is drawn at random per sample, and the draw is reproducible: it depends
only on the run seed and the sample.

A synthesis round draws in balanced blocks (:func:`round_roles`): the candidates of a round
are cut into blocks of as many samples as there are members, and within a block every
member is generator once, adjudicator once and reviewer ``n_reviewers`` times. For any one
sample the draw is as uniform as an independent one (a random member generates, a random
set of the others reviews); across samples the members' shares of the work no longer rest
on the luck of the draw, and that share is an engine's load.

>>> names = ["a", "b", "c", "d", "e", "f"]
>>> block = [round_roles(names, 3, run_seed=7, round_=1, ordinal=i) for i in range(6)]
>>> sorted(r.generator for r in block) == names
True
>>> from collections import Counter
>>> set(Counter(m for r in block for m in r.reviewers).values())
{3}

:func:`assign_roles` is the independent draw, from any random generator you pass:

>>> import random
>>> a = assign_roles(["a", "b", "c", "d", "e"], n_reviewers=3, rng=random.Random(7))
>>> a.generator not in a.reviewers and a.adjudicator not in (a.generator, *a.reviewers)
True

The paper's role ablations (§5.1) draw no roles at all: ``fixed`` seats the members in
pool order for every sample, ``single:MEMBER`` puts one member in every seat.

>>> fixed_roles(["a", "b", "c", "d", "e"], 3)
RoleAssignment(generator='a', reviewers=('b', 'c', 'd'), adjudicator='e')
>>> single_member_roles("b", 3)
RoleAssignment(generator='b', reviewers=('b', 'b', 'b'), adjudicator='b')
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleAssignment:
    generator: str | None  # None when there is nothing to generate (``gra curate``)
    reviewers: tuple[str, ...]
    adjudicator: str


def _checked(members: Sequence[str], n_reviewers: int) -> list[str]:
    names = list(dict.fromkeys(members))
    if len(names) != len(members):
        raise ValueError("member names must be unique")
    if n_reviewers < 0:
        raise ValueError("n_reviewers must be at least 0")
    if len(names) < n_reviewers + 2:
        raise ValueError(
            f"a pool of {len(names)} members cannot fill 1 generator + {n_reviewers} reviewers + 1 adjudicator"
        )
    return names


def _roles(drawn: Sequence[str], n_reviewers: int) -> RoleAssignment:
    return RoleAssignment(
        generator=drawn[0], reviewers=tuple(drawn[1 : 1 + n_reviewers]), adjudicator=drawn[1 + n_reviewers]
    )


def assign_roles(members: Sequence[str], n_reviewers: int, rng: random.Random) -> RoleAssignment:
    """Draw a generator, ``n_reviewers`` distinct reviewers and an adjudicator, all different."""
    names = _checked(members, n_reviewers)
    return _roles(rng.sample(names, n_reviewers + 2), n_reviewers)


def round_roles(members: Sequence[str], n_reviewers: int, run_seed: int, round_: int, ordinal: int) -> RoleAssignment:
    """The roles of candidate ``ordinal`` (0, 1, ...) of round ``round_``, drawn in balanced blocks.

    Candidates ``k*n .. k*n + n-1`` (``n`` members) form block ``k``. The block seats the
    members in a ring in random order (seeded by the run seed, round and block), and the
    candidate at position ``p`` reads its roles off the ring from seat ``p``: the generator,
    then the reviewers, then the adjudicator. So each member takes every seat once per block.
    """
    names = _checked(members, n_reviewers)
    if ordinal < 0:
        raise ValueError(f"ordinal must be >= 0, got {ordinal}")
    block, position = divmod(ordinal, len(names))
    ring = random.Random(f"{run_seed}:r{round_}:block{block}").sample(names, len(names))
    return _roles(ring[position:] + ring[:position], n_reviewers)


#: How roles are seated: drawn per sample (the paper), drawn with the judge seats leaning to
#: reliable members, fixed in pool order, or one member in all.
ROLE_DRAWS: tuple[str, ...] = ("random", "reliability", "fixed", "single:MEMBER")


def parse_role_draw(spec: str) -> tuple[str, str | None]:
    """``"random"``, ``"fixed"`` or ``"single:MEMBER"`` as ``(mode, member)``; anything else raises ValueError.

    >>> parse_role_draw("single:qwen05-a")
    ('single', 'qwen05-a')
    """
    mode, sep, member = spec.partition(":")
    if mode in ("random", "reliability", "fixed") and not sep:
        return mode, None
    if mode == "single" and member:
        return mode, member
    raise ValueError(f"roles must be one of {', '.join(ROLE_DRAWS)}, got {spec!r}")


#: The least weight a member's judging gets: a member at or below chance still sits, rarely.
MIN_WEIGHT = 0.05


def reliability_weight(reliability: float) -> float:
    """How strongly a member is drawn into a judge seat: its agreement with labels above chance (0.5).

    >>> reliability_weight(0.75), reliability_weight(0.4)
    (0.25, 0.05)
    """
    return max(reliability - 0.5, MIN_WEIGHT)


def weighted_order(names: Sequence[str], weights: dict[str, float], rng: random.Random) -> list[str]:
    """``names`` in a random order where heavier names come first more often (weighted draw without replacement)."""
    keys = {n: rng.random() ** (1.0 / weights.get(n, MIN_WEIGHT)) for n in names}
    return sorted(names, key=lambda n: -keys[n])


def reliability_roles(
    members: Sequence[str],
    n_reviewers: int,
    reliability: dict[str, float],
    run_seed: int,
    round_: int,
    ordinal: int,
) -> RoleAssignment:
    """Roles whose judge seats lean to the members that judged the labelled sets best (``--roles reliability``).

    The generator is read off the balanced ring as :func:`round_roles` reads it, so every
    member still generates its share. The adjudicator, then the reviewers, are drawn from
    the others with weights :func:`reliability_weight`: the adjudicator's seat decides alone,
    so it goes to the most reliable most often. All seats stay different members.

    >>> r = reliability_roles(["a", "b", "c", "d", "e"], 2, {"d": 0.9}, run_seed=1, round_=1, ordinal=0)
    >>> len({r.generator, r.adjudicator, *r.reviewers})
    4
    """
    names = _checked(members, n_reviewers)
    generator = round_roles(names, n_reviewers, run_seed, round_, ordinal).generator
    rng = random.Random(f"{run_seed}:r{round_}:reliability:{ordinal}")
    weights = {n: reliability_weight(reliability.get(n, 0.5)) for n in names}
    judges = weighted_order([n for n in names if n != generator], weights, rng)
    return RoleAssignment(generator=generator, reviewers=tuple(judges[1 : 1 + n_reviewers]), adjudicator=judges[0])


def reliability_committee(
    members: Sequence[str], n_reviewers: int, reliability: dict[str, float], run_seed: int, ordinal: int
) -> RoleAssignment:
    """The judges of row ``ordinal`` of ``gra curate --roles reliability``, drawn as :func:`reliability_roles` does.

    >>> r = reliability_committee(["a", "b", "c", "d", "e"], 3, {"a": 0.8}, run_seed=1, ordinal=0)
    >>> r.generator is None and len({r.adjudicator, *r.reviewers})
    4
    """
    names = list(dict.fromkeys(members))
    if n_reviewers < 1 or len(names) < n_reviewers + 1:
        raise ValueError(f"a pool of {len(names)} members cannot fill {n_reviewers} reviewers + 1 adjudicator")
    rng = random.Random(f"{run_seed}:curate:reliability:{ordinal}")
    weights = {n: reliability_weight(reliability.get(n, 0.5)) for n in names}
    judges = weighted_order(names, weights, rng)
    return RoleAssignment(generator=None, reviewers=tuple(judges[1 : 1 + n_reviewers]), adjudicator=judges[0])


def fixed_roles(members: Sequence[str], n_reviewers: int) -> RoleAssignment:
    """The same seats for every sample (the paper's fixed roles): generator, reviewers, adjudicator in pool order."""
    return _roles(_checked(members, n_reviewers), n_reviewers)


def single_member_roles(member: str, n_reviewers: int) -> RoleAssignment:
    """One member in every seat (the paper's single-model team); its reviews are independent samples."""
    if n_reviewers < 0:
        raise ValueError("n_reviewers must be at least 0")
    return RoleAssignment(generator=member, reviewers=(member,) * n_reviewers, adjudicator=member)


def single_reviewer_roles(
    members: Sequence[str], reviewer: str, run_seed: int, round_: int, ordinal: int
) -> RoleAssignment:
    """Roles when one member reviews every sample alone (the paper's single-model reviewer, §4.3).

    The generator and the adjudicator are drawn from the other members as :func:`round_roles`
    draws them, so the reviewer never judges its own sample.

    >>> r = single_reviewer_roles(["a", "b", "c", "d"], "b", run_seed=1, round_=1, ordinal=0)
    >>> r.reviewers, "b" in (r.generator, r.adjudicator)
    (('b',), False)
    """
    others = [n for n in dict.fromkeys(members) if n != reviewer]
    if len(others) == len(members):
        raise ValueError(f"no member named {reviewer!r} (members: {', '.join(members)})")
    drawn = round_roles(others, 1, run_seed, round_, ordinal)
    return RoleAssignment(generator=drawn.generator, reviewers=(reviewer,), adjudicator=drawn.adjudicator)


def committee_roles(
    members: Sequence[str], n_reviewers: int, run_seed: int, ordinal: int, reviewer: str | None = None
) -> RoleAssignment:
    """The judges of row ``ordinal`` (0, 1, ...) of data that has no generator (``gra curate``).

    ``n_reviewers`` reviewers and an adjudicator, all different, read off a ring of the
    members in balanced blocks as :func:`round_roles` does. With ``reviewer``, that one
    member reviews every row alone (the paper's single-model reviewer) and the adjudicator
    is drawn from the others.

    >>> committee_roles(["a", "b", "c"], 2, run_seed=1, ordinal=0).generator is None
    True
    >>> committee_roles(["a", "b", "c"], 2, run_seed=1, ordinal=0, reviewer="b").reviewers
    ('b',)
    """
    names = list(dict.fromkeys(members))
    if reviewer is not None:
        if reviewer not in names:
            raise ValueError(f"no member named {reviewer!r} (members: {', '.join(names)})")
        others = [n for n in names if n != reviewer]
        if not others:
            raise ValueError("a single reviewer needs another member to adjudicate")
        rng = random.Random(f"{run_seed}:curate:{ordinal}")
        return RoleAssignment(generator=None, reviewers=(reviewer,), adjudicator=rng.choice(others))
    if n_reviewers < 1 or len(names) < n_reviewers + 1:
        raise ValueError(f"a pool of {len(names)} members cannot fill {n_reviewers} reviewers + 1 adjudicator")
    block, position = divmod(ordinal, len(names))
    ring = random.Random(f"{run_seed}:curate:block{block}").sample(names, len(names))
    ring = ring[position:] + ring[:position]
    return RoleAssignment(generator=None, reviewers=tuple(ring[:n_reviewers]), adjudicator=ring[n_reviewers])


def sample_rng(run_seed: int, sample_key: str) -> random.Random:
    """A random generator that depends only on the run seed and the sample's key."""
    return random.Random(f"{run_seed}:{sample_key}")
