"""bench/full_reviews.py reads a full-review run's reviews back and counts what even a perfect order must ask."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from full_reviews import beyond_the_floor, checks_by_sample, floor_checks, floor_sheets, sheets_by_sample  # noqa: E402

from tests.helpers.full_reviews import full_review_run  # noqa: E402


def test_the_reviews_come_back_in_the_drawn_order_and_unreviewed_samples_are_left_out(tmp_path):
    store = full_review_run(tmp_path)
    assert checks_by_sample(store) == [
        ("g", [("a", False), ("b", True), ("c", True)]),
        ("g", [("a", False), ("b", False), ("c", False)]),
    ]
    assert sheets_by_sample(store) == [[("a", [9] * 6), ("b", [2] * 6), ("c", [10] * 6)]]


def test_the_floor_stops_a_rejection_at_one_check_and_asks_the_lowest_sheet_first(tmp_path):
    store = full_review_run(tmp_path)
    checks, sheets = checks_by_sample(store), sheets_by_sample(store)
    assert [floor_checks(c) for c in checks] == [1, 3]
    assert floor_sheets(sheets[0], 8.0) == 1  # (2 + 10 + 10) / 3 < 8 after the 2s alone
    assert beyond_the_floor(checks, sheets, 8.0) == {"checks": 2, "sheets": 2}


def test_a_sample_that_passes_everything_costs_every_review_even_at_the_floor():
    sample = [("a", [9] * 6), ("b", [8] * 6), ("c", [10] * 6)]
    assert floor_sheets(sample, 8.0) == 3
    assert beyond_the_floor([("g", [("a", False), ("b", False)])], [sample], 8.0) == {"checks": 0, "sheets": 0}
