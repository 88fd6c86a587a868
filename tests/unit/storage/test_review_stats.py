"""What the judges said over a run, as the report plots it."""

from runtime.storage.review_stats import (
    adjudication_outcomes,
    check_failure_shares,
    domain_shares,
    examples,
    first_checks,
    score_sheets,
    sigmas,
)
from runtime.storage.store import Store
from tests.helpers.run_dirs import make_run


def test_the_judges_over_a_whole_run(tmp_path):
    store = Store(make_run(tmp_path / "run") / "gra.db")
    sheets = score_sheets(store)
    assert len(sheets) == 12 and sheets[0] == ("m1", dict.fromkeys(sheets[0][1], 9))
    assert check_failure_shares(store) == {"reasonable": 0.0, "complete": 1 / 13, "clear": 0.0}
    assert sorted(sigmas(store)) == [0.0, 0.47, 0.47, 2.16]
    assert adjudication_outcomes(store) == {"accepted": 1, "rejected": 0}


def test_domains_of_the_seeds_against_each_rounds_kept_samples(tmp_path):
    shares = domain_shares(Store(make_run(tmp_path / "run") / "gra.db"))
    assert shares == {"seeds": {"Coding": 0.5, "Math": 0.5}, "round 1": {"Math": 1.0}, "round 2": {"Math": 1.0}}


def test_examples_are_the_best_kept_then_a_disputed_and_a_rejected_one(tmp_path):
    picked = [s["id"] for s in examples(Store(make_run(tmp_path / "run") / "gra.db"))]
    assert picked == ["r1-a", "r2-a", "r1-b", "r2-low"]


def test_first_checks_are_each_samples_first_instruction_sheet(tmp_path):
    store = Store(tmp_path / "gra.db")
    for sid, sheets in {"a": [("m1", [1, 1, 1]), ("m2", [1, 0, 1])], "b": [("m2", [0, 1, 1])]}.items():
        store.new_sample({"id": sid, "round": 1, "ordinal": ord(sid), "status": "rejected_instruction"})
        for reviewer, checks in sheets:
            store.add_review(sid, reviewer, "instruction", checks, None)
    store.add_review("a", "m3", "response", [1] * 6, "low")
    assert first_checks(store) == [("m1", False), ("m2", True)]
