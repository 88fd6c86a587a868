"""bench/cost.py replays on a paper run already made, with that run's own candidates, seed and seeds."""

import json
import sys
from argparse import Namespace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from cost import floor, paper_run  # noqa: E402

from runtime.storage.store import Store  # noqa: E402
from tests.helpers.full_reviews import full_review_run  # noqa: E402


def made(tmp_path, **synth):
    run = tmp_path / "cost-run" / "paper"
    run.mkdir(parents=True)
    config = {"max_candidates": 60, "seed": 1, "order": "paper", "early_exit": False} | synth
    Store(run / "gra.db").db["runs"].insert({"seed": config["seed"], "config": json.dumps({"synth": config})})
    return run


def test_the_replay_takes_the_paper_runs_candidates_seed_and_the_seeds_annotated_beside_it(tmp_path):
    args = Namespace(paper_from=made(tmp_path), candidates=20, seed=0, seeds=None)
    paper_run(args)
    assert (args.candidates, args.seed) == (60, 1)
    assert args.seeds == tmp_path / "cost-run" / "annotate" / "seeds.annotated.jsonl"


def test_a_run_that_skipped_reviews_is_refused_as_the_paper_baseline(tmp_path):
    args = Namespace(paper_from=made(tmp_path, order="check-first", early_exit=True), candidates=20, seed=0, seeds=None)
    with pytest.raises(SystemExit, match="not a paper-order full-review run"):
        paper_run(args)


def test_the_floor_takes_what_a_perfect_order_would_skip_from_check_firsts_full_reviews(tmp_path):
    got = floor(full_review_run(tmp_path), {"calls": 20, "kept": 2}, paper_calls_per_kept=10.0, tau=8.0)
    assert got == {"calls": 16, "calls_per_kept": 8.0, "over_paper": 0.8, "checks_skipped": 2, "sheets_skipped": 2}
