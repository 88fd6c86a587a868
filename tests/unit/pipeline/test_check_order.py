"""The checks' order: strictest first, judged only by the instructions each member checked first."""

from runtime.pipeline.check_order import StrictestFirst


def test_a_member_that_rejected_more_of_its_first_checks_is_asked_earlier():
    order = StrictestFirst(
        [("lenient", False)] * 9 + [("lenient", True)] + [("strict", True)] * 4 + [("strict", False)]
    )
    assert order.order(["lenient", "strict"]) == ["strict", "lenient"]


def test_a_member_never_asked_first_is_tried_before_the_lenient_ones():
    order = StrictestFirst([("a", False)] * 3 + [("a", True)])
    assert order.rate("new") == 0.5 > order.rate("a")
    assert order.order(["a", "new"]) == ["new", "a"]


def test_ties_keep_the_drawn_order_so_repeated_seats_stay_in_turn():
    assert StrictestFirst().order(["b", "a", "b", "c"]) == ["b", "a", "b", "c"]


def test_each_recorded_check_moves_the_rate():
    order = StrictestFirst()
    order.record("m", rejected=True)
    order.record("m", rejected=False)
    order.record("m", rejected=True)
    assert order.rate("m") == (2 + 1) / (3 + 2)
