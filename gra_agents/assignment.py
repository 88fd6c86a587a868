"""Who plays which role for one sample (paper §3.1).

The generator is drawn from the whole pool; the reviewers from everyone else; the
adjudicator from whoever is left. The draw depends only on the random generator you
pass, so seeding it with (run seed, sample id) makes a sample's roles reproducible.

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


def assign_roles(members: Sequence[str], n_reviewers: int, rng: random.Random) -> RoleAssignment:
    """Draw a generator, ``n_reviewers`` distinct reviewers and an adjudicator, all different."""
    names = list(dict.fromkeys(members))
    if len(names) != len(members):
        raise ValueError("member names must be unique")
    if n_reviewers < 1:
        raise ValueError("n_reviewers must be at least 1")
    if len(names) < n_reviewers + 2:
        raise ValueError(
            f"a pool of {len(names)} members cannot fill 1 generator + {n_reviewers} reviewers + 1 adjudicator"
        )
    drawn = rng.sample(names, n_reviewers + 2)
    return RoleAssignment(generator=drawn[0], reviewers=tuple(drawn[1:-1]), adjudicator=drawn[-1])


def sample_rng(run_seed: int, sample_key: str) -> random.Random:
    """A random generator that depends only on the run seed and the sample's key."""
    return random.Random(f"{run_seed}:{sample_key}")
