"""``gra synth`` as a function: check the inputs, start the engines, run the loop, report.

Inputs are checked before anything is written: a bad seed file or pool file ends the
call with one line naming the file, and the run directory is left untouched.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from runtime.accounting import usage_table
from runtime.coordinator import Coordinator, SynthConfig, Team
from runtime.funnel import funnel, funnel_table, plain_summary
from runtime.pool import Pool, load_pool
from runtime.seeds import Seed, load_seeds
from runtime.store import Store
from runtime.supervisor import Supervisor


class RunDirError(ValueError):
    """The output directory cannot take this run."""


def check_out(out: Path, fresh: bool) -> None:
    """Refuse a run directory that already holds a run, unless the user asked to start over."""
    if (out / "gra.db").exists() and not fresh:
        raise RunDirError(f"{out}: already holds a run (gra.db); pass --fresh to start over in it")


def prepare_out(out: Path, fresh: bool) -> None:
    """Create the run directory; with ``fresh``, first remove an earlier run's database, data and index."""
    check_out(out, fresh)
    if (out / "gra.db").exists():
        for name in ("gra.db", "gra.db-wal", "gra.db-shm", "data.jsonl"):
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / "index", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def check_inputs(seeds_path: Path, pool_name: str, config: SynthConfig) -> tuple[list[Seed], Pool, Path]:
    seeds = load_seeds(seeds_path)
    pool, pool_path = load_pool(pool_name)
    pool.check_roles(config.n_reviewers, str(pool_path))
    return seeds, pool, pool_path


def synthesize(
    seeds_path: Path,
    out: Path,
    pool_name: str,
    config: SynthConfig,
    *,
    fresh: bool = False,
    console: Console | None = None,
) -> Path:
    """Run ``config.rounds`` rounds of GRA; return the path of ``data.jsonl``."""
    console = console or Console(stderr=True)
    seeds, pool, pool_path = check_inputs(seeds_path, pool_name, config)
    check_out(out, fresh)
    console.print(
        f"[bold]gra[/]: pool {pool.name!r} ({len(pool.members)} members on {len(pool.engines)} engines), "
        f"{len(seeds)} seeds, {config.rounds} round(s) × {config.per_round} samples"
    )
    with Supervisor(pool, log_dir=out / "logs", source=str(pool_path)) as supervisor:
        prepare_out(out, fresh)
        store = Store(out / "gra.db")
        run_id = store.start_run(
            config.seed, {"synth": asdict(config), "pool": pool.model_dump(), "seeds": str(seeds_path)}
        )
        store.put_members(
            [
                {
                    "name": m.name,
                    "engine": m.engine,
                    "kind": pool.engines[m.engine].kind,
                    "model": getattr(pool.engines[m.engine], "model", None),
                    "sampling": json.dumps(pool.sampling_for(m)),
                }
                for m in pool.members
            ]
        )
        coordinator = Coordinator(Team.from_pool(pool, supervisor.endpoints), store, out, config, console)
        started = time.perf_counter()
        asyncio.run(_run(coordinator, seeds, str(seeds_path), config.rounds))
        wall = time.perf_counter() - started
        store.finish_run(run_id)
    path = coordinator.write_data()
    if config.rounds > 1:
        for r in range(1, config.rounds + 1):
            console.print(funnel_table(funnel(store, r, config.tau), title=f"round {r}"))
    console.print(usage_table(store, wall))
    total = funnel(store, None, config.tau)
    console.print(funnel_table(total, title="GRA funnel (all rounds)"))
    console.print(plain_summary(total))
    console.print(f"data: {path}\ndatabase: {out / 'gra.db'}  (gra inspect {out} SAMPLE_ID)")
    return path


async def _run(coordinator: Coordinator, seeds: list[Seed], source: str, rounds: int) -> None:
    await coordinator.annotate(seeds, source)
    for r in range(1, rounds + 1):
        await coordinator.run_round(r)
