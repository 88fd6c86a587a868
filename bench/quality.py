"""Quality benchmark: does the embedded pool make real data, and does its committee tell right from wrong?

    python bench/quality.py [--candidates 100] [--pool cpu] [--seeds PATH] [--judge-rows 40] [--seed 0]

It runs one round of ``gra synth`` with a budget of ``--candidates`` (every candidate is
drawn: ``per_round`` is set to the budget) on Self-Instruct's 175 seed tasks from
``../shared/seeds/`` (without ``../shared``, the shipped ``examples/seeds.jsonl``, and the
JSON says so). Then, with the same pool:

- every generated instruction is annotated again, and its domain compared with the domain
  its generator was asked for (``domain_agreement``), by the pool's annotator and by the
  embedding classifier (``runtime.pipeline.domains``); each judge's own accuracy is
  measured on the 35 shipped examples, whose domains are labelled in
  ``bench/data/example_domains.jsonl``; the kept samples' labels are checked by the pool;
- the full committee (screen, checks, scores, σ rule, adjudicator) judges ``--judge-rows``
  labelled responses of ``../shared/judge/`` (half right, half wrong, from both sets).

Writes ``bench/results/quality.json``. Targets: ``distinct_ratio`` ≥ 0.9, ``copy_rate`` ≤
0.05, ``kept_per_100`` ≥ 10, and a committee that accepts right responses more often than
wrong ones (a keep rate bought with a lenient committee does not count).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import datetime
import json
import os
import random
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402

from gra_agents import round_roles  # noqa: E402
from runtime.config import load_pool  # noqa: E402
from runtime.engines.supervisor import Supervisor  # noqa: E402
from runtime.pipeline import Coordinator, RoleFailed, Team
from runtime.pipeline.domains import classify  # noqa: E402
from runtime.pipeline.embedding import embed, sample_text  # noqa: E402
from runtime.run import synthesize  # noqa: E402
from runtime.settings import SynthConfig  # noqa: E402
from runtime.storage.funnel import funnel  # noqa: E402
from runtime.storage.seeds import load_seeds  # noqa: E402
from runtime.storage.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples" / "seeds.jsonl"
EXAMPLE_DOMAINS = ROOT / "bench" / "data" / "example_domains.jsonl"
JUDGE_SETS = {"gsm8k_train_planted.jsonl": "Math", "self_instruct_perturbed.jsonl": None}


def distinct_ratio(vectors: np.ndarray, threshold: float) -> float:
    """Greedy: the share of texts whose cosine to every earlier kept text is below ``threshold``."""
    kept: list[np.ndarray] = []
    for v in vectors:
        if not kept or float(np.max(np.stack(kept) @ v)) < threshold:
            kept.append(v)
    return len(kept) / len(vectors) if len(vectors) else 0.0


def auroc(positive: list[float], negative: list[float]) -> float | None:
    """P(score of a right response > score of a wrong one), ties counting half."""
    if not positive or not negative:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def seconds_since(start_iso: str, end_iso: str) -> float:
    return (datetime.datetime.fromisoformat(end_iso) - datetime.datetime.fromisoformat(start_iso)).total_seconds()


def run_figures(store: Store, threshold: float) -> dict:
    """What the synth run made, read back from its database."""
    db = store.db
    f = funnel(store)
    generated = store.samples("instruction is not null", order_by="ordinal")
    vectors = embed([sample_text(r["instruction"], r["input"]) for r in generated]) if generated else np.zeros((0, 1))
    calls = db.execute("select count(*), coalesce(sum(completion_tokens), 0) from lm_calls").fetchone()
    sample_calls = db.execute(
        "select count(*), coalesce(sum(completion_tokens), 0) from lm_calls where sample_id is not null"
    ).fetchone()
    started = db.execute("select created_at from runs order by id limit 1").fetchone()[0]
    last_call_end: dict[str, float] = {}  # sample -> seconds from the run's start to the end of its last call
    for sid, at, latency in db.execute(
        "select c.sample_id, c.started_at, c.latency_s from lm_calls c join samples s on s.id = c.sample_id"
        " where s.status = 'accepted' and c.role != 'summarizer'"
    ):
        end = seconds_since(started, at) + (latency or 0.0)
        last_call_end[sid] = max(last_call_end.get(sid, 0.0), end)
    round_end = db.execute("select finished_at from rounds order by round limit 1").fetchone()
    round_start = db.execute("select started_at from rounds order by round limit 1").fetchone()
    kept = f.kept
    return {
        "candidates": f.candidates,
        "generated": len(generated),
        "funnel": dataclasses.asdict(f),
        "distinct_ratio": round(distinct_ratio(vectors, threshold), 3),
        "copies": f.copies,
        "copy_rate": round(f.copies / len(generated), 3) if generated else None,
        "kept": kept,
        "kept_per_100": round(100 * kept / f.candidates, 1) if f.candidates else None,
        "calls_per_kept": round(calls[0] / kept, 1) if kept else None,
        "output_tokens_per_kept": round(calls[1] / kept) if kept else None,
        "calls_per_kept_without_annotation": round(sample_calls[0] / kept, 1) if kept else None,
        "output_tokens_per_kept_without_annotation": round(sample_calls[1] / kept) if kept else None,
        "synth_wall_s": synth_wall(store),
        "seconds_annotating_seeds": round(seconds_since(started, round_start[0]), 1),
        # the committee's last call on the first sample that was kept (its summary comes at the round's end)
        "seconds_to_first_kept_decision": round(min(last_call_end.values()), 1) if last_call_end else None,
        "seconds_to_first_kept_written": round(seconds_since(started, round_end[0]), 1) if kept else None,
    }


def synth_wall(store: Store) -> float:
    """Seconds from the run's creation to its last round's end, as recorded (so a re-measured run keeps it)."""
    started = store.db.execute("select created_at from runs order by id limit 1").fetchone()[0]
    ended = store.db.execute("select max(finished_at) from rounds").fetchone()[0]
    return round(seconds_since(started, ended), 1)


async def annotate_all(coordinator: Coordinator, rows: list[dict]) -> list[str | None]:
    """The pool's domain for each row, annotator drawn round-robin; None where the call failed."""
    names = coordinator.team.names
    gate = asyncio.Semaphore(coordinator.samples_in_flight)

    async def one(i: int, r: dict) -> str | None:
        async with gate:
            try:
                p = await coordinator.members.call(
                    "annotator",
                    names[i % len(names)],
                    lambda: coordinator.team.roles.annotator.acall(
                        instruction=r["instruction"], input=r["input"] or "", output=r["output"] or ""
                    ),
                    seed_id=f"bench-{r['id']}",
                )
                return p.domain
            except RoleFailed:
                return None

    return await asyncio.gather(*(one(i, r) for i, r in enumerate(rows)))


