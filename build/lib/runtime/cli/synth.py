"""``gra synth`` and ``gra annotate``: make data from seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runtime import run
from runtime.cli.common import (
    COMMITTEE,
    DEFAULTS,
    RESUME,
    DomainCheck_,
    Pool_,
    Report_,
    Roles_,
    SeedDomains_,
    app,
    err,
)
from runtime.cli.options import options
from runtime.run import synthesize
from runtime.settings import Order, SynthConfig

Seeds_ = Annotated[Path, typer.Option(help="seed file: Alpaca JSON or JSONL (instruction, input, output)")]


@app.command()
@options(COMMITTEE, RESUME)
def synth(
    seeds: Seeds_,
    out: Annotated[Path, typer.Option(help="run directory (gra.db, data.jsonl, index/)")] = Path("runs/latest"),
    rounds: Annotated[int, typer.Option(min=1, help="rounds; the paper runs 5")] = DEFAULTS.rounds,
    per_round: Annotated[
        int, typer.Option(min=1, help="samples that must pass the committee per round")
    ] = DEFAULTS.per_round,
    max_candidates: Annotated[
        int | None, typer.Option(min=1, help="candidate budget per round [default: 4 × per-round]")
    ] = None,
    pool: Pool_ = "cpu",
    dedup: Annotated[
        float, typer.Option(help="cosine similarity at which a sample is a duplicate")
    ] = DEFAULTS.dedup_threshold,
    roles: Roles_ = DEFAULTS.roles,
    order: Annotated[
        Order, typer.Option(help="check-first: write a response only for an instruction that passed its checks")
    ] = DEFAULTS.order,
    seed_domains: SeedDomains_ = DEFAULTS.seed_domains,
    domain_check: DomainCheck_ = DEFAULTS.domain_check,
    report: Report_ = True,
    committee: dict | None = None,
    resume: dict | None = None,
) -> None:
    """Run the GRA loop (annotate, generate, review, verify, adjudicate, deduplicate); a run in --out is resumed."""
    config = SynthConfig(
        rounds=rounds,
        per_round=per_round,
        max_candidates=max_candidates,
        dedup_threshold=dedup,
        roles=roles,
        order=order,
        seed_domains=seed_domains,
        domain_check=domain_check,
        **committee,
    )
    synthesize(seeds, out, pool, config, console=err, html=report, **resume)


@app.command()
def annotate(
    seeds: Seeds_,
    out: Annotated[Path, typer.Option(help="run directory; seeds land in gra.db and seeds.annotated.jsonl")] = Path(
        "runs/annotate"
    ),
    pool: Pool_ = "cpu",
    fresh: Annotated[bool, typer.Option("--fresh")] = False,
) -> None:
    """Annotate a seed file with domain, keywords and summary (each seed on the engine free first)."""
    run.annotate(seeds, out, pool, fresh=fresh, console=err)
