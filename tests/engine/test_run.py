"""A real run of the default CPU pool: `gra synth` end to end, then the run's invariants.

The run lowers τ to 1 and δ to 0, so every sample that passes the instruction checks is
scored, any disagreement goes to the adjudicator, and survivors are deduplicated,
summarized and fed to round 2, whatever the scores.
"""

import json

import pytest

from gra_agents import round_roles
from runtime.calls.record import PARSE_STATUSES
from runtime.storage.store import TERMINAL, Store
from tests.helpers.gra_cli import gra

pytestmark = pytest.mark.engine

ARGS = ["--rounds", "2", "--per-round", "2", "--max-candidates", "3", "--tau", "1", "--delta", "0", "--seed", "5"]


@pytest.fixture(scope="module")
def run(small_seeds, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    proc = gra("synth", "--seeds", small_seeds, "--out", out, *ARGS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc.stderr, Store(out / "gra.db")


def test_the_run_prints_the_funnel_and_where_the_output_is(run):
    out, log, _ = run
    for stage in ("candidates drawn", "instruction checks passed", "score gate", "adjudicated", "deduplicated", "kept"):
        assert stage in log
    assert str(out / "data.jsonl") in log.replace("\n", "")


def test_every_candidate_ends_in_exactly_one_terminal_status(run):
    _, _, store = run
    samples = store.samples()
    assert len(samples) >= 2
    assert {s["status"] for s in samples} <= set(TERMINAL)
    assert {s["round"] for s in samples} == {1, 2}
    for s in samples:
        if s["status"] == "failed":
            assert s["failure"]


def test_role_rules_hold_and_the_draw_is_reproducible(run):
    _, _, store = run
    names = [m["name"] for m in store.db["members"].rows]
    for s in store.samples():
        reviewers = json.loads(s["reviewers"])
        assert s["generator"] not in reviewers
        assert s["adjudicator"] not in reviewers and s["adjudicator"] != s["generator"]
        a = round_roles(names, 3, 5, s["round"], s["ordinal"])
        assert (a.generator, list(a.reviewers), a.adjudicator) == (s["generator"], reviewers, s["adjudicator"])
        for r in store.db["reviews"].rows_where("sample_id = ?", [s["id"]]):
            assert r["reviewer"] in reviewers
        for c in store.db["lm_calls"].rows_where("sample_id = ? and role != 'summarizer'", [s["id"]]):
            allowed = {
                "generator": [s["generator"]],
                "reviewer": reviewers,
                "verifier": reviewers,  # each program is written by one of the sample's reviewers
                "adjudicator": [s["adjudicator"]],
            }
            assert c["member"] in allowed[c["role"]]


def test_every_model_call_is_recorded_with_a_typed_status_and_tokens(run):
    _, _, store = run
    calls = list(store.db["lm_calls"].rows)
    assert {c["parse_status"] for c in calls} <= set(PARSE_STATUSES)
    assert sum(1 for c in calls if c["role"] == "annotator") >= 14
    for c in calls:
        if c["finish_reason"] == "repetition":  # stopped inside a loop: the engine never reported usage
            assert c["parse_status"] == "degenerate" and c["prompt_tokens"] is None
            assert c["completion_tokens"] > 0 and c["raw_output"]
        elif c["parse_status"] != "engine_error":
            assert c["prompt_tokens"] > 0 and c["completion_tokens"] > 0 and c["raw_output"]
        assert json.loads(c["messages"])[0]["role"] == "system"


def test_data_jsonl_is_exactly_the_accepted_samples(run):
    out, _, store = run
    lines = [json.loads(line) for line in (out / "data.jsonl").read_text().splitlines()]
    ids = [r["id"] for r in lines]
    assert len(ids) == len(set(ids))
    assert set(ids) == {s["id"] for s in store.samples("status = 'accepted'")}
    for r in lines:
        assert set(r) >= {"instruction", "input", "output", "domain", "keywords", "summary", "mean", "round"}


def test_the_dedup_index_holds_seeds_and_kept_samples(run):
    out, _, store = run
    assert (out / "index" / "dedup.bin").is_file()
    kinds = dict(store.db.execute("select kind, count(*) from index_items group by kind").fetchall())
    assert kinds["seed"] == len(store.seeds("status = 'annotated'"))
    assert kinds.get("sample", 0) == len(store.samples("status in ('accepted', 'duplicate')")) - len(
        store.samples("status = 'duplicate'")
    )


def test_inspect_tells_a_samples_story(run):
    out, _, store = run
    sample = store.samples(order_by="id")[0]
    proc = gra("inspect", out, sample["id"], timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sample["id"] in proc.stdout and "model calls" in proc.stdout and sample["generator"] in proc.stdout


def test_synth_again_on_a_finished_run_resumes_and_changes_nothing(run, small_seeds):
    out, _, store = run
    data = (out / "data.jsonl").read_text()
    calls = store.db["lm_calls"].count
    proc = gra("synth", "--seeds", small_seeds, "--out", out, *ARGS, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "resuming the run" in proc.stderr and "index verified" in proc.stderr
    assert (out / "data.jsonl").read_text() == data and store.db["lm_calls"].count == calls
    statuses = [r["status"] for r in store.db["runs"].rows_where(order_by="id")]
    assert statuses == ["finished", "finished"]


def test_synth_with_another_threshold_is_refused(run, small_seeds):
    out, _, _ = run
    proc = gra("synth", "--seeds", small_seeds, "--out", out, "--tau", "9", timeout=120)
    assert proc.returncode == 2 and "run settings" in proc.stderr and "--fresh" in proc.stderr


def test_annotate_writes_every_seed_with_a_domain_or_a_typed_failure(tmp_path):
    from signatures import DOMAINS

    seeds = tmp_path / "three.jsonl"
    seeds.write_text(
        "".join(
            json.dumps({"instruction": i, "input": "", "output": o}) + "\n"
            for i, o in [
                ("What is 7 times 8?", "56"),
                ("Translate 'thank you' into Italian.", "Grazie."),
                ("Write a two-line poem about tea.", "Steam curls from the cup,\nquiet fills the room."),
            ]
        )
    )
    out = tmp_path / "ann"
    proc = gra("annotate", "--seeds", seeds, "--out", out, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in (out / "seeds.annotated.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["seed-1", "seed-2", "seed-3"]
    for r in rows:
        if r["status"] == "annotated":
            assert r["domain"] in DOMAINS and 1 <= len(r["keywords"]) <= 3 and r["summary"]
        else:
            assert r["status"] == "failed"
    members = {c["member"] for c in Store(out / "gra.db").db["lm_calls"].rows}
    assert len(members) == 3  # members in rotation