def judge_rows(n: int, seed: int) -> list[tuple[dict, str | None]]:
    """``n`` labelled rows, half right and half wrong, split evenly over the two judge sets."""
    rng = random.Random(seed)
    picked = []
    for name, domain in JUDGE_SETS.items():
        rows = [json.loads(line) for line in (SHARED / "judge" / name).read_text().splitlines() if line.strip()]
        for correct in (True, False):
            pool = [r for r in rows if r["correct"] is correct]
            picked += [(r, domain) for r in rng.sample(pool, n // 4)]
    rng.shuffle(picked)
    return picked


async def committee_on(coordinator: Coordinator, rows: list[tuple[dict, str | None]], seed: int) -> list[dict]:
    """The full committee on each labelled row, as ``gra synth`` judges a generated sample."""
    gate = asyncio.Semaphore(coordinator.samples_in_flight)
    names = coordinator.team.names

    async def one(i: int, row: dict, domain: str | None) -> dict:
        sid = f"judge-{row['id']}"
        roles = round_roles(names, coordinator.config.n_reviewers, seed, 0, i)
        coordinator.store.new_sample(
            {"id": sid, "round": 0, "ordinal": i, "status": "reviewing", "domain": domain}
            | {"instruction": row["instruction"], "input": row["input"], "output": row["output"]}
            | {"generator": None, "reviewers": json.dumps(roles.reviewers), "adjudicator": roles.adjudicator}
        )
        async with gate:
            status = await coordinator.sampler.judge(
                sid, roles, row["instruction"], row["input"], row["output"], domain
            )
        s = coordinator.store.sample(sid)
        return {"id": row["id"], "correct": row["correct"], "status": status, "mean": s["mean"]}

    return await asyncio.gather(*(one(i, r, d) for i, (r, d) in enumerate(rows)))


async def judge_phases(coordinator: Coordinator, generated, examples, rows, seed: int):
    """The three measurements after the run, on one event loop (the coordinator's limiter belongs to it)."""
    domains = await annotate_all(coordinator, generated)
    example_domains = await annotate_all(coordinator, examples)
    committee = await committee_on(coordinator, rows, seed)
    return domains, example_domains, committee


def share(hits: list[bool]) -> float | None:
    return round(sum(hits) / len(hits), 3) if hits else None


def domain_figures(store: Store, generated, domains, examples, example_domains, labels) -> dict:
    """Do generated instructions land in the domain asked for, and are the kept ones labelled right?

    Two judges: the pool's annotator (``domains``, None where its call failed) and the
    embedding classifier; each one's accuracy on the labelled examples says how far to trust it.
    """
    asked = [r.get("requested_domain") or r["domain"] for r in generated]
    nearest = classify([(r["instruction"], r["input"] or "") for r in generated])
    by_pool = [(d, a) for d, a in zip(domains, asked, strict=True) if d is not None]
    kept = [(d, r["domain"]) for d, r in zip(domains, generated, strict=True) if r["status"] == "accepted"]
    seeds = store.seeds("status = 'annotated'")
    return {
        "domain_agreement": share([d == a for d, a in by_pool]),
        "domain_agreement_of": len(by_pool),
        "domain_agreement_embedding": share([n == a for n, a in zip(nearest, asked, strict=True)]),
        "kept_label_agreement": share([d == label for d, label in kept if d is not None]),
        "kept_label_agreement_of": sum(d is not None for d, _ in kept),
        "relabelled": sum(r["domain"] != a for r, a in zip(generated, asked, strict=True)),
        "annotator_accuracy_on_labelled_examples": share(
            [d == labels[e["id"]] for d, e in zip(example_domains, examples, strict=True) if d is not None]
        ),
        "annotator_accuracy_of": sum(d is not None for d in example_domains),
        "embedding_accuracy_on_labelled_examples": share(
            [
                d == labels[e["id"]]
                for d, e in zip(classify([(e["instruction"], e["input"]) for e in examples]), examples, strict=True)
            ]
        ),
        "seed_domains": dict(sorted(collections.Counter(r["domain"] for r in seeds).items())),
        "seed_model_domain_agreement": share([r["domain"] == r.get("model_domain") for r in seeds]),
    }


def committee_figures(results: list[dict]) -> dict:
    judged = [r for r in results if r["status"] != "failed"]
    right = [r for r in judged if r["correct"]]
    wrong = [r for r in judged if not r["correct"]]

    def rate(rows):
        return round(sum(r["status"] == "passed" for r in rows) / len(rows), 3) if rows else None

    def score(r):  # a row rejected before scoring ranks below every scored one
        return r["mean"] if r["mean"] is not None else 0.0

    accept_right, accept_wrong = rate(right), rate(wrong)
    return {
        "rows": len(results),
        "failed": len(results) - len(judged),
        "accept_rate_right": accept_right,
        "accept_rate_wrong": accept_wrong,
        "balanced_accuracy": round((accept_right + 1 - accept_wrong) / 2, 3) if right and wrong else None,
        "auroc_mean": round(auroc([score(r) for r in right], [score(r) for r in wrong]), 3)
        if right and wrong
        else None,
        "statuses": {s: sum(r["status"] == s for r in results) for s in sorted({r["status"] for r in results})},
        "per_row": results,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=100)
    ap.add_argument("--pool", default="cpu")
    ap.add_argument("--seeds", type=Path, default=SHARED / "seeds" / "self_instruct_seed_tasks.jsonl")
    ap.add_argument("--judge-rows", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--reuse-run", action="store_true", help="measure the finished run in OUT/quality-run again")
    ap.add_argument(
        "--figures-only",
        action="store_true",
        help="re-read the run's own figures into OUT/quality.json, keeping its annotator and committee measurements",
    )
    args = ap.parse_args()
    console = Console(stderr=True)
    seeds, fallback = args.seeds, not args.seeds.exists()
    if fallback:
        seeds = EXAMPLES
        console.print(f"[yellow]{args.seeds} not found: falling back to {EXAMPLES}")
    work = args.out / "quality-run"
    config = SynthConfig(rounds=1, per_round=args.candidates, max_candidates=args.candidates, seed=args.seed)

    if not (args.reuse_run or args.figures_only):
        synthesize(seeds, work, args.pool, config, fresh=True, console=console)
    run_store = Store(work / "gra.db")
    figures = run_figures(run_store, config.dedup_threshold)
    if args.figures_only:
        result = json.loads((args.out / "quality.json").read_text()) | figures
        (args.out / "quality.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        console.print(f"rewrote the run's figures in {args.out / 'quality.json'}")
        return
    generated = run_store.samples("instruction is not null", order_by="ordinal")

    pool, _ = load_pool(args.pool)
    extra = args.out / "quality-run" / "bench.db"
    extra.unlink(missing_ok=True)
    examples = [dataclasses.asdict(s) for s in load_seeds(EXAMPLES)]
    labels = {json.loads(line)["id"]: json.loads(line)["domain"] for line in EXAMPLE_DOMAINS.read_text().splitlines()}
    rows = judge_rows(args.judge_rows, args.seed)
    t1 = time.perf_counter()
    with Supervisor(pool, log_dir=work / "bench-logs") as sup:
        team = Team.from_pool(pool, sup.endpoints, health=sup.engine_state)
        coordinator = Coordinator(team, Store(extra), work / "bench-index", config, console)
        domains, example_domains, committee = asyncio.run(
            judge_phases(coordinator, generated, examples, rows, args.seed)
        )
    result = {
        "pool": args.pool,
        "members": [m.name for m in pool.members],
        "seeds": os.path.relpath(seeds, ROOT),  # repo-relative: results carry no machine paths
        "seeds_fallback": fallback,
        "seed": args.seed,
        "tau": config.tau,
        "delta": config.delta,
        **figures,
        **domain_figures(run_store, generated, domains, examples, example_domains, labels),
        "committee_on_judge_sets": committee_figures(committee),
        "extra_wall_s": round(time.perf_counter() - t1, 1),
        "examples_kept": [
            {k: r[k] for k in ("id", "domain", "instruction", "input", "output", "mean")}
            for r in run_store.samples("status = 'accepted'", order_by="mean desc")[:5]
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quality.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    c = result["committee_on_judge_sets"]
    console.print(
        f"distinct {result['distinct_ratio']}, copies {result['copy_rate']}, kept/100 {result['kept_per_100']},"
        f" domain agreement {result['domain_agreement']} by the pool"
        f" (accuracy {result['annotator_accuracy_on_labelled_examples']}),"
        f" {result['domain_agreement_embedding']} by embedding"
        f" (accuracy {result['embedding_accuracy_on_labelled_examples']}),"
        f" committee accepts right {c['accept_rate_right']} / wrong {c['accept_rate_wrong']}, AUROC {c['auroc_mean']}"
    )
    console.print(f"wrote {args.out / 'quality.json'}")


if __name__ == "__main__":
    main()
