"""`gra refine`: each seed's response rewritten once by a generator that never judges it, then curated."""

import json

import numpy as np
import pytest

import runtime.pipeline.integration as integration_module
from runtime.pipeline.integration import integrate
from runtime.pipeline.refinement import SeedRefiner
from runtime.storage.export import write_refined
from tests.helpers.committee import Committee
from tests.helpers.judging import judge_file

SEEDS = [
    {"id": "a", "instruction": "Add 2 and 3.", "input": "", "output": "5"},
    {"id": "b", "instruction": "Multiply 4 by 6.", "input": "", "output": "25 (WRONG)"},
    {"id": "c", "instruction": "Spell the word cat backwards.", "input": "", "output": "tac (DISPUTED)"},
    {"id": "d", "instruction": "Name the capital of France.", "input": "", "output": "Paris"},
]


@pytest.fixture
def seeds(tmp_path):
    path = tmp_path / "seeds.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in SEEDS))
    return path


def refine(tmp_path, fake, seeds, **config):
    return judge_file(SeedRefiner, write_refined, tmp_path, fake, seeds, 5, **config)


def test_every_seed_is_rewritten_once_and_its_rewrite_judged_by_others(tmp_path, committee_engine, seeds):
    store, rows = refine(tmp_path, committee_engine, seeds)

    assert [r["id"] for r in rows] == ["a", "b", "c", "d"]
    assert [r["output"] for r in rows] == [
        "Rewritten (fine).",
        "Rewritten (WRONG).",
        "Rewritten (DISPUTED).",
        "Rewritten (fine).",
    ]
    assert [r["original_output"] for r in rows] == [s["output"] for s in SEEDS]
    assert [r["status"] for r in rows] == ["accepted", "rejected_score", "rejected_adjudication", "accepted"]
    for r in rows:
        calls = store.calls_of(r["id"])
        writers = {c["member"] for c in calls if c["role"] == "generator"}
        judges = {c["member"] for c in calls if c["role"] != "generator"}
        assert writers == {r["generator"]} and r["generator"] not in judges
        assert sum(c["signature"] == "RefineResponse" for c in calls) == 1
    refined = [json.loads(line)["id"] for line in (tmp_path / "refined.jsonl").read_text().splitlines()]
    assert refined == ["a", "d"]


def test_a_seed_whose_rewrite_fails_is_failed_with_the_reason_and_the_others_go_on(tmp_path, committee_engine, seeds):
    committee_engine.respond = Committee(broken="Multiply 4 by 6.")
    _, rows = refine(tmp_path, committee_engine, seeds)

    assert rows[1]["status"] == "failed" and rows[1]["failure"].startswith("rewrite:") and rows[1]["output"] is None
    assert [r["status"] for r in rows if r["id"] != "b"] == ["accepted", "rejected_adjudication", "accepted"]


def test_a_second_pass_rewrites_no_settled_seed_again(tmp_path, committee_engine, seeds):
    store, _ = refine(tmp_path, committee_engine, seeds)
    calls = store.db["lm_calls"].count
    store.update_sample("c", status="generating")  # cut off mid-way, as by a crash

    store, rows = refine(tmp_path, committee_engine, seeds)

    assert rows[2]["status"] == "rejected_adjudication" and rows[2]["output"] == "Rewritten (DISPUTED)."
    assert store.db["lm_calls"].count == calls  # the restarted seed's calls were served from the database


VECTORS = {"Add 2 and 3.": [1, 0, 0], "Add two and three.": [0.99, 0.14, 0], "Sort a list.": [0, 0, 1]}


def test_integrated_data_keeps_the_higher_scored_of_two_near_identical_rows(monkeypatch):
    monkeypatch.setattr(
        integration_module, "embed", lambda texts: np.array([VECTORS[t] for t in texts], dtype=np.float32)
    )
    refined = [{"id": "a", "instruction": "Add 2 and 3.", "input": "", "output": "5", "mean": 8.2}]
    synthetic = [
        {"id": "r1-00001", "instruction": "Add two and three.", "input": "", "output": "5", "mean": 9.0},
        {"id": "r1-00002", "instruction": "Sort a list.", "input": "", "output": "sorted()", "mean": 8.0},
    ]

    kept, dropped = integrate(refined, synthetic, threshold=0.9)

    assert [(r["source"], r["id"]) for r in kept] == [("synth", "r1-00001"), ("synth", "r1-00002")]
    assert [(r["id"], r["duplicate_of"]) for r in dropped] == [("a", "synth:r1-00001")]
    assert dropped[0]["similarity"] == pytest.approx(0.99, abs=0.01)
