"""The run's index: seeds indexed, a round deduplicated, the example pool read back.

The embedding model is replaced by a fixed table of vectors, so these run without it.
"""

import json

import numpy as np
import pytest

import runtime.pipeline.run_index as run_index_module
from runtime.pipeline.dedup import DedupIndex
from runtime.pipeline.run_index import RunIndex
from runtime.storage.funnel import funnel
from runtime.storage.store import Store


def unit(*v):
    v = np.asarray(v + (0,) * (4 - len(v)), dtype=np.float32)
    return v / np.linalg.norm(v)


VECTORS = {  # sample text -> embedding
    "Name a prime number.": unit(1, 0),
    "Say a prime number.": unit(1, 0.1),  # 0.995 from the seed
    "Write a haiku about rain.": unit(0, 1),
    "Write a haiku about the rain.": unit(0, 1, 0.2),  # 0.98 from the haiku
    "Sort a list in Python.": unit(0, 0, 1),
}


@pytest.fixture
def run_index(tmp_path, monkeypatch):
    monkeypatch.setattr(run_index_module, "embed", lambda texts: np.stack([VECTORS[t] for t in texts]))
    store = Store(tmp_path / "gra.db")
    store.put_seed(
        {"id": "s1", "source": "x", "line": 1, "instruction": "Name a prime number.", "input": "", "output": "7"}
        | {"domain": "math", "keywords": json.dumps(["prime"]), "summary": "name a prime", "status": "annotated"}
    )
    index = RunIndex(store, tmp_path / "index" / "dedup.bin")
    index.index = DedupIndex(dim=4)
    index.add_seeds()
    return index


def passed(store, sid, instruction, mean, domain="misc"):
    store.new_sample(
        {"id": sid, "round": 1, "ordinal": int(sid[-1]), "status": "passed", "domain": domain, "examples": "[]"}
        | {"keywords": json.dumps([sid]), "instruction": instruction, "input": "", "output": "...", "mean": mean}
    )


def test_a_round_keeps_the_higher_mean_and_names_what_each_duplicate_repeats(run_index):
    store = run_index.store
    passed(store, "r1-1", "Say a prime number.", 9.8)  # repeats the seed
    passed(store, "r1-2", "Write a haiku about the rain.", 8.2)  # repeats r1-3, which scored higher
    passed(store, "r1-3", "Write a haiku about rain.", 9.0)
    passed(store, "r1-4", "Sort a list in Python.", 8.5)

    run_index.dedup_round(1, threshold=0.9)

    status = {r["id"]: (r["status"], r["duplicate_of"]) for r in store.samples(order_by="id")}
    assert status == {
        "r1-1": ("duplicate", "seed:s1"),
        "r1-2": ("duplicate", "sample:r1-3"),
        "r1-3": ("accepted", None),
        "r1-4": ("accepted", None),
    }
    assert store.sample("r1-2")["similarity"] == pytest.approx(0.98, abs=0.01)
    assert len(run_index.index) == 3  # the seed and the two kept samples


def test_with_no_reviews_a_round_is_deduplicated_in_order_and_its_duplicates_are_not_copies(run_index):
    store = run_index.store
    passed(store, "r1-1", "Write a haiku about the rain.", None)  # --reviewers 0: nothing scored
    passed(store, "r1-2", "Write a haiku about rain.", None)
    store.update_sample("r1-1", reviewers="[]")
    store.update_sample("r1-2", reviewers="[]")

    run_index.dedup_round(1, threshold=0.9)

    assert [(r["id"], r["status"]) for r in store.samples(order_by="id")] == [
        ("r1-1", "accepted"),
        ("r1-2", "duplicate"),
    ]
    f = funnel(store, 1)
    assert (f.copies, f.duplicates, f.kept) == (0, 1, 1)
    assert store.round_progress(1)["passed"] == 2


def test_the_example_pool_holds_seeds_and_kept_summarized_samples_only(run_index):
    store = run_index.store
    passed(store, "r1-1", "Write a haiku about rain.", 9.0, domain="poetry")
    passed(store, "r1-2", "Sort a list in Python.", 8.5, domain="code")
    run_index.dedup_round(1, threshold=0.9)
    store.update_sample("r1-1", summary="a rain haiku")  # r1-2 is kept but has no summary yet

    assert store.example_pool() == {
        "math": [(["prime"], "name a prime", "seed:s1")],
        "poetry": [(["r1-1"], "a rain haiku", "sample:r1-1")],
    }
