"""Deduplication order and threshold (paper §3.3): descending μ, cosine ≥ 0.9 drops."""

import numpy as np
import pytest

from runtime.index import DedupIndex, deduplicate


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def with_similarity(base, sim, dim=8):
    """A unit vector whose cosine with ``base`` is exactly ``sim`` (base must be e0)."""
    v = np.zeros(dim, dtype=np.float32)
    v[0], v[1] = sim, np.sqrt(1 - sim**2)
    return v


def labeller():
    labels = {}
    return labels, lambda key: labels.setdefault(key, len(labels) + 100)


def test_higher_mean_wins_among_near_duplicates_regardless_of_input_order():
    e0 = unit([1, 0, 0, 0, 0, 0, 0, 0])
    near = with_similarity(e0, 0.95)
    other = unit([0, 0, 1, 0, 0, 0, 0, 0])
    index = DedupIndex(dim=8)
    labels, new_label = labeller()
    decisions = deduplicate(index, [("low", 8.1, e0), ("high", 9.5, near), ("other", 8.5, other)], new_label)
    by_key = {d.key: d for d in decisions}
    assert [d.key for d in decisions] == ["high", "other", "low"]  # visited in descending mu
    assert by_key["high"].kept and by_key["other"].kept
    assert not by_key["low"].kept
    assert by_key["low"].nearest == labels["high"]
    assert by_key["low"].similarity == pytest.approx(0.95, abs=1e-4)
    assert len(index) == 2


@pytest.mark.parametrize("sim,kept", [(0.95, False), (0.905, False), (0.895, True), (0.5, True)])
def test_threshold_is_cosine_at_least_0_9(sim, kept):
    e0 = unit([1, 0, 0, 0, 0, 0, 0, 0])
    index = DedupIndex(dim=8)
    index.add(e0.reshape(1, -1), [0])  # e.g. a seed already kept
    _, new_label = labeller()
    (d,) = deduplicate(index, [("cand", 9.0, with_similarity(e0, sim))], new_label, threshold=0.9)
    assert d.kept is kept
    assert d.similarity == pytest.approx(sim, abs=1e-4)


def test_index_survives_save_and_load(tmp_path):
    index = DedupIndex(dim=8, capacity=2)
    vectors = np.eye(8, dtype=np.float32)[:5]
    index.add(vectors, [10, 11, 12, 13, 14])  # grows past its initial capacity
    index.save(tmp_path / "index" / "dedup.bin")
    loaded = DedupIndex.load(tmp_path / "index" / "dedup.bin", dim=8)
    assert len(loaded) == 5
    assert loaded.nearest(vectors[3]) == (13, pytest.approx(1.0, abs=1e-5))


def test_real_embeddings_catch_a_paraphrase_and_keep_a_different_task():
    from runtime.embedder import embed

    seed, paraphrase, different = embed(
        [
            "Write a Python function that returns the factorial of a number.",
            "Write a Python function that returns the factorial of an integer.",
            "Translate 'good morning' into Spanish.",
        ]
    )
    index = DedupIndex()
    index.add(seed.reshape(1, -1), [0])
    _, new_label = labeller()
    decisions = {d.key: d for d in deduplicate(index, [("p", 9.0, paraphrase), ("d", 8.5, different)], new_label)}
    assert not decisions["p"].kept and decisions["p"].similarity >= 0.9
    assert decisions["d"].kept and decisions["d"].similarity < 0.5
