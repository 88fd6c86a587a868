"""The paper's ablation switches on `gra synth`: the vote, a single-model reviewer, no review, and the role draws."""

import asyncio
import json

import pytest

from runtime.pipeline import Coordinator, Team
from runtime.settings import ConfigError, SynthConfig
from runtime.storage.funnel import Savings, funnel
from runtime.storage.store import Store
from tests.helpers.committee import Committee, check_answer
from tests.helpers.members import member


@pytest.fixture
def fake(committee_engine):
    return committee_engine


def one_sample(tmp_path, fake, ordinal=0, **config):
    """One candidate of round 1, generated and judged; the generator always writes the disputed sample."""
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    store = Store(tmp_path / "gra.db")
    store.put_seed(
        {"id": "s1", "source": "x", "line": 1, "instruction": "Spell dog backwards.", "input": "", "output": "god"}
        | {"domain": "Language", "keywords": json.dumps(["spelling"]), "summary": "spell", "status": "annotated"}
    )
    c = Coordinator(Team(lms, {n: "fake" for n in lms}, {"fake": 4}), store, tmp_path, SynthConfig(**config))
    status = asyncio.run(c.sampler.run(1, ordinal, store.example_pool()))
    sid = f"r1-{ordinal:05d}"
    return status, store.sample(sid), store.calls_of(sid)


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


def test_no_reviewers_send_every_generated_sample_to_dedup_unscored(tmp_path, fake):
    status, sample, calls = one_sample(tmp_path, fake, n_reviewers=0)

    assert status == "passed" and sample["mean"] is None and json.loads(sample["reviewers"]) == []
    assert {c["role"] for c in calls} == {"generator"}


def test_fixed_roles_seat_the_pool_in_order_for_every_sample(tmp_path, fake):
    seats = []
    for ordinal in range(3):
        (tmp_path / str(ordinal)).mkdir()
        _, sample, _ = one_sample(tmp_path / str(ordinal), fake, ordinal=ordinal, roles="fixed")
        seats.append((sample["generator"], json.loads(sample["reviewers"]), sample["adjudicator"]))

    assert seats == [("m0", ["m1", "m2", "m3"], "m4")] * 3


def test_one_member_in_every_seat_gives_three_independent_reviews(tmp_path, fake):
    status, sample, calls = one_sample(tmp_path, fake, roles="single:m3")

    assert (sample["generator"], json.loads(sample["reviewers"]), sample["adjudicator"]) == ("m3", ["m3"] * 3, "m3")
    scoring = [c for c in calls if c["role"] == "reviewer" and c["signature"] == "ScoreResponse"]
    assert len(scoring) == 3  # three answers
    assert len({c["seed"] for c in scoring}) == 3 and len({c["request_hash"] for c in scoring}) == 3
    assert status == "rejected_adjudication" and sample["std"] > 1.5  # the scripted 10/10/4 split: each seat answered


@pytest.mark.parametrize(
    "config,message",
    [
        ({"roles": "single"}, "roles must be one of random, reliability, fixed, single:MEMBER"),
        ({"roles": "fixed", "reviewer_member": "m1"}, "--reviewer-member seats one reviewer in random roles"),
        ({"n_reviewers": 0, "reviewer_member": "m1"}, "--reviewer-member seats one reviewer in random roles"),
    ],
)
def test_switches_that_cannot_go_together_are_refused_in_one_line(config, message):
    with pytest.raises(ConfigError, match=message):
        SynthConfig(**config)


def test_check_first_makes_the_paper_orders_very_calls_in_another_order(tmp_path, fake):
    runs = {}
    for order in ("paper", "check-first"):
        (tmp_path / order).mkdir()
        fake.respond = Committee()  # a fresh script: its split counts the calls it has answered
        status, sample, calls = one_sample(tmp_path / order, fake, order=order, early_exit=False)
        # The script gives its 4 to whichever reviewer asks third, and the adjudicator's prompt
        # carries the reviews by reviewer, so only its request depends on the reviewers' race.
        judged = sorted(c["request_hash"] for c in calls if c["role"] != "adjudicator")
        adjudications = sum(c["role"] == "adjudicator" for c in calls)
        runs[order] = (status, sample["instruction"], sample["output"], sample["mean"], judged, adjudications)

    assert runs["paper"] == runs["check-first"]  # same requests (scope, prompt, seed), same sample, same decision
    assert runs["paper"][-1] == 1


def test_check_first_writes_no_response_for_an_instruction_the_checks_reject(tmp_path, fake):
    script = fake.respond

    def zero_checks(body):
        if body["response_format"]["json_schema"]["name"] == "CheckInstruction":
            return check_answer(body, (1, 1, 0)), "stop"
        return script(body)

    fake.respond = zero_checks
    status, sample, calls = one_sample(tmp_path, fake)

    assert status == "rejected_instruction" and sample["output"] is None
    assert [c["signature"] for c in calls] == ["InventKeywords", "WriteInstruction"] + ["CheckInstruction"] * 3
    assert funnel(Store(tmp_path / "gra.db")).saved == Savings(responses=1, checks=2, scores=0)
