"""What the checks' order costs: drawn order, strictest first, and the floor, on the same checks.

    python bench/check_order.py [--pool cpu] [--candidates 60] [--seeds examples/seeds.jsonl] [--seed 1]
    python bench/check_order.py --from RUN_DIR      # a run made with --full-reviews

A run with every review holds each reviewer's checks of every instruction, so how many
check calls early exit makes under any order can be counted on the very same checks:

- ``drawn``: the reviewers asked in the order they were drawn;
- ``strictest_first``: :class:`runtime.pipeline.check_order.StrictestFirst`, learning from
  scratch as the samples come, in id order (as the run would, less the overlap of
  samples in flight);
- ``strictest_known``: strictest first with every member's rate known from the start (from
  all of this run's checks), what a long run converges to once the learning is paid for;
- ``floor``: every rejected instruction stopped by its first reviewer, which no order beats.

Also each member's rate of rejecting the instructions it checked. Writes
``bench/results/check_order.json``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console  # noqa: E402

from cost import ROOT, run_way  # noqa: E402
from runtime.pipeline.check_order import StrictestFirst  # noqa: E402
from runtime.run import annotate  # noqa: E402
from runtime.storage.store import Store  # noqa: E402


def checks_by_sample(store: Store) -> list[list[tuple[str, bool]]]:
    """For each sample every drawn reviewer checked, in id order: (reviewer, gave a 0) in the drawn order."""
    out = []
    for sid, reviewers in store.db.execute("select id, reviewers from samples order by id"):
        sheets = {r: 0 in json.loads(s) for r, s in store.db.execute(
            "select reviewer, scores from reviews where sample_id = ? and kind = 'instruction'", (sid,)
        )}
        drawn = json.loads(reviewers or "[]")
        if drawn and all(r in sheets for r in drawn):
            out.append([(r, sheets[r]) for r in drawn])
    return out


def calls_until_a_zero(outcomes: list[bool]) -> int:
    """Check calls early exit makes when the reviewers answer ``outcomes`` in this order."""
    return outcomes.index(True) + 1 if any(outcomes) else len(outcomes)


def orders(samples: list[list[tuple[str, bool]]]) -> dict:
    """Check calls under each order, on the same checks."""
    drawn = strictest = known = floor = 0
    learner, oracle = StrictestFirst(), StrictestFirst(pair for sheet in samples for pair in sheet)
    for sheet in samples:
        said = dict(sheet)
        drawn += calls_until_a_zero([z for _, z in sheet])
        ordered = learner.order([r for r, _ in sheet])
        strictest += calls_until_a_zero([said[r] for r in ordered])
        learner.record(ordered[0], said[ordered[0]])
        known += calls_until_a_zero([said[r] for r in oracle.order([r for r, _ in sheet])])
        floor += 1 if any(said.values()) else len(sheet)
    return {
        "samples": len(samples),
        "drawn": drawn,
        "strictest_first": strictest,
        "strictest_known": known,
        "floor": floor,
    }


def rejection_rates(samples: list[list[tuple[str, bool]]]) -> dict[str, float]:
    """Each member's share of 0s over every instruction it checked."""
    asked, zero = Counter(), Counter()
    for sheet in samples:
        for r, z in sheet:
            asked[r] += 1
            zero[r] += z
    return {r: round(zero[r] / asked[r], 3) for r in sorted(asked)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help="a run directory made with --full-reviews")
    ap.add_argument("--pool", default="cpu")
    ap.add_argument("--candidates", type=int, default=60)
    ap.add_argument("--seeds", type=Path, default=ROOT / "examples" / "seeds.jsonl")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    console = Console(stderr=True)
    if args.source is None:
        work = args.out / "check-order-run"
        seeds = annotate(args.seeds, work / "annotate", args.pool, fresh=True, console=console)
        run_way(args, seeds, "paper", work / "paper", console)
        args.source = work / "paper"
    samples = checks_by_sample(Store(args.source / "gra.db"))
    result = {"run": str(args.source), "check_calls": orders(samples), "rejection_rates": rejection_rates(samples)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "check_order.json").write_text(json.dumps(result, indent=2) + "\n")
    console.print(result)


if __name__ == "__main__":
    main()
