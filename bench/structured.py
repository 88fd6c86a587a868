"""Structured-output benchmark: ≥1,000 constrained calls across every signature on the embedded pool.

    python bench/structured.py [--calls 1000] [--pool cpu] [--seeds ../shared/seeds/self_instruct_seed_tasks.jsonl]

Each call is a first attempt (no retries), so the counts measure the constraint itself.
Writes ``bench/results/structured.json``::

    {"parse_status": {"ok": n, "repaired": n, "truncated": n, "invalid": n, "refused": n, "degenerate": n,
                      "engine_error": n}, ...}

Target: invalid + truncated = 0 at the default max_tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from gra_agents import Adjudicator, Generator, Reviewer, SeedAnnotator, Summarizer  # noqa: E402
from gra_agents.demos import example_lines  # noqa: E402
from runtime.calls.adapter import StructuredAdapter
from runtime.calls.record import PARSE_STATUSES  # noqa: E402
from runtime.config import Retry, load_pool  # noqa: E402
from runtime.engines.supervisor import Supervisor  # noqa: E402
from runtime.pipeline import Coordinator, RoleFailed, Team
from runtime.settings import SynthConfig  # noqa: E402
from runtime.storage.seeds import load_seeds  # noqa: E402
from runtime.storage.store import Store  # noqa: E402
from signatures import DOMAINS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds" / "self_instruct_seed_tasks.jsonl"


def jobs(seeds, n_calls: int, rng: random.Random):
    """(signature name, role, coroutine factory) triples, cycling through every signature."""
    annotator, generator, reviewer, adjudicator, summarizer = (
        SeedAnnotator(),
        Generator(),
        Reviewer(),
        Adjudicator(),
        Summarizer(),
    )
    kinds = [
        (
            "AnnotateSeed",
            "annotator",
            lambda s: annotator.acall(instruction=s.instruction, input=s.input, output=s.output),
        ),
        (
            "InventKeywords",
            "generator",
            lambda s: generator.invent.acall(
                domain=rng.choice(DOMAINS), examples=example_lines([(s.instruction.split()[:3], s.instruction[:200])])
            ),
        ),
        (
            "WriteInstruction",
            "generator",
            lambda s: generator.write.acall(domain=rng.choice(DOMAINS), keywords=s.instruction.split()[:3]),
        ),
        ("AnswerInstruction", "generator", lambda s: generator.answer.acall(instruction=s.instruction, input=s.input)),
        ("CheckInstruction", "reviewer", lambda s: reviewer.checks.acall(s.instruction, s.input)),
        ("ScoreResponse", "reviewer", lambda s: reviewer.scores.acall(s.instruction, s.input, s.output)),
        (
            "Adjudicate",
            "adjudicator",
            lambda s: adjudicator.acall(
                instruction=s.instruction,
                input=s.input,
                response=s.output,
                scores=[[9] * 6, [4] * 6],
                reviews=["Accurate and complete.", "Misses part of the task."],
            ),
        ),
        ("SummarizeSample", "summarizer", lambda s: summarizer.acall(instruction=s.instruction, input=s.input)),
    ]
    for i in range(n_calls):
        name, role, make = kinds[i % len(kinds)]
        seed = seeds[(i // len(kinds)) % len(seeds)]
        yield name, role, (lambda make=make, seed=seed: make(seed))


async def run(coordinator: Coordinator, team: Team, work, concurrency: int, console: Console) -> None:
    queue = list(enumerate(work))
    done = 0

    async def worker():
        nonlocal done
        while queue:
            i, (_name, role, factory) = queue.pop(0)
            member = team.names[i % len(team.names)]
            try:
                await coordinator.members.call(role, member, factory, sample_id=f"bench-{i}")
            except RoleFailed:
                pass  # counted from lm_calls
            done += 1
            if done % 100 == 0:
                console.print(f"{done} calls")

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--pool", default="tiny")  # the figures in the README are the tiny pool's
    ap.add_argument(
        "--seeds", type=Path, default=DEFAULT_SEEDS if DEFAULT_SEEDS.exists() else ROOT / "examples/seeds.jsonl"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    console = Console(stderr=True)
    seeds = load_seeds(args.seeds)
    pool, _ = load_pool(args.pool)
    work_dir = args.out / "structured-run"
    work_dir.mkdir(parents=True, exist_ok=True)
    for f in work_dir.glob("gra.db*"):
        f.unlink()
    store = Store(work_dir / "gra.db")
    t0 = time.perf_counter()
    with Supervisor(pool, log_dir=work_dir / "logs") as sup:
        team = Team.from_pool(pool, sup.endpoints)
        coordinator = Coordinator(team, store, work_dir, SynthConfig(seed=args.seed), console)
        coordinator.members.adapter = StructuredAdapter(
            retry=Retry(truncated=0, invalid=0, refused=0, degenerate=0, engine_error=0)
        )
        concurrency = sum(ep.slots for ep in sup.endpoints.values())
        work = list(jobs(seeds, args.calls, random.Random(args.seed)))
        asyncio.run(run(coordinator, team, work, concurrency, console))
    seconds = time.perf_counter() - t0
    rows = list(store.db["lm_calls"].rows)
    status = Counter(r["parse_status"] for r in rows)
    by_sig: dict[str, Counter] = defaultdict(Counter)
    by_member: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        by_sig[r["signature"]][r["parse_status"]] += 1
        by_member[r["member"]][r["parse_status"]] += 1
    result = {
        "parse_status": {s: status.get(s, 0) for s in PARSE_STATUSES},
        "calls": len(rows),
        "invalid_plus_truncated": status.get("invalid", 0) + status.get("truncated", 0),
        "unparseable_per_1000": round(
            1000 * (status.get("invalid", 0) + status.get("truncated", 0)) / max(1, len(rows)), 2
        ),
        "by_signature": {k: dict(v) for k, v in sorted(by_sig.items())},
        "by_member": {k: dict(v) for k, v in sorted(by_member.items())},
        "completion_tokens": sum(r["completion_tokens"] or 0 for r in rows),
        "max_completion_tokens": max((r["completion_tokens"] or 0) for r in rows),
        "seconds": round(seconds, 1),
        "pool": args.pool,
        "seeds": os.path.relpath(args.seeds, ROOT),
        "retries": "none (first attempts only)",
        "max_tokens": {m.name: pool.sampling_for(m)["max_tokens"] for m in pool.members},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "structured.json").write_text(json.dumps(result, indent=2) + "\n")
    table = Table(title=f"structured outputs: {len(rows)} calls in {seconds:.0f}s")
    for col in ("signature", *PARSE_STATUSES):
        table.add_column(col, justify="right")
    for sig, c in sorted(by_sig.items()):
        table.add_row(sig, *(str(c.get(s, 0)) for s in PARSE_STATUSES))
    table.add_row("all", *(str(status.get(s, 0)) for s in PARSE_STATUSES), style="bold")
    console.print(table)
    console.print(f"wrote {args.out / 'structured.json'}")


if __name__ == "__main__":
    main()
