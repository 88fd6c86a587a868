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
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleAssignment:
    generator: str
    reviewers: tuple[str, ...]
    adjudicator: str


def _checked(members: Sequence[str], n_reviewers: int) -> list[str]:
    names = list(dict.fromkeys(members))
    if len(names) != len(members):
        raise ValueError("member names must be unique")
    if n_reviewers < 1:
        raise ValueError("n_reviewers must be at least 1")
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


def sample_rng(run_seed: int, sample_key: str) -> random.Random:
    """A random generator that depends only on the run seed and the sample's key."""
    return random.Random(f"{run_seed}:{sample_key}")
