"""``gra curate`` as a function: the committee over a data file the user already has.

Inputs are checked before anything is written, with the seed loader's one-line errors.
Each row is judged once (:class:`runtime.pipeline.curation.Curator`); the directory
then holds ``curated.jsonl`` (every row, in input order, with its verdict),
``accepted.jsonl`` and ``gra.db`` with the same provenance as a synth run. A directory
that holds a curation is resumed, under the same rules as ``gra synth``.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from runtime.config import Pool, PoolFileError, load_pool
from runtime.pipeline import Roles
from runtime.pipeline.curation import Curator
from runtime.session import RunSession
from runtime.settings import ConfigError, SynthConfig
from runtime.storage.export import write_curated
from runtime.storage.pack import describe, prompts_for
from runtime.storage.seeds import Seed, load_seeds
from runtime.storage.store import Store
from runtime.tables.run_tables import usage_table

OUTPUTS = ("curated.jsonl", "accepted.jsonl")


def check_judges(pool: Pool, config: SynthConfig, source: str, generator: bool = False) -> None:
    """Refuse a committee the pool cannot seat: N_R reviewers and an adjudicator, or a named reviewer and one more
    (and, with ``generator``, one more member to write, who never judges its own text)."""
    if config.n_reviewers == 0:
        raise ConfigError("curation needs at least one reviewer (--reviewers 0 is synth's no-review ablation)")
    if config.reviewer_member is not None:
        pool.check_member(config.reviewer_member, source)
    needed = (2 if config.reviewer_member else config.n_reviewers + 1) + generator
    if len(pool.members) < needed:
        writer = "a generator, " if generator else ""
        raise PoolFileError(
            f"{source}: {len(pool.members)} members cannot seat {writer}{needed - 1 - generator} reviewer(s)"
            " and an adjudicator"
        )


def judge_rows(
    data_path: Path,
    out: Path,
    pool_name: str,
    config: SynthConfig,
    *,
    worker: type[Curator] = Curator,
    outputs: tuple[str, ...] = OUTPUTS,
    roles: Roles | None = None,
    fresh: bool = False,
    allow_changed: bool = False,
    console: Console,
    answers_from: Path | None = None,
) -> tuple[Store, list[Seed], float]:
    """Check the inputs, start the engines and settle every row with ``worker``; return the store, rows and wall time.

    ``worker`` is :class:`Curator` (``gra curate``) or a subclass that does more per row
    (``gra refine``); its ``command`` names it in the fingerprint and the messages.
    ``answers_from`` is an earlier run's directory whose database answers any request it
    already made (:meth:`Members.answer_from`): a variant of a run pays only for what it changes.
    """
    rows = load_seeds(data_path)
    pool, pool_path = load_pool(pool_name)
    command = worker.command
    check_judges(pool, config, str(pool_path), generator=worker.writes)
    pack = prompts_for(config, pool, pool_path)
    session = RunSession(
        out, (pool, pool_path), config, command=command, inputs=data_path, pack=pack, fresh=fresh,
        allow_changed=allow_changed, outputs=outputs, console=console,
    )  # fmt: skip
    console.print(
        f"[bold]gra {command}[/]: pool {pool.name!r} ({len(pool.members)} members), {len(rows)} rows;"
        f" {config.switches()}; {describe(pack)}" + (f"; resuming in {out}" if session.resumed else "")
    )
    with session:
        session.open({command: asdict(config), "data": str(data_path)}, roles=roles, answers_from=answers_from)
        wall = session.run(lambda: worker(session.members, config, console).curate(rows))
    return session.store, rows, wall


def report(store: Store, rows: list[Seed], wall: float, console: Console) -> None:
    """The usage table and how many rows ended in each status."""
    console.print(usage_table(store, wall))
    counts = store.sample_status_counts()
    console.print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + f" of {len(rows)} rows")


def curate(
    data_path: Path,
    out: Path,
    pool_name: str,
    config: SynthConfig,
    *,
    roles: Roles | None = None,
    fresh: bool = False,
    allow_changed: bool = False,
    console: Console | None = None,
    answers_from: Path | None = None,
) -> Path:
    """Judge every row of ``data_path`` with the committee; return the path of ``curated.jsonl``."""
    console = console or Console(stderr=True)
    store, rows, wall = judge_rows(
        data_path,
        out,
        pool_name,
        config,
        roles=roles,
        fresh=fresh,
        allow_changed=allow_changed,
        console=console,
        answers_from=answers_from,
    )
    curated, accepted = write_curated(store, rows, out)
    report(store, rows, wall, console)
    console.print(f"curated: {curated}\naccepted: {accepted}\ndatabase: {out / 'gra.db'}")
    return curated
