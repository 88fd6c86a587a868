"""Fewer calls for the same decisions: one round run three ways on the same candidates.

    python bench/cost.py [--pool cpu] [--candidates 20] [--seeds examples/seeds.jsonl] [--seed 0]
    python bench/cost.py --paper-from RUN_DIR --candidates N --seed S --result cost_N.json

The second form skips the live runs: it replays check-first and the default on a paper-order,
full-review run already made (its annotated seeds, candidates and seed must be given again).

The seeds are annotated once (``gra annotate``) and every run starts from that file, so all
draw from the same annotations. The same seeds, run seed and candidate budget (so the same
draws) then go through ``gra synth`` three ways:

- ``paper``: the paper's order (the response written with the instruction) and every review;
- ``check_first``: the response written only for an instruction the checks passed, every review;
- ``default``: check-first and early exit (a reviewer called only while it can change the decision).

Each way runs live on the engines (``live``: wall time, sample latency, calls). The engines
do not answer one prompt and seed alike every time (llama.cpp batches requests), so the
live runs' candidates drift apart; ``check_first`` and ``default`` are therefore also run
answered from the paper run's database (``replayed``: every request the paper run made gets
its answer, so the three ways see the very same texts). ``decisions_identical`` compares
every sample's final status between the paper run and the replayed ways, and the calls per
kept sample of the replayed ways against the paper's are the exact saving on the same
candidates. ``floor`` gives the calls of early exit under an order that knew every review
in advance (:func:`floor`): what no order of the reviewers can beat. For each way: calls
(those that reached a model: an engine error, such as a closed connection, is counted
apart) and output tokens per kept sample (all calls, and the samples' own), the calls each
rule saved (:func:`runtime.storage.funnel.savings`), the wall time and the mean and
90th-percentile latency of a sample (first call to last). Writes
``bench/results/cost.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from full_reviews import beyond_the_floor, checks_by_sample, sheets_by_sample  # noqa: E402
from rich.console import Console  # noqa: E402

from runtime.run import annotate, synthesize  # noqa: E402
from runtime.settings import (
    Order,
    SynthConfig,  # noqa: E402
)
from runtime.storage.funnel import savings  # noqa: E402
from runtime.storage.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WAYS = {
    "paper": {"order": Order.PAPER, "early_exit": False},
    "check_first": {"order": Order.CHECK_FIRST, "early_exit": False},
    "default": {},
}


def _t(stamp: str) -> float:
    return datetime.datetime.fromisoformat(stamp).timestamp()


def latencies(store: Store) -> list[float]:
    """Seconds from each sample's first call's start to its last call's end."""
    spans: dict[str, list[float]] = {}
    for sid, started, latency in store.db.execute(
        "select sample_id, started_at, latency_s from lm_calls where sample_id is not null and role != 'summarizer'"
    ):
        t0 = _t(started)
        lo, hi = spans.get(sid, [t0, t0])
        spans[sid] = [min(lo, t0), max(hi, t0 + (latency or 0.0))]
    return [hi - lo for lo, hi in spans.values()]


def figures(store: Store, wall: float | None) -> dict:
    kept = store.count_samples(("accepted",))
    one = lambda sql: store.db.execute(sql).fetchone()[0]  # noqa: E731
    answered = "parse_status != 'engine_error'"  # an engine error reached no model: it costs nothing to count
    calls, sample_calls = (
        one(f"select count(*) from lm_calls where {answered}"),
        one(f"select count(*) from lm_calls where sample_id is not null and {answered}"),
    )
    out_tok = one("select coalesce(sum(completion_tokens), 0) from lm_calls")
    prompt_tok = one("select coalesce(sum(prompt_tokens), 0) from lm_calls")
    sample_tok = one("select coalesce(sum(completion_tokens), 0) from lm_calls where sample_id is not null")
    spans = sorted(latencies(store))
    per = lambda x: round(x / kept, 2) if kept else None  # noqa: E731
    return {
        "candidates": store.count_samples(),
        "kept": kept,
        "calls": calls,
        "engine_errors": one("select count(*) from lm_calls where parse_status = 'engine_error'"),
        "calls_per_kept": per(calls),
        "sample_calls_per_kept": per(sample_calls),
        "output_tokens_per_kept": per(out_tok),
        "prompt_tokens_per_kept": per(prompt_tok),
        "sample_output_tokens_per_kept": per(sample_tok),
        "saved": asdict(savings(store)),
        "wall_s": round(wall, 1) if wall is not None else None,
        "sample_latency_mean_s": round(statistics.mean(spans), 1) if spans else None,
        "sample_latency_p90_s": round(spans[int(0.9 * (len(spans) - 1))], 1) if spans else None,
    }


def compare(stores: dict[str, Store]) -> dict:
    """Every sample's final status in each way; where they differ, whether its text differed too."""
    cols = ("id", "status", "instruction", "output")
    sql = f"select {', '.join(cols)} from samples"
    rows = {way: {r[0]: dict(zip(cols, r, strict=True)) for r in s.db.execute(sql)} for way, s in stores.items()}
    ids = sorted(set().union(*(set(r) for r in rows.values())))
    differ = []
    for sid in ids:
        got = {way: rows[way].get(sid, {}) for way in rows}
        if len({g.get("status") for g in got.values()}) > 1:
            texts = {(g.get("instruction"), g.get("output")) for g in got.values() if g.get("output") is not None}
            differ.append(
                {
                    "id": sid,
                    "status": {w: g.get("status") for w, g in got.items()},
                    "same_instruction": len({g.get("instruction") for g in got.values()}) == 1,
                    "same_response": len(texts) <= 1,
                }
            )
    return {"samples": len(ids), "decisions_identical": not differ, "differing": differ}


