"""Early exit: reviewers are called only while their review can change the decision, and the decision never changes.

The property test puts random checks and score sheets in three scripted reviewers' mouths
and judges the same sample twice, with every review and with early exit.
"""

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gra_agents import RoleAssignment
from gra_agents.calibration import MemberCalibration
from runtime.pipeline import Members, Team
from runtime.pipeline.judges import Judges
from runtime.pipeline.reading import Reading
from runtime.settings import SynthConfig
from runtime.storage.store import Store
from signatures import SCORE_DIMENSIONS
from tests.helpers.committee import check_answer
from tests.helpers.fake_engine import FakeEngine, digit_logprobs
from tests.helpers.members import member

ROLES = RoleAssignment(generator="g", reviewers=("r0", "r1", "r2"), adjudicator="a")
CHECKS = st.lists(st.integers(0, 1), min_size=3, max_size=3)
SHEET = st.lists(st.integers(1, 10), min_size=6, max_size=6)


#: Calls one reviewer's checks take: one question per check.
CHECK = 3


@pytest.fixture(scope="module")
def engine():
    fake = FakeEngine([])
    yield fake
    fake.close()


def scripted(checks, sheets, adjudicator=8):
    """Each reviewer answers its own checks and sheet; the adjudicator gives ``adjudicator`` everywhere."""

    def respond(body):
        who, name = body["model"].removeprefix("gra-"), body["response_format"]["json_schema"]["name"]
        if name == "Adjudicate":
            return json.dumps(dict.fromkeys(SCORE_DIMENSIONS, adjudicator) | {"review": "ok"}), "stop"
        i = int(who[1])
        if name == "CheckInstruction":
            return check_answer(body, checks[i]), "stop"
        return json.dumps(dict(zip(SCORE_DIMENSIONS, sheets[i], strict=True)) | {"review": "fine"}), "stop"

    return respond


def judge(
    engine, db, checks, sheets, adjudicator=8, history=(), sheet_history=(), models=None, calibration=None, **config
):
    """Judge one sample with scripted reviewers; its status and how many calls it took.

    The sample is verified only when ``verify`` is given (these tests are about the committee's
    order); ``calibration`` (member → MemberCalibration) reads the sheets calibrated.

    ``history``: (reviewer, checks) of earlier samples' first instruction checks, already in the store;
    ``sheet_history``: (reviewer, score sheet) of earlier samples' scores; ``models``: member → model
    (else every member runs the same one).
    """
    engine.respond = scripted(checks, sheets, adjudicator)
    lms = {n: member(engine, n) for n in ("g", "r0", "r1", "r2", "a")}
    store, cfg = Store(db), SynthConfig(**({"verify": "off"} | config))
    for i, (reviewer, earlier) in enumerate(history):
        store.new_sample({"id": f"h{i}", "round": 1, "ordinal": i + 1, "status": "rejected_instruction"})
        store.add_review(f"h{i}", reviewer, "instruction", earlier, None)
    for i, (reviewer, sheet) in enumerate(sheet_history):
        store.new_sample({"id": f"p{i}", "round": 1, "ordinal": 100 + i, "status": "passed"})
        store.add_review(f"p{i}", reviewer, "response", sheet, "earlier")
    team = Team(lms, dict.fromkeys(lms, "fake"), {"fake": 4}, model_of=models or {})
    members = Members(team, store, cfg, db.parent, None)
    store.new_sample({"id": "s", "round": 1, "ordinal": 0, "status": "reviewing"})
    judges = Judges(members, cfg)
    if calibration is not None:
        judges.reading = Reading("calibrated", calibration)
    status = asyncio.run(judges.judge("s", ROLES, "Add 2 and 3.", "", "5", "Math"))
    return status, store.db["lm_calls"].count, store.sample("s")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    checks=st.lists(CHECKS, min_size=3, max_size=3),
    sheets=st.lists(SHEET, min_size=3, max_size=3),
    adjudicator=st.integers(1, 10),
    tau=st.sampled_from([7.0, 7.5, 8.0, 8.5]),
    vote=st.sampled_from(["adjudicator", "majority", "mean"]),
    asked=st.permutations(["r0", "r1", "r2"]),
)
def test_early_exit_reaches_the_decision_of_full_reviews_with_no_more_calls(
    engine, tmp_path_factory, checks, sheets, adjudicator, tau, vote, asked
):
    """Whatever order the earlier samples make early exit ask the reviewers in (``asked``, for checks and sheets)."""
    history = [(r, [0, 1, 1] if i == 0 else [1, 1, 1]) for i, r in enumerate(asked)]
    sheet_history = [(r, [2 + 3 * i] * 6) for i, r in enumerate(asked)]
    runs = {
        early: judge(
            engine,
            tmp_path_factory.mktemp("j") / "g.db",
            checks,
            sheets,
            adjudicator,
            history=history,
            sheet_history=sheet_history,
            tau=tau,
            vote=vote,
        )
        for early in (False, True)
    }
    (full, full_calls, full_row), (early, early_calls, early_row) = runs[False], runs[True]
    assert early == full and early_calls <= full_calls
    if early_calls == full_calls:  # nothing skipped: the very same record
        assert (early_row["mean"], early_row["std"]) == (full_row["mean"], full_row["std"])


