"""Deduplication order and threshold (paper §3.3): descending μ, cosine ≥ 0.9 drops."""

import doctest

import numpy as np
import pytest

import runtime.pipeline.dedup
from runtime.pipeline.dedup import DedupIndex, deduplicate
from tests.helpers.dedup_reference import brute_force, one_at_a_time


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
    from runtime.pipeline.embedding import embed

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


# -- the blocked pass decides exactly as one item at a time would ------------------------------
def random_items(rng, n, dim):
    """Unit vectors in few dimensions: crowded, so most later items collide with earlier ones."""
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def clustered_items(rng, n, dim, clusters=60):
    """Noisy copies of a few centres, the noise spread so that similarities straddle 0.9."""
    centres = random_items(rng, clusters, dim)
    noise = rng.normal(size=(n, dim)) * rng.uniform(0.01, 0.1, size=(n, 1))
    v = (centres[rng.integers(clusters, size=n)] + noise).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def run(dedup, vectors, means, seeds, **kwargs):
    """Dedup ``vectors`` (after ``seeds`` already in the index); the decisions and the labels handed out."""
    index = DedupIndex(dim=vectors.shape[1], capacity=16)
    index.add(seeds, list(range(len(seeds))))
    asked = []

    def new_label(key):
        asked.append(key)
        return 1000 + len(asked)

    items = [(f"s{i:04d}", float(m), v) for i, (m, v) in enumerate(zip(means, vectors, strict=True))]
    return dedup(index, items, new_label, 0.9, **kwargs), asked, len(index)


@pytest.mark.parametrize("kind,dim", [("random", 6), ("clustered", 32)])
@pytest.mark.parametrize("block", [1, 7, 256, 5000])
def test_blocked_pass_equals_one_at_a_time_and_brute_force(kind, dim, block):
    rng = np.random.default_rng(7)
    make = random_items if kind == "random" else clustered_items
    vectors, seeds = make(rng, 1500, dim), make(rng, 40, dim)
    means = rng.integers(0, 6, size=len(vectors)) * 0.5  # many ties: input order must break them

    old, old_asked, old_size = run(one_at_a_time, vectors, means, seeds)
    new, new_asked, new_size = run(deduplicate, vectors, means, seeds, block=block)

    dropped = sum(not d.kept for d in new)
    assert 0.2 * len(new) < dropped < 0.95 * len(new)  # the data really tests both outcomes
    assert [(d.key, d.kept, d.nearest) for d in new] == [(d.key, d.kept, d.nearest) for d in old]
    assert [d.similarity for d in new] == pytest.approx([d.similarity for d in old], abs=1e-5)
    assert new_asked == old_asked and new_size == old_size
    exact = brute_force(seeds, [(d.key, 0.0, vectors[int(d.key[1:])]) for d in new])  # already in visiting order
    assert {d.key: d.kept for d in new} == exact


def test_within_a_block_a_dropped_item_does_not_shadow_later_ones():
    """Three points 18° apart on a circle: b is 0.95 from a and from c, but a and c are 0.81 apart.

    b is dropped for a; c would be a duplicate of b, but b is not kept, so c is kept.
    """
    a, b, c = (with_similarity(unit([1, 0, 0, 0, 0, 0, 0, 0]), np.cos(np.radians(deg))) for deg in (0, 18, 36))
    labels, new_label = labeller()
    decisions = deduplicate(DedupIndex(dim=8), [("a", 9.0, a), ("b", 8.5, b), ("c", 8.0, c)], new_label)
    assert [(d.key, d.kept) for d in decisions] == [("a", True), ("b", False), ("c", True)]
    assert decisions[1].nearest == labels["a"]
    assert decisions[2].nearest == labels["a"] and decisions[2].similarity == pytest.approx(float(c @ a), abs=1e-6)


def test_an_empty_pass_and_an_empty_index():
    labels, new_label = labeller()
    assert deduplicate(DedupIndex(dim=8), [], new_label) == []
    (d,) = deduplicate(DedupIndex(dim=8), [("only", 9.0, unit([1, 0, 0, 0, 0, 0, 0, 0]))], new_label)
    assert d.kept and d.nearest is None and d.similarity is None


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(runtime.pipeline.dedup).failed == 0


def test_each_block_reports_how_many_items_it_settled():
    rng = np.random.default_rng(1)
    items = [(f"s{i}", 9.0 - i / 10, unit(rng.normal(size=8))) for i in range(5)]
    settled = []
    deduplicate(DedupIndex(dim=8), items, labeller()[1], block=2, advance=settled.append)
    assert settled == [2, 2, 1]
