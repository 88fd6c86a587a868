"""`gra refine` on the embedded engine: every seed rewritten and curated once, and integrated with a run's data."""

import json

import pytest

from runtime.storage.store import TERMINAL, Store
from tests.helpers.gra_cli import gra
from tests.helpers.kills import calls_sent_twice

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def refined(small_seeds, tmp_path_factory):
    root = tmp_path_factory.mktemp("refine")
    seeds = root / "seeds.jsonl"
    seeds.write_text("".join(small_seeds.read_text().splitlines(keepends=True)[:6]))
    run = root / "synth-run"  # a synth run's output: one sample repeats the first seed, one is new
    run.mkdir()
    first = json.loads(seeds.read_text().splitlines()[0])
    synthetic = [
        {"id": "r1-00000", "instruction": first["instruction"], "input": first["input"], "output": "x", "mean": 10.0},
        {"id": "r1-00001", "instruction": "Name three rivers of Africa.", "input": "", "output": "Nile", "mean": 8.5},
    ]
    (run / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in synthetic))
    out = root / "out"
    result = gra("refine", "--seeds", seeds, "--out", out, "--integrate", run, "--pool", "tiny", "--seed", "5")
    assert result.returncode == 0, result.stderr[-3000:]
    read = lambda name: [json.loads(line) for line in (out / name).read_text().splitlines()]  # noqa: E731
    return seeds, Store(out / "gra.db"), read, synthetic


def test_every_seed_comes_back_once_in_order_with_a_rewrite_by_a_member_that_does_not_judge_it(refined):
    seeds, store, read, _ = refined
    given = [json.loads(line) for line in seeds.read_text().splitlines()]
    rows = read("curated.jsonl")
    assert [r["instruction"] for r in rows] == [g["instruction"] for g in given]
    assert [r["original_output"] for r in rows] == [g["output"] for g in given]
    assert all(r["status"] in TERMINAL for r in rows)
    for r in rows:
        calls = store.calls_of(r["id"])
        assert {c["member"] for c in calls if c["role"] == "generator"} == {r["generator"]}
        assert r["generator"] not in {c["member"] for c in calls if c["role"] != "generator"}
        assert r["status"] == "failed" or r["output"]
    assert calls_sent_twice(store) == []
    per = store.db.execute("select sample_id, kind, reviewer, count(*) from reviews group by 1, 2, 3").fetchall()
    assert all(n == 1 for *_, n in per)  # no seed judged twice
    assert [r["id"] for r in read("refined.jsonl")] == [r["id"] for r in rows if r["status"] == "accepted"]


def test_integrated_data_is_the_refined_seeds_and_the_run_deduplicated(refined):
    _, _, read, synthetic = refined
    kept, dropped = read("integrated.jsonl"), read("integrated.dropped.jsonl")
    accepted = read("refined.jsonl")
    assert len(kept) + len(dropped) == len(accepted) + len(synthetic)
    assert ("synth", "r1-00001") in [(r["source"], r["id"]) for r in kept]
    first = [r for r in accepted if r["instruction"] == synthetic[0]["instruction"]]
    if first:  # the first seed's rewrite was accepted: it repeats the run's higher-μ sample and goes
        assert [(r["source"], r["duplicate_of"]) for r in dropped] == [("refined", "synth:r1-00000")]
