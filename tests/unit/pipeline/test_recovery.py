"""On resume the dedup index is checked against the database and repaired or rebuilt, never trusted."""

import numpy as np
import pytest

from runtime.pipeline.dedup import DedupIndex
from runtime.pipeline.embedding import embed
from runtime.pipeline.recovery import index_texts, verified_index
from runtime.storage.store import Store

TEXTS = [
    "Write a haiku about autumn leaves.",
    "Convert 12 miles to kilometres.",
    "Explain recursion to a ten-year-old.",
    "List three uses of baking soda.",
    "Translate 'good morning' into Spanish.",
]


@pytest.fixture
def store(tmp_path):
    """Five annotated seeds, each with an index label (0-4) in the database."""
    store = Store(tmp_path / "gra.db")
    for i, text in enumerate(TEXTS):
        store.put_seed({"id": f"s{i}", "instruction": text, "input": "", "output": "-", "status": "annotated"})
    store.add_index_items([{"label": i, "kind": "seed", "ref": f"s{i}"} for i in range(len(TEXTS))])
    return store


def saved(path, labels):
    index = DedupIndex()
    index.add(embed([TEXTS[i] for i in labels]), labels)
    index.save(path)


def held(index):
    return sorted(index.labels())


def test_a_missing_index_is_rebuilt_from_the_database(store, tmp_path):
    path = tmp_path / "index" / "dedup.bin"
    index, report = verified_index(store, path)
    assert report.startswith("rebuilt") and held(index) == [0, 1, 2, 3, 4] and path.exists()
    assert verified_index(store, path)[1].startswith("verified")


def test_an_index_behind_the_database_gets_the_missing_items(store, tmp_path):
    path = tmp_path / "dedup.bin"
    saved(path, [0, 1, 2])  # killed after the transaction, before the index was saved
    index, report = verified_index(store, path)
    assert report.startswith("repaired: 2 items") and held(index) == [0, 1, 2, 3, 4]
    (label,), _ = index.index.knn_query(embed([TEXTS[4]]), k=1)
    assert label[0] == 4


def test_an_index_ahead_of_the_database_is_rebuilt(store, tmp_path):
    path = tmp_path / "dedup.bin"
    index = DedupIndex()
    index.add(embed(TEXTS + ["an item whose transaction never committed"]), list(range(6)))
    index.save(path)
    index, report = verified_index(store, path)
    assert report.startswith("rebuilt") and "1 items the database does not" in report and held(index) == [0, 1, 2, 3, 4]


def test_vectors_that_do_not_match_their_texts_are_rebuilt(store, tmp_path):
    path = tmp_path / "dedup.bin"
    index = DedupIndex()
    index.add(embed(list(reversed(TEXTS))), list(range(5)))  # right labels, wrong vectors
    index.save(path)
    index, report = verified_index(store, path)
    assert report.startswith("rebuilt") and "do not match" in report
    stored = np.asarray(index.index.get_items([0]))[0]
    assert float(stored @ embed([TEXTS[0]])[0] / np.linalg.norm(stored)) > 0.999


def test_an_unreadable_index_is_rebuilt(store, tmp_path):
    path = tmp_path / "dedup.bin"
    path.write_bytes(b"not an index")
    index, report = verified_index(store, path)
    assert report.startswith("rebuilt") and held(index) == [0, 1, 2, 3, 4]


def test_index_texts_follow_labels_to_seeds_and_samples(store):
    store.new_sample({"id": "r1-00000", "round": 1, "ordinal": 0, "status": "accepted", "instruction": "Sum 2+2."})
    store.add_index_items([{"label": 5, "kind": "sample", "ref": "r1-00000"}])
    assert index_texts(store, [1, 5]) == {1: TEXTS[1], 5: "Sum 2+2."}