MAPS = st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).map(sorted)
CUTS = st.floats(0.05, 0.95)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    checks=st.lists(CHECKS, min_size=3, max_size=3),
    sheets=st.lists(SHEET, min_size=3, max_size=3),
    maps=st.lists(MAPS, min_size=4, max_size=4),
    cuts=st.lists(CUTS, min_size=4, max_size=4),
    lean=st.floats(0.5, 0.95),
    tau=st.sampled_from([6.0, 7.0, 8.0]),
)
def test_early_exit_is_exact_for_calibrated_sheets_too(engine, tmp_path_factory, checks, sheets, maps, cuts, lean, tau):
    """Calibrated sheets (1 + 9 × P(right) ≤ 10) keep early exit's bound: the same decision as every review."""
    engine.logprobs = digit_logprobs(lambda d: {d: lean, str((int(d) + 1) % 10): 1 - lean})
    calibration = {
        m: MemberCalibration(check_cut=c, score_x=(1.0, 4.0, 7.0, 10.0), score_y=tuple(ys))
        for m, c, ys in zip(("r0", "r1", "r2", "a"), cuts, maps, strict=True)
    }
    try:
        runs = {
            early: judge(
                engine,
                tmp_path_factory.mktemp("c") / "g.db",
                checks,
                sheets,
                calibration=calibration,
                early_exit=early,
                tau=tau,
            )
            for early in (False, True)
        }
    finally:
        engine.logprobs = None
    (full, full_calls, _), (early, early_calls, _) = runs[False], runs[True]
    assert early == full and early_calls <= full_calls


def test_a_0_from_the_first_reviewer_spares_the_other_two(engine, tmp_path):
    checks = [[1, 0, 1], [1, 1, 1], [1, 1, 1]]
    status, calls, _ = judge(engine, tmp_path / "g.db", checks, [[9] * 6] * 3)
    assert (status, calls) == ("rejected_instruction", CHECK)


def test_a_low_first_sheet_spares_the_rest_and_leaves_mu_unknown(engine, tmp_path):
    status, calls, row = judge(engine, tmp_path / "g.db", [[1, 1, 1]] * 3, [[3] * 6, [10] * 6, [10] * 6])
    assert (status, calls) == ("rejected_score", 3 * CHECK + 1)  # (3 + 10 + 10) / 3 < 8: the others cannot lift μ to τ
    assert row["mean"] is None and row["std"] is None  # never made up from the reviews not asked for


def test_full_reviews_ask_every_reviewer(engine, tmp_path):
    status, calls, row = judge(
        engine, tmp_path / "g.db", [[1, 1, 1]] * 3, [[3] * 6, [10] * 6, [10] * 6], early_exit=False
    )
    assert (status, calls) == ("rejected_score", 3 * CHECK + 3) and row["mean"] == pytest.approx(23 / 3)


