"""``gra synth`` as a function: check the inputs, start the engines, run the loop, report.

Inputs are checked before anything is written: a bad seed file or pool file ends the
call with one line naming the file, and the run directory is left untouched.

A run directory that already holds a run is resumed: settled seeds and samples stay as
they are, unfinished samples start over with their finished calls served from the
database, and the index and ``data.jsonl`` are re-derived from the database. Resuming
with another pool, other settings or another seed file is refused (see
:func:`runtime.fingerprint.fingerprint`) unless the caller allows it; ``fresh`` starts over.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from gra_agents import parse_role_draw
from runtime.config import Pool, load_pool
from runtime.pipeline import Coordinator, Roles
from runtime.report import report as write_report
from runtime.session import RunSession
from runtime.settings import SynthConfig
from runtime.storage.export import write_annotated_seeds
from runtime.storage.funnel import funnel, plain_summary
from runtime.storage.pack import Pack, describe, prompts_for
from runtime.storage.seeds import Seed, load_seeds
from runtime.storage.status import UNFINISHED
from runtime.storage.store import Store
from runtime.tables.run_tables import cost_table, funnel_table, usage_table


def check_inputs(seeds_path: Path, pool_name: str, config: SynthConfig) -> tuple[list[Seed], Pool, Path, Pack | None]:
    seeds = load_seeds(seeds_path)
    pool, pool_path = load_pool(pool_name)
    mode, member = parse_role_draw(config.roles)
    if mode == "single":  # one member in every seat
        pool.check_member(member, str(pool_path))
    else:
        pool.check_roles(config.n_reviewers, str(pool_path))
    if config.reviewer_member is not None:
        pool.check_member(config.reviewer_member, str(pool_path))
    return seeds, pool, pool_path, prompts_for(config, pool, pool_path)


def synthesize(
    seeds_path: Path,
    out: Path,
    pool_name: str,
    config: SynthConfig,
    *,
    roles: Roles | None = None,
    fresh: bool = False,
    allow_changed: bool = False,
    console: Console | None = None,
    answers_from: Path | None = None,
    html: bool = True,
) -> Path:
    """Run ``config.rounds`` rounds of GRA; return the path of ``data.jsonl``.

    ``roles`` are the role modules the pool's members run (default: a fresh :class:`Roles`);
    pass your own or compiled ones to run the loop with their prompts. ``answers_from`` is an
    earlier run's directory: a request it already made (same member, prompt and seed) is
    answered from its database, so the same seeds re-run under other switches make the same
    samples whatever the engines' own nondeterminism (``bench/cost.py``). ``html``: write report.html at the end.
    """
    console = console or Console(stderr=True)
    seeds, pool, pool_path, pack = check_inputs(seeds_path, pool_name, config)
    session = RunSession(
        out, (pool, pool_path), config, command="synth", inputs=seeds_path, pack=pack, fresh=fresh,
        allow_changed=allow_changed, console=console,
    )  # fmt: skip
    console.print(
        f"[bold]gra[/]: pool {pool.name!r} ({len(pool.members)} members on {len(pool.engines)} engines), "
        f"{len(seeds)} seeds, {config.rounds} round(s) × {config.per_round} samples; {describe(pack)}"
        + (f"; resuming the run in {out}" if session.resumed else "")
    )
    with session:
        session.open({"synth": asdict(config), "seeds": str(seeds_path)}, roles=roles, answers_from=answers_from)
        coordinator = Coordinator(session.team, session.store, out, config, console, session.members)
        coordinator.rewrite_accepted()
        if session.resumed:
            coordinator.write_data()  # never trust the file a crash left behind
            console.print(f"resume: {describe_progress(session.store)}; index {coordinator.index.report}")
        wall = session.run(lambda: _run(coordinator, seeds, str(seeds_path), config.rounds))
        if replayed := coordinator.members.replayed:
            console.print(f"resume: {replayed} finished calls were served from the database, not re-sent")
    path = coordinator.write_data()
    report(session.store, config, wall, console)
    console.print(f"data: {path}  (kept: deduplicated, summarized)")
    console.print(f"accepted: {out / 'accepted.jsonl'}  (as the committee passed them, before deduplication)")
    console.print(f"database: {out / 'gra.db'}  (gra inspect {out} SAMPLE_ID)")
    if html:
        console.print(f"report: {write_report(out, console=console)}")
    return path


def report(store: Store, config: SynthConfig, wall: float, console: Console) -> None:
    """The funnel of each round (when there are several), the usage table and the run's funnel."""
    if config.rounds > 1:
        for r in range(1, config.rounds + 1):
            console.print(funnel_table(funnel(store, r, config.tau), title=f"round {r} ({config.switches()})"))
    console.print(usage_table(store, wall))
    console.print(cost_table(store))
    total = funnel(store, None, config.tau)
    console.print(funnel_table(total, title=f"GRA funnel, all rounds ({config.switches()})"))
    console.print(plain_summary(total))


async def _run(coordinator: Coordinator, seeds: list[Seed], source: str, rounds: int) -> None:
    await coordinator.annotate(seeds, source)
    for r in range(1, rounds + 1):
        await coordinator.run_round(r)


def annotate(seeds_path: Path, out: Path, pool_name: str, *, fresh: bool = False, console: Console) -> Path:
    """Annotate a seed file (domain, keywords, summary) into ``out/gra.db`` and ``out/seeds.annotated.jsonl``."""
    rows = load_seeds(seeds_path)
    config = SynthConfig()
    with RunSession(out, load_pool(pool_name), config, command="annotate", mode="new", fresh=fresh) as session:
        session.open({"annotate": asdict(config), "seeds": str(seeds_path)})
        store = session.store
        coordinator = Coordinator(session.team, store, out, config, console, session.members)
        session.run(lambda: coordinator.annotate(rows, str(seeds_path)))
    path = write_annotated_seeds(store, out / "seeds.annotated.jsonl")
    failed = store.seed_status_counts().get("failed", 0)
    console.print(f"annotated {len(rows) - failed} of {len(rows)} seeds ({failed} failed): {path}")
    return path


def describe_progress(store: Store) -> str:
    """One line: what the database already holds."""
    seeds = store.seed_status_counts()
    rounds = store.finished_rounds()
    unfinished, total = store.count_samples(UNFINISHED), store.count_samples()
    return (
        f"{seeds.get('annotated', 0)} seeds annotated ({seeds.get('failed', 0)} failed), rounds finished:"
        f" {rounds or 'none'}, {total} candidates of which {unfinished} unfinished (they start over)"
    )
