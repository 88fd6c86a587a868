"""bench/review_order.py counts each order's check calls and score sheets on the same reviews."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from full_reviews import calls_until_a_zero, calls_until_settled  # noqa: E402
from review_order import (  # noqa: E402
    mean_sheet_averages,
    orders,
    rejection_rates,
    self_preference,
    sheet_orders,
)


def test_early_exit_stops_at_the_first_zero():
    assert [calls_until_a_zero(o) for o in ([True, True], [False, True, False], [False] * 3)] == [1, 2, 3]


def test_a_strict_member_drawn_last_is_learned_and_asked_first():
    samples = [("g", [("lenient", False), ("strict", True)])] * 6 + [("g", [("lenient", False), ("strict", False)])]
    got = orders(samples, {})
    assert got["drawn"] == 14 and got["floor"] == 8
    assert got["default_known"] == 8  # strict first from the start: 1 call for each 0, 2 for the pass
    assert got["floor"] <= got["strictest_first"] == got["default"] < got["drawn"]  # it pays a little to learn
    assert rejection_rates(samples) == {"lenient": 0.0, "strict": 0.857}


def test_the_default_asks_the_reviewers_on_the_generators_model_last():
    model_of = {"g": "small", "kin": "small", "stranger": "large"}
    samples = [("g", [("kin", False), ("stranger", True)])] * 4
    got = orders(samples, model_of)
    assert (got["drawn"], got["strictest_first"], got["default"]) == (8, 2 + 1 + 1 + 1, 4)  # rates pay one to learn
    assert self_preference(samples, model_of) == {
        "generators_model": {"checks": 4, "rejected": 0, "rate": 0.0},
        "other_model": {"checks": 4, "rejected": 4, "rate": 1.0},
    }


def test_score_sheets_stop_once_mu_below_tau_is_certain():
    assert calls_until_settled([[3] * 6, [10] * 6, [10] * 6], 8.0) == 1  # (3 + 10 + 10) / 3 < 8
    assert calls_until_settled([[9] * 6, [3] * 6, [10] * 6], 8.0) == 2  # (9 + 3 + 10) / 3 < 8
    assert calls_until_settled([[9] * 6, [9] * 6, [3] * 6], 8.0) == 3  # the low sheet comes last


def test_a_harsh_scorer_drawn_last_is_learned_and_asked_first():
    samples = [[("kind", [9] * 6), ("fair", [9] * 6), ("harsh", [3] * 6)]] * 4
    got = sheet_orders(samples, 8.0)
    assert got == {"samples": 4, "drawn": 12, "harshest_first": 3 + 1 + 1 + 1, "floor": 4}
    assert mean_sheet_averages(samples) == {"fair": 9.0, "harsh": 3.0, "kind": 9.0}
