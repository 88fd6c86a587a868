"""Agreement: another judge scores the committee's samples with the reviewers' own call, and the 2×2 table."""

import io
import json

from rich.console import Console

from runtime.analysis.agreement import Judge, agreement, judge_run, judged_samples
from runtime.storage.store import Store
from tests.helpers.committee import Committee
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.run_dirs import make_run

QUIET = Console(file=io.StringIO())


def test_an_endpoint_judge_rescores_kept_and_rejected_samples(tmp_path):
    run = make_run(tmp_path / "run")
    Store(run / "gra.db").update_sample("r2-a", output="WRONG answer.")  # the scripted judge gives it 3s
    engine = FakeEngine([])
    engine.respond = Committee()
    try:
        ticks = []
        result = judge_run(run, Judge("big-model", endpoint=engine.base_url), None, 8.0, QUIET, lambda: ticks.append(1))
        asked = len(engine.requests)
        judge_run(run, Judge("big-model", endpoint=engine.base_url), None, 8.0, QUIET, lambda: None)
    finally:
        engine.close()
    assert {r["model"] for r in engine.requests} == {"big-model"}
    assert {r["response_format"]["json_schema"]["name"] for r in engine.requests} == {"ScoreResponse"}
    assert asked == 4 == len(ticks) and len(engine.requests) == asked  # the second time, every sheet was replayed
    means = {r["id"]: r["judge_mean"] for r in result["rows"]}
    assert means == {"r1-a": 9.0, "r1-b": 9.0, "r2-a": 3.0, "r2-low": 9.0}
    a = agreement(result)
    assert a.table == {(True, True): 2, (True, False): 1, (False, True): 1, (False, False): 0}
    assert (round(a.kept_agreement, 3), a.committee_share, a.judge_share) == (0.667, 0.75, 0.75)
    calls = Store(run / "analysis" / "judge.db").db["lm_calls"].count
    assert calls == 4


def test_a_sample_draws_from_both_sides_and_a_member_never_judges_what_it_wrote(tmp_path):
    store = Store(make_run(tmp_path / "run") / "gra.db")
    picked = judged_samples(store, 2)
    assert sorted(r["status"] for r in picked) == ["accepted", "rejected_score"]
    assert judged_samples(store, None, member="m0") == []  # m0 wrote every sample
    assert len(judged_samples(store, None, member="m1")) == 4


def test_a_judge_without_a_usable_sheet_is_counted_apart():
    rows = [{"committee_kept": True, "judge_mean": None}, {"committee_kept": False, "judge_mean": 2.0}]
    a = agreement({"tau": 8.0, "rows": rows})
    assert (a.unanswered, a.judged, a.kept_agreement) == (1, 1, None)
    assert json.dumps(rows)  # rows stay plain JSON, as analysis/judge.json holds them
