import random

import pytest

from gra_agents import assign_roles, sample_rng

POOL = ["smollm2-a", "smollm2-b", "smollm2-c", "gemma3-a", "gemma3-b"]


def test_generator_reviewers_and_adjudicator_are_always_different_members():
    for i in range(2000):
        a = assign_roles(POOL, n_reviewers=3, rng=random.Random(i))
        everyone = [a.generator, *a.reviewers, a.adjudicator]
        assert len(set(everyone)) == 5 and set(everyone) <= set(POOL)


def test_every_member_gets_every_role_over_many_samples():
    seen = {"generator": set(), "reviewer": set(), "adjudicator": set()}
    for i in range(500):
        a = assign_roles(POOL, 3, random.Random(i))
        seen["generator"].add(a.generator)
        seen["reviewer"].update(a.reviewers)
        seen["adjudicator"].add(a.adjudicator)
    assert all(s == set(POOL) for s in seen.values())


def test_the_draw_depends_only_on_run_seed_and_sample_id():
    a = assign_roles(POOL, 3, sample_rng(7, "r1-00003"))
    assert a == assign_roles(POOL, 3, sample_rng(7, "r1-00003"))
    draws = {assign_roles(POOL, 3, sample_rng(7, f"r1-{i:05d}")) for i in range(50)}
    assert len(draws) > 10


def test_a_pool_too_small_for_the_roles_is_refused():
    with pytest.raises(ValueError, match="cannot fill"):
        assign_roles(POOL[:4], n_reviewers=3, rng=random.Random(0))
    assert assign_roles(POOL[:3], n_reviewers=1, rng=random.Random(0)).adjudicator in POOL[:3]


def test_duplicate_member_names_are_refused():
    with pytest.raises(ValueError, match="unique"):
        assign_roles(["a", "a", "b", "c", "d"], 3, random.Random(0))
