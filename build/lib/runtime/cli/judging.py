"""``gra curate`` and ``gra refine``: the committee over rows a user already has."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runtime.cli.common import COMMITTEE, DEFAULTS, RESUME, JudgeDraw, Pool_, app, err
from runtime.cli.options import options
from runtime.curate import curate as run_curate
from runtime.refine import refine as run_refine
from runtime.settings import SynthConfig


@app.command()
@options(COMMITTEE, RESUME)
def curate(
    data: Annotated[Path, typer.Option(help="rows to judge: Alpaca JSON or JSONL (instruction, input, output)")],
    out: Annotated[Path, typer.Option(help="directory (curated.jsonl, accepted.jsonl, gra.db)")] = Path("runs/curate"),
    pool: Pool_ = "cpu",
    roles: Annotated[
        JudgeDraw, typer.Option(help="how judges are drawn per row: random, or leaning to reliable members (a pack's)")
    ] = JudgeDraw.random,
    committee: dict | None = None,
    resume: dict | None = None,
) -> None:
    """Judge rows you already have with the committee: checks, verification, scores, the vote and the adjudicator.

    Every row comes back in curated.jsonl, in input order, with its status and reviews.
    """
    run_curate(data, out, pool, SynthConfig(roles=str(roles), **committee), console=err, **resume)


@app.command()
@options(COMMITTEE, RESUME)
def refine(
    seeds: Annotated[Path, typer.Option(help="seed file: Alpaca JSON or JSONL (instruction, input, output)")],
    out: Annotated[Path, typer.Option(help="directory (curated.jsonl, refined.jsonl, gra.db)")] = Path("runs/refine"),
    integrate: Annotated[
        Path | None,
        typer.Option(
            help="a gra synth run directory: also write integrated.jsonl, refined seeds + its data, deduplicated"
        ),
    ] = None,
    pool: Pool_ = "cpu",
    dedup: Annotated[
        float, typer.Option(help="cosine similarity at which an integrated row is a duplicate")
    ] = DEFAULTS.dedup_threshold,
    committee: dict | None = None,
    resume: dict | None = None,
) -> None:
    """Refine seeds (the paper's §5.3): a generator rewrites each response, the committee curates the rewrite.

    Accepted rewrites land in refined.jsonl; --integrate RUN_DIR adds that run's data, deduplicated.
    """
    config = SynthConfig(dedup_threshold=dedup, **committee)
    run_refine(seeds, out, pool, config, integrate_with=integrate, console=err, **resume)
