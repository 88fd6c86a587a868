"""The paper's ablation switches on `gra synth`: how a dispute is settled, and a single-model reviewer."""

import asyncio
import json

import pytest

from runtime.config import SynthConfig
from runtime.pipeline import Coordinator, Team
from runtime.storage.store import Store
from tests.helpers.members import member


@pytest.fixture
def fake(committee_engine):
    return committee_engine


def one_sample(tmp_path, fake, **config):
    """One candidate of round 1, generated and judged; the generator always writes the disputed sample."""
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    store = Store(tmp_path / "gra.db")
    store.put_seed(
        {"id": "s1", "source": "x", "line": 1, "instruction": "Spell dog backwards.", "input": "", "output": "god"}
        | {"domain": "Language", "keywords": json.dumps(["spelling"]), "summary": "spell", "status": "annotated"}
    )
    c = Coordinator(Team(lms, {n: "fake" for n in lms}, {"fake": 4}), store, tmp_path, SynthConfig(**config))
    status = asyncio.run(c.sampler.run(1, 0, store.example_pool()))
    return status, store.sample("r1-00000"), store.calls_of("r1-00000")


@pytest.mark.parametrize(
    "vote,status,adjudicator_called",
    [("adjudicator", "rejected_adjudication", True), ("majority", "passed", False), ("mean", "passed", False)],
)
def test_a_2_of_3_dispute_is_settled_by_the_chosen_vote(tmp_path, fake, vote, status, adjudicator_called):
    got, sample, calls = one_sample(tmp_path, fake, vote=vote)

    assert got == status and sample["mean"] == pytest.approx(8.0) and sample["std"] > 1.5
    assert any(c["role"] == "adjudicator" for c in calls) == adjudicator_called


def test_a_single_named_member_reviews_the_sample_alone_and_never_its_own(tmp_path, fake):
    _, sample, calls = one_sample(tmp_path, fake, reviewer_member="m2")

    assert json.loads(sample["reviewers"]) == ["m2"] and "m2" not in (sample["generator"], sample["adjudicator"])
    assert {c["member"] for c in calls if c["role"] == "reviewer"} == {"m2"}
    assert sample["std"] == 0.0  # one reviewer: nothing to dispute
