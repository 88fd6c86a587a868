"""What the judges said over a run, as the report plots it."""

from runtime.storage.review_stats import (
    adjudication_outcomes,
    check_failure_shares,
    domain_shares,
    examples,
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
