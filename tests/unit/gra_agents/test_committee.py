"""The committee rule, on the paper's own worked cases (GRA §3.2, Appendix)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gra_agents import VOTES, adjudication_accepts, rejected_already, verdict


def test_case_1_high_mean_but_disagreement_goes_to_the_adjudicator():
    v = verdict([[9, 10, 10, 10, 10, 10], [9, 9, 10, 10, 10, 10], [6, 4, 5, 4, 5, 3]], tau=8.0, delta=1.5)
    assert v.decision == "adjudicate"
    assert v.mean == 8.0
    assert v.std == pytest.approx(2.4758, abs=1e-4)


def test_case_2_adjudicator_settles_a_split_committee():
    # three reviewers average 6.0, 9.0 and 9.67: mu ~ 8.2, sigma ~ 1.6 (> delta), so adjudicate
    v = verdict([[6, 6, 6, 6, 6, 6], [9, 9, 9, 9, 9, 9], [10, 10, 10, 10, 9, 9]])
    assert v.decision == "adjudicate"
    assert v.mean == pytest.approx(8.2, abs=0.05)
    assert v.std == pytest.approx(1.6, abs=0.01)
    assert adjudication_accepts([8, 8, 8, 8, 8, 9])  # 8.17 >= tau: accepted
    assert not adjudication_accepts([8, 8, 8, 8, 7, 8])  # 7.83 < tau: rejected


def test_agreeing_high_scores_are_accepted_and_low_ones_rejected():
    assert verdict([[9] * 6, [8] * 6, [9] * 6]).decision == "accept"
    assert verdict([[7] * 6, [8] * 6, [8] * 6]).decision == "reject"


def test_low_mean_is_rejected_even_when_reviewers_disagree():
    assert verdict([[10] * 6, [1] * 6, [5] * 6]).decision == "reject"


def test_boundaries_are_inclusive_and_exact():
    # mu exactly tau accepts; sigma exactly delta still accepts
    assert verdict([[8] * 6, [8] * 6, [8] * 6]).decision == "accept"
    v = verdict([[7] * 6, [10] * 6], tau=8.5, delta=1.5)  # averages 7 and 10: mu 8.5, sigma 1.5
    assert (v.decision, v.mean, v.std) == ("accept", 8.5, 1.5)
    assert verdict([[7] * 6, [10] * 6], tau=8.5, delta=1.49).decision == "adjudicate"
    assert adjudication_accepts([8, 8, 8, 8, 8, 8])


def test_thresholds_are_parameters():
    scores = [[7] * 6, [7] * 6, [7] * 6]
    assert verdict(scores).decision == "reject"
    assert verdict(scores, tau=7.0).decision == "accept"


def test_empty_scores_are_refused():
    with pytest.raises(ValueError):
        verdict([])
    with pytest.raises(ValueError):
        verdict([[]])


@settings(max_examples=500)
@given(
    sheets=st.lists(st.lists(st.integers(1, 10), min_size=6, max_size=6), min_size=1, max_size=6),
    tau=st.sampled_from([6.0, 7.0, 7.5, 8.0, 8.5, 9.0]),
    delta=st.sampled_from([0.5, 1.0, 1.5, 2.0]),
    vote=st.sampled_from(VOTES),
)
def test_an_early_reject_is_always_the_full_committees_decision(sheets, tau, delta, vote):
    n = len(sheets)
    early = next((k for k in range(1, n + 1) if rejected_already(sheets[:k], n, tau)), None)
    full = verdict(sheets, tau, delta, vote).decision
    if early is not None:
        assert full == "reject"
    assert rejected_already(sheets, n, tau) == (verdict(sheets, tau, delta).decision == "reject")  # all in: μ < τ
