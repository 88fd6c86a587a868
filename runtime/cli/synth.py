"""``gra synth`` and ``gra annotate``: make data from seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runtime import run
from runtime.cli.common import (
    DEFAULT_VOTE,
    DEFAULTS,
    USER_ERRORS,
    AllowChanged_,
    Concurrency_,
    Delta_,
    DomainCheck_,
    EarlyExit_,
    Fresh_,
    Pool_,
    Prompts_,
    Report_,
    ReviewerMember_,
    Reviewers_,
    Roles_,
    Screen_,
    Seed_,
    SeedDomains_,
    Tau_,
    Vote_,
    app,
    err,
    fail,
)
from runtime.config import Order, SynthConfig
from runtime.run import synthesize


@app.command()
def synth(
    seeds: Annotated[Path, typer.Option(help="seed file: Alpaca JSON or JSONL (instruction, input, output)")],
    out: Annotated[Path, typer.Option(help="run directory (gra.db, data.jsonl, index/)")] = Path("runs/latest"),
    rounds: Annotated[int, typer.Option(min=1, help="rounds; the paper runs 5")] = DEFAULTS.rounds,
    per_round: Annotated[
        int, typer.Option(min=1, help="samples that must pass the committee per round")
    ] = DEFAULTS.per_round,
    max_candidates: Annotated[
        int | None, typer.Option(min=1, help="candidate budget per round [default: 4 × per-round]")
    ] = None,
    pool: Pool_ = "cpu",
    reviewers: Reviewers_ = DEFAULTS.n_reviewers,
    tau: Tau_ = DEFAULTS.tau,
    delta: Delta_ = DEFAULTS.delta,
    dedup: Annotated[
        float, typer.Option(help="cosine similarity at which a sample is a duplicate")
    ] = DEFAULTS.dedup_threshold,
    seed: Seed_ = DEFAULTS.seed,
    concurrency: Concurrency_ = None,
    screen: Screen_ = DEFAULTS.screen,
    vote: Vote_ = DEFAULT_VOTE,
    reviewer_member: ReviewerMember_ = None,
    roles: Roles_ = DEFAULTS.roles,
    order: Annotated[
        Order, typer.Option(help="check-first: write a response only for an instruction that passed its checks")
    ] = DEFAULTS.order,
    early_exit: EarlyExit_ = DEFAULTS.early_exit,
    seed_domains: SeedDomains_ = DEFAULTS.seed_domains,
    domain_check: DomainCheck_ = DEFAULTS.domain_check,
    prompts: Prompts_ = None,
    fresh: Fresh_ = False,
    allow_changed_config: AllowChanged_ = False,
    report: Report_ = True,
) -> None:
    """Run the GRA loop (annotate, generate, review, adjudicate, deduplicate); a run in --out is resumed."""
    try:
        config = SynthConfig(
            rounds=rounds,
            per_round=per_round,
            max_candidates=max_candidates,
            n_reviewers=reviewers,
            tau=tau,
            delta=delta,
            dedup_threshold=dedup,
            seed=seed,
            concurrency=concurrency,
            screen=screen,
            vote=str(vote),
            reviewer_member=reviewer_member,
            roles=roles,
            order=order,
            early_exit=early_exit,
            seed_domains=seed_domains,
            domain_check=domain_check,
            prompts=prompts,
        )
        synthesize(seeds, out, pool, config, fresh=fresh, allow_changed=allow_changed_config, console=err, html=report)
    except USER_ERRORS as exc:
        fail(exc)


@app.command()
def annotate(
    seeds: Annotated[Path, typer.Option(help="seed file: Alpaca JSON or JSONL")],
    out: Annotated[Path, typer.Option(help="run directory; seeds land in gra.db and seeds.annotated.jsonl")] = Path(
        "runs/annotate"
    ),
    pool: Pool_ = "cpu",
    fresh: Annotated[bool, typer.Option("--fresh")] = False,
) -> None:
    """Annotate a seed file with domain, keywords and summary (each seed on the engine free first)."""
    try:
        run.annotate(seeds, out, pool, fresh=fresh, console=err)
    except USER_ERRORS as exc:
        fail(exc)