def floor(check_first: Store, way: dict, paper_calls_per_kept: float, tau: float) -> dict:
    """The calls early exit would make if its order knew every review in advance.

    From check-first with every review (``check_first``, whose figures are ``way``), the
    floor skips every check after the first 0 of a rejected instruction and every score
    sheet after the lowest ones have settled μ < τ (:func:`full_reviews.beyond_the_floor`).
    No order of the reviewers makes fewer calls under early exit's two rules on these
    candidates, so a target below ``over_paper`` is out of reach of any order.
    """
    skipped = beyond_the_floor(checks_by_sample(check_first), sheets_by_sample(check_first), tau)
    left, kept = way["calls"] - skipped["checks"] - skipped["sheets"], way["kept"]
    per = left / kept if kept else None
    ratio = round(per / paper_calls_per_kept, 3) if per and paper_calls_per_kept else None
    return {"calls": left, "calls_per_kept": round(per, 2) if per else None, "over_paper": ratio} | {
        f"{k}_skipped": n for k, n in skipped.items()
    }


def run_way(
    args, seeds: Path, way: str, out: Path, console: Console, answers_from: Path | None = None
) -> tuple[Store, dict]:
    n = args.candidates
    config = SynthConfig(rounds=1, per_round=n, max_candidates=n, seed=args.seed, **WAYS[way])
    t0 = time.perf_counter()
    synthesize(seeds, out, args.pool, config, fresh=True, console=console, answers_from=answers_from)
    wall = time.perf_counter() - t0
    store = Store(out / "gra.db")
    return store, {"switches": config.switches()} | figures(store, wall)


def paper_run(args) -> None:
    """Fill ``args`` from the paper run ``args.paper_from``: its candidates, seed and annotated seeds."""
    synth = Store(args.paper_from / "gra.db").run_configs()[-1]["synth"]
    if synth["order"] != Order.PAPER or synth["early_exit"]:
        raise SystemExit(f"{args.paper_from}: not a paper-order full-review run (order {synth['order']})")
    args.candidates, args.seed = synth["max_candidates"], synth["seed"]
    args.seeds = args.seeds or args.paper_from.parent / "annotate" / "seeds.annotated.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", default="cpu")
    ap.add_argument("--candidates", type=int, default=20)
    ap.add_argument("--seeds", type=Path, help="the seed file (default examples/seeds.jsonl)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--paper-from", type=Path, help="replay only, on this paper-order full-review run")
    ap.add_argument("--result", default="cost.json")
    args = ap.parse_args()
    if args.paper_from:
        paper_run(args)
    args.seeds = args.seeds or ROOT / "examples" / "seeds.jsonl"
    console = Console(stderr=True)
    seeds_file = os.path.relpath(args.seeds, ROOT)  # repo-relative: results carry no machine paths
    result = {"pool": args.pool, "candidates": args.candidates, "seeds": seeds_file, "live": {}, "replayed": {}}
    result["seed"] = args.seed
    if args.paper_from:
        paper_dir, seeds, work = args.paper_from, args.seeds, args.paper_from.parent
        live = {"paper": Store(paper_dir / "gra.db")}
        result["live"]["paper"] = {"from": os.path.relpath(paper_dir, ROOT)} | figures(live["paper"], None)
    else:
        work = args.out / "cost-run"
        paper_dir = work / "paper"
        seeds = annotate(args.seeds, work / "annotate", args.pool, fresh=True, console=console)
        live = {}
        for way in WAYS:
            live[way], result["live"][way] = run_way(args, seeds, way, work / way, console)
    replayed = {"paper": live["paper"]}
    for way in ("check_first", "default"):
        replayed[way], result["replayed"][way] = run_way(
            args, seeds, way, work / f"{way}-replayed", console, answers_from=paper_dir
        )
    result["live_agreement"] = compare(live)
    result |= compare(replayed)
    paper = result["live"]["paper"]["calls_per_kept"]
    for kind in ("live", "replayed"):
        mine = result[kind].get("default", {}).get("calls_per_kept")
        result[f"default_over_paper_calls_per_kept_{kind}"] = round(mine / paper, 3) if paper and mine else None
    way = result["replayed"]["check_first"]
    result["floor"] = floor(replayed["check_first"], way, paper, SynthConfig().tau)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / args.result).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for kind in ("live", "replayed"):
        for way, f in result[kind].items():
            console.print(f"{kind} {way}: {f['kept']} kept, {f['calls_per_kept']} calls per kept, {f['wall_s']} s")
    console.print(
        f"decisions identical (replayed): {result['decisions_identical']} ({result['samples']} samples);"
        f" default / paper calls per kept: {result['default_over_paper_calls_per_kept_replayed']} replayed,"
        f" {result['default_over_paper_calls_per_kept_live']} live; at the floor of any order"
        f" {result['floor']['over_paper']}; wrote {args.out / args.result}"
    )


if __name__ == "__main__":
    main()
