"""Coverage: the run's own vectors, the share of kept samples beyond the seeds, and the 2-D map."""

import numpy as np

from runtime.analysis.coverage import coverage, nearest_seed_distance, seed_spacing, vectors
from runtime.pipeline.dedup import DedupIndex
from runtime.storage.store import Store
from tests.helpers.run_dirs import make_run


def unit(*rows):
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_kept_sample_is_beyond_the_seeds_when_its_nearest_seed_is_farther_than_their_median_spacing():
    seeds = unit([1, 0, 0], [0.95, 0.31, 0], [0, 1, 0], [0.31, 0.95, 0])  # two pairs, each 0.05 apart
    kept = unit([1, 0.05, 0], [0, 0, 1])  # a paraphrase of a seed, and a new direction
    spacing = seed_spacing(seeds)
    assert 0.04 < spacing < 0.06
    distances = nearest_seed_distance(seeds, kept)
    assert distances[0] < spacing < distances[1]
    assert np.isclose(distances[1], 1.0)


def test_the_vectors_are_those_the_dedup_index_holds(tmp_path):
    run = make_run(tmp_path / "run")
    store = Store(run / "gra.db")
    seeds, kept = vectors(store, run)
    assert (seeds.shape, kept.shape) == ((6, 384), (3, 384))
    stored = DedupIndex.load(run / "index" / "dedup.bin").vectors([0, 6])  # label 0: seed s0; 6: kept r1-a
    assert np.allclose(seeds[0], stored[0], atol=1e-6) and np.allclose(kept[0], stored[1], atol=1e-6)


def test_the_map_places_every_seed_and_kept_sample(tmp_path):
    run = make_run(tmp_path / "run")
    cov = coverage(Store(run / "gra.db"), run)
    assert cov.seeds.shape == (6, 2) and cov.kept.shape == (3, 2)
    assert 0.0 <= cov.share_beyond <= 1.0 and len(cov.nearest_seed) == 3
