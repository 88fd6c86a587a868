"""What the reviewers' order costs under early exit: drawn, learned, and the floor, on the same reviews.

    python bench/review_order.py [--pool cpu] [--candidates 60] [--seeds examples/seeds.jsonl] [--seed 1]
    python bench/review_order.py --from RUN_DIR      # a run made with --full-reviews

A run with every review holds each reviewer's checks of every instruction and each
reviewer's score sheet of every response, so how many calls early exit makes under any
order can be counted on the very same reviews.

``check_calls`` (stop at the first 0):

- ``drawn``: the reviewers asked in the order they were drawn;
- ``strictest_first``: by each member's rate of rejecting its first checks alone
  (:class:`runtime.pipeline.check_order.StrictestFirst` with no models), learning from
  scratch as the samples come, in id order (as the run would, less the overlap of
  samples in flight);
- ``default``: what the judges do: reviewers on another model than the generator's
  first, strictest first within each, learning the same way;
- ``default_known``: the same with every member's rate known from the start (from all
  of this run's checks), what a long run converges to once the learning is paid for;
- ``floor``: every rejected instruction stopped by its first reviewer, which no order beats.

Also ``self_preference``: how often reviewers on the generator's own model gave a 0, and
how often those on another model did (the reason for the default's first rule).

``sheet_calls`` (stop once μ < τ is certain, :func:`gra_agents.rejected_already`):
``drawn``; ``harshest_first`` (:class:`runtime.pipeline.score_order.HarshestFirst`, learning
as the samples come); ``floor`` (the lowest sheets first, which no order beats).

Also each member's rate of rejecting the instructions it checked and its mean sheet
average. Writes ``bench/results/review_order.json`` (``--result`` names another file).
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from cost import ROOT, run_way  # noqa: E402
from full_reviews import (  # noqa: E402
    Checked,
    Scored,
    calls_until_a_zero,
    calls_until_settled,
    checks_by_sample,
    floor_checks,
    floor_sheets,
    sheets_by_sample,
)
from rich.console import Console  # noqa: E402

from runtime.pipeline.check_order import StrictestFirst  # noqa: E402
from runtime.pipeline.score_order import HarshestFirst  # noqa: E402
from runtime.run import annotate  # noqa: E402
from runtime.storage.store import Store  # noqa: E402


def models(store: Store) -> dict[str, str]:
    """Member → the model it runs, from the run's stored pool."""
    pool = store.run_configs()[-1]["pool"]
    return {m["name"]: pool["engines"][m["engine"]]["model"] for m in pool["members"]}


def orders(samples: list[Checked], model_of: dict[str, str]) -> dict:
    """Check calls under each order, on the same checks."""
    calls = Counter()
    rates_only, learner = StrictestFirst(), StrictestFirst(model_of=model_of)
    known = StrictestFirst((pair for _, sheet in samples for pair in sheet), model_of)
    for generator, sheet in samples:
        said, drawn = dict(sheet), [r for r, _ in sheet]
        calls["drawn"] += calls_until_a_zero([z for _, z in sheet])
        for name, order in (("strictest_first", rates_only.order(drawn)), ("default", learner.order(drawn, generator))):
            calls[name] += calls_until_a_zero([said[r] for r in order])
        for order, who in ((rates_only, rates_only.order(drawn)[0]), (learner, learner.order(drawn, generator)[0])):
            order.record(who, said[who])
        calls["default_known"] += calls_until_a_zero([said[r] for r in known.order(drawn, generator)])
        calls["floor"] += floor_checks((generator, sheet))
    return {"samples": len(samples)} | {k: calls[k] for k in ORDERS}


#: The orders :func:`orders` counts, in the order they are reported.
ORDERS = ("drawn", "strictest_first", "default", "default_known", "floor")


def rejection_rates(samples: list[Checked]) -> dict[str, float]:
    """Each member's share of 0s over every instruction it checked."""
    asked, zero = Counter(), Counter()
    for _, sheet in samples:
        for r, z in sheet:
            asked[r] += 1
            zero[r] += z
    return {r: round(zero[r] / asked[r], 3) for r in sorted(asked)}


def self_preference(samples: list[Checked], model_of: dict[str, str]) -> dict[str, dict]:
    """The share of 0s from reviewers on the generator's own model and from those on another model."""
    asked, zero = Counter(), Counter()
    for generator, sheet in samples:
        for r, z in sheet:
            kin = "generators_model" if model_of.get(r) == model_of.get(generator) else "other_model"
            asked[kin] += 1
            zero[kin] += z
    return {k: {"checks": asked[k], "rejected": zero[k], "rate": round(zero[k] / asked[k], 3)} for k in sorted(asked)}


def sheet_orders(samples: list[Scored], tau: float) -> dict:
    """Score sheets asked for under each order, on the same sheets."""
    drawn = harshest = floor = 0
    learner = HarshestFirst(prior=tau)
    for sample in samples:
        said = dict(sample)
        drawn += calls_until_settled([s for _, s in sample], tau)
        harshest += calls_until_settled([said[r] for r in learner.order([r for r, _ in sample])], tau)
        for r, s in sample:
            learner.record(r, s)
        floor += floor_sheets(sample, tau)
    return {"samples": len(samples), "drawn": drawn, "harshest_first": harshest, "floor": floor}


def mean_sheet_averages(samples: list[Scored]) -> dict[str, float]:
    """Each member's mean sheet average over every response it scored."""
    seen = HarshestFirst(pair for sample in samples for pair in sample).seen()
    return {r: round(float(mean), 2) for r, mean in sorted(seen.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help="a run directory made with --full-reviews")
    ap.add_argument("--pool", default="cpu")
    ap.add_argument("--candidates", type=int, default=60)
    ap.add_argument("--seeds", type=Path, default=ROOT / "examples" / "seeds.jsonl")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tau", type=float, default=8.0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--result", default="review_order.json")
    args = ap.parse_args()
    console = Console(stderr=True)
    if args.source is None:
        work = args.out / "review-order-run"
        seeds = annotate(args.seeds, work / "annotate", args.pool, fresh=True, console=console)
        run_way(args, seeds, "paper", work / "paper", console)
        args.source = work / "paper"
    store = Store(args.source / "gra.db")
    checks, sheets, model_of = checks_by_sample(store), sheets_by_sample(store), models(store)
    result = {
        "run": os.path.relpath(args.source, ROOT),
        "check_calls": orders(checks, model_of),
        "rejection_rates": rejection_rates(checks),
        "self_preference": self_preference(checks, model_of),
        "sheet_calls": sheet_orders(sheets, args.tau),
        "mean_sheet_averages": mean_sheet_averages(sheets),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / args.result).write_text(json.dumps(result, indent=2) + "\n")
    console.print(result)


if __name__ == "__main__":
    main()