def test_the_checks_ask_first_the_reviewer_that_has_rejected_most_often(engine, tmp_path):
    history = [("r0", [1, 1, 1])] * 4 + [("r2", [1, 0, 1])] * 3 + [("r2", [1, 1, 1])]
    checks = [[1, 1, 1], [1, 1, 1], [0, 1, 1]]  # only r2, drawn last, rejects
    status, calls, _ = judge(engine, tmp_path / "g.db", checks, [[9] * 6] * 3, history=history)
    assert (status, calls) == ("rejected_instruction", CHECK)  # drawn order would have taken 3 reviewers' checks
    assert [r["reviewer"] for r in Store(tmp_path / "g.db").reviews_of("s")] == ["r2"]


def test_the_checks_ask_the_reviewers_on_the_generators_own_model_last(engine, tmp_path):
    models = {"g": "small", "r0": "small", "r1": "large", "r2": "large", "a": "small"}
    checks = [[1, 1, 1], [1, 1, 1], [0, 1, 1]]  # r2 rejects; r0, drawn first, runs the generator's model
    status, calls, _ = judge(engine, tmp_path / "g.db", checks, [[9] * 6] * 3, models=models)
    assert (status, calls) == ("rejected_instruction", 2 * CHECK)  # r1, then r2: r0 never asked
    assert [r["reviewer"] for r in Store(tmp_path / "g.db").reviews_of("s")] == ["r1", "r2"]


def test_the_score_sheets_keep_the_drawn_order_whatever_the_checks_order(engine, tmp_path):
    history = [("r2", [0, 0, 0])] * 5
    judge(engine, tmp_path / "g.db", [[1, 1, 1]] * 3, [[9] * 6] * 3, history=history)
    reviews = Store(tmp_path / "g.db").reviews_of("s")
    assert [r["reviewer"] for r in reviews if r["kind"] == "instruction"] == ["r2", "r0", "r1"]
    assert [r["reviewer"] for r in reviews if r["kind"] == "response"] == ["r0", "r1", "r2"]


def test_the_scores_ask_first_the_reviewer_whose_sheets_averaged_lowest(engine, tmp_path):
    sheet_history = [("r0", [9] * 6)] * 3 + [("r2", [5] * 6)] * 3
    sheets = [[9] * 6, [9] * 6, [3] * 6]  # only r2, drawn last, scores low: (3 + 10 + 10) / 3 < 8 settles it
    status, calls, _ = judge(engine, tmp_path / "g.db", [[1, 1, 1]] * 3, sheets, sheet_history=sheet_history)
    assert (status, calls) == ("rejected_score", 3 * CHECK + 1)  # drawn order would have taken 3 sheets
    assert [r["reviewer"] for r in Store(tmp_path / "g.db").reviews_of("s") if r["kind"] == "response"] == ["r2"]


def test_sheets_asked_harshest_first_are_stored_and_adjudicated_in_the_drawn_order(engine, tmp_path):
    sheet_history = [("r2", [2] * 6)] * 3 + [("r1", [6] * 6)] * 3
    sheets = [[10] * 6, [10] * 6, [7] * 6]  # μ = 9, σ = 1.41 > 1 = δ: a dispute, every sheet asked
    passes = [[1, 1, 1]] * 3
    status, calls, _ = judge(engine, tmp_path / "g.db", passes, sheets, sheet_history=sheet_history, delta=1.0)
    assert (status, calls) == ("passed", 3 * CHECK + 3 + 1)
    reviews = [r for r in Store(tmp_path / "g.db").reviews_of("s") if r["kind"] == "response"]
    assert [(r["reviewer"], json.loads(r["scores"])[0]) for r in reviews] == [("r0", 10), ("r1", 10), ("r2", 7)]
    adjudicator_saw = engine.requests[-1]["messages"][-1]["content"]
    assert "Reviewer 3: correctness 7" in adjudicator_saw and "Reviewer 1: correctness 10" in adjudicator_saw


def test_full_reviews_keep_the_drawn_order_for_the_checks_too(engine, tmp_path):
    history = [("r2", [0, 0, 0])] * 5
    judge(engine, tmp_path / "g.db", [[1, 1, 1]] * 3, [[9] * 6] * 3, history=history, early_exit=False)
    reviews = Store(tmp_path / "g.db").reviews_of("s")
    assert [r["reviewer"] for r in reviews if r["kind"] == "instruction"] == ["r0", "r1", "r2"]
