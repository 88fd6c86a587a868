"""`gra curate`: the committee over rows a user already has; each row judged once, returned in order."""

import json

import pytest

from runtime.pipeline.curation import Curator
from runtime.storage.export import write_curated
from tests.helpers.committee import Committee
from tests.helpers.judging import judge_file

ROWS = [
    {"id": "a", "instruction": "Add 2 and 3.", "input": "", "output": "5", "source": "mine"},
    {"instruction": "Name the capital of France.", "output": "Paris"},
    {"id": "c", "instruction": "Multiply 4 by 6.", "input": "", "output": "25 (WRONG)"},
    {"id": "d", "instruction": "Spell the word cat backwards.", "input": "", "output": "tac (DISPUTED)"},
]


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    return path


@pytest.fixture
def fake(committee_engine):
    return committee_engine


def curate(tmp_path, fake, data, **config):
    return judge_file(Curator, write_curated, tmp_path, fake, data, 4, **config)


def test_every_row_comes_back_once_in_input_order_with_its_fields(tmp_path, fake, data):
    store, rows = curate(tmp_path, fake, data)

    assert [r["id"] for r in rows] == ["a", "seed-2", "c", "d"]  # a row without an id gets one
    assert rows[0]["source"] == "mine" and rows[0]["output"] == "5"
    statuses = {r["id"]: r["status"] for r in rows}
    expected = {"a": "accepted", "seed-2": "accepted", "c": "rejected_verification", "d": "rejected_adjudication"}
    assert statuses == expected  # 4 × 6 is 24: three programs said so, and no sheet was asked for
    for r in rows:
        assert len(r["reviews"]) == 3 and all(set(v) >= {"reviewer", "checks"} for v in r["reviews"])
        sheets = [v for v in r["reviews"] if "scores" in v]
        assert len(sheets) == (0 if r["id"] == "c" else 3)
        programs = 3 if r["id"] in ("a", "c") else 0  # the math rows are verified
        calls = store.calls_of(r["id"])
        checks = 3 * 3  # three reviewers, one question per check
        assert len(calls) == checks + programs + len(sheets) + (r["id"] == "d")  # the adjudicator for the dispute
    assert rows[3]["mean"] == pytest.approx(8.0) and rows[3]["adjudicated_mean"] == 5.0
    accepted = [json.loads(line)["id"] for line in (tmp_path / "accepted.jsonl").read_text().splitlines()]
    assert accepted == ["a", "seed-2"]


@pytest.mark.parametrize("vote", ["majority", "mean"])
def test_a_2_of_3_dispute_the_adjudicator_rejects_is_accepted_by_majority_and_by_mean(tmp_path, fake, data, vote):
    store, rows = curate(tmp_path, fake, data, vote=vote)

    d = rows[3]
    assert d["status"] == "accepted" and d["adjudication"] is None
    assert not [c for c in store.calls_of("d") if c["role"] == "adjudicator"]


def test_a_single_named_reviewer_judges_every_row_alone(tmp_path, fake, data):
    _, rows = curate(tmp_path, fake, data, reviewer_member="m2")

    assert {v["reviewer"] for r in rows for v in r["reviews"]} == {"m2"}
    assert [len(r["reviews"]) for r in rows] == [1, 1, 1, 1]
    assert rows[3]["status"] == "accepted"  # one reviewer cannot disagree with itself: no dispute


def test_a_row_whose_reviewer_fails_is_failed_with_the_reason_and_the_others_go_on(tmp_path, fake, data):
    fake.respond = Committee(broken="Name the capital of France.")
    _, rows = curate(tmp_path, fake, data)

    b = rows[1]
    assert b["status"] == "failed" and b["failure"].startswith("score:")
    assert [r["status"] for r in rows if r["id"] != b["id"]] == [
        "accepted",
        "rejected_verification",
        "rejected_adjudication",
    ]


def test_a_second_pass_judges_no_settled_row_again(tmp_path, fake, data):
    store, _ = curate(tmp_path, fake, data)
    calls = store.db["lm_calls"].count
    store.update_sample("d", status="reviewing")  # cut off mid-way, as by a crash

    store, rows = curate(tmp_path, fake, data)

    assert rows[3]["status"] == "rejected_adjudication" and len(rows[3]["reviews"]) == 3
    assert store.db["lm_calls"].count == calls  # the restarted row's calls were served from the database
    # the first time only: each row's 9 checks (3 reviewers × 3), then a: 3 programs + 3 sheets, seed-2: 3 sheets,
    # c: 3 programs, d: 3 sheets + the adjudicator
    assert len(fake.requests) == 4 * 9 + 6 + 3 + 3 + 4
