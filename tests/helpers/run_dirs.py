"""A small finished run directory, written straight into a Store: what export, report and the analyses read.

Two rounds; round 1 keeps ``r1-a`` (scored) and ``r1-b`` (adjudicated), round 2 keeps ``r2-a``
and rejects ``r2-low`` on its scores and ``r2-bad`` on its instruction. Six seeds in two
domains. The dedup index holds every seed and kept sample under made-up unit vectors, so
nothing here needs the embedding model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from runtime.calls.record import CallRecord
from runtime.pipeline.dedup import DedupIndex
from runtime.storage.export import write_data
from runtime.storage.store import Store

POOL = {
    "name": "tiny",
    "engines": {"e": {"kind": "llama.cpp", "model": "smollm2-135m-instruct"}},
    "members": [{"name": f"m{i}", "engine": "e"} for i in range(5)],
}
KEPT = {1: ["r1-a", "r1-b"], 2: ["r2-a"]}


def _seeds(store: Store) -> None:
    for i in range(6):
        domain = "Math" if i % 2 else "Coding"
        store.put_seed(
            {
                "id": f"s{i}",
                "source": "seeds.jsonl",
                "line": i,
                "instruction": f"Seed task {i}: add {i} and {i}.",
                "input": "",
                "output": f"{2 * i}",
                "domain": domain,
                "keywords": json.dumps(["add"]),
                "summary": "adds numbers",
                "status": "annotated",
            }
        )


def _sample(store: Store, sid: str, round_: int, status: str, mean: float | None, std: float | None) -> None:
    store.new_sample(
        {
            "id": sid,
            "round": round_,
            "ordinal": 0,
            "status": "generating",
            "domain": "Math",
            "examples": "[]",
            "generator": "m0",
            "reviewers": json.dumps(["m1", "m2", "m3"]),
            "adjudicator": "m4",
        }
    )
    store.update_sample(
        sid,
        status=status,
        mean=mean,
        std=std,
        instruction=f"Task {sid}: explain step {round_}.",
        input="x = 1" if sid == "r1-a" else "",
        output=f"Answer of {sid}.",
        keywords=json.dumps(["step"]),
        summary="a task",
    )


def _judging(store: Store) -> None:
    for sid in ("r1-a", "r1-b", "r2-a", "r2-low"):
        for member, score in (("m1", 9), ("m2", 8), ("m3", 4 if sid == "r1-b" else 9)):
            store.add_review(sid, member, "instruction", [1, 1, 1], None)
            store.add_review(sid, member, "response", [score] * 6 if sid != "r2-low" else [5] * 6, f"{member} says")
    store.add_review("r2-bad", "m1", "instruction", [1, 0, 1], None)
    store.add_adjudication("r1-b", "m4", [9] * 6, 9.0, True, "settled")
    call = CallRecord(signature="ScoreResponse", messages=[], prompt_tokens=100, completion_tokens=20, latency_s=1.5)
    for sid in ("r1-a", "r1-b", "r2-a", "r2-low", "r2-bad"):
        store.add_calls([call, call], "reviewer", "m1", sample_id=sid)


def _index(store: Store, run_dir: Path) -> None:
    rng = np.random.default_rng(0)
    refs = [("seed", f"s{i}") for i in range(6)] + [("sample", s) for ids in KEPT.values() for s in ids]
    vectors = rng.normal(size=(len(refs), 384)).astype(np.float32)
    index = DedupIndex()
    index.add(vectors, list(range(len(refs))))
    store.add_index_items([{"label": i, "kind": k, "ref": r} for i, (k, r) in enumerate(refs)])
    (run_dir / "index").mkdir(parents=True, exist_ok=True)
    index.save(run_dir / "index" / "dedup.bin")


def make_run(run_dir: Path) -> Path:
    """Write the run into ``run_dir`` (gra.db, data.jsonl, index/); return ``run_dir``."""
    run_dir.mkdir(parents=True, exist_ok=True)
    store = Store(run_dir / "gra.db")
    store.start_run(0, {"synth": {"rounds": 2, "tau": 8.0, "delta": 1.5, "n_reviewers": 3}, "pool": POOL})
    store.put_members(
        [
            {"name": m["name"], "engine": "e", "kind": "llama.cpp", "model": "smollm2-135m-instruct", "sampling": "{}"}
            for m in POOL["members"]
        ]
    )
    _seeds(store)
    _sample(store, "r1-a", 1, "accepted", 8.67, 0.47)
    _sample(store, "r1-b", 1, "accepted", 7.0, 2.16)
    _sample(store, "r2-a", 2, "accepted", 8.67, 0.47)
    _sample(store, "r2-low", 2, "rejected_score", 5.0, 0.0)
    _sample(store, "r2-bad", 2, "rejected_instruction", None, None)
    _judging(store)
    _index(store, run_dir)
    write_data(store, run_dir / "data.jsonl")
    return run_dir
