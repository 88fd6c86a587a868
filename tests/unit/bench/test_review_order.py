"""bench/check_order.py counts each order's check calls on the same checks."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from check_order import calls_until_a_zero, orders, rejection_rates  # noqa: E402


def test_early_exit_stops_at_the_first_zero():
    assert [calls_until_a_zero(o) for o in ([True, True], [False, True, False], [False] * 3)] == [1, 2, 3]


def test_a_strict_member_drawn_last_is_learned_and_asked_first():
    samples = [[("lenient", False), ("strict", True)]] * 6 + [[("lenient", False), ("strict", False)]]
    got = orders(samples)
    assert got["drawn"] == 14 and got["floor"] == 8
    assert got["strictest_known"] == 8  # strict first from the start: 1 call for each 0, 2 for the pass
    assert got["floor"] <= got["strictest_first"] < got["drawn"]  # it pays a little to learn who is strict
    assert rejection_rates(samples) == {"lenient": 0.0, "strict": 0.857}
