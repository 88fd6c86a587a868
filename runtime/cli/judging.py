"""``gra curate`` and ``gra refine``: the committee over rows a user already has."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runtime.cli.common import (
    DEFAULT_VOTE,
    DEFAULTS,
    USER_ERRORS,
    AllowChanged_,
    Concurrency_,
    Delta_,
    EarlyExit_,
    Fresh_,
    JudgeDraw,
    Pool_,
    Prompts_,
    ReviewerMember_,
    Reviewers_,
    Screen_,
    Seed_,
    Tau_,
    Vote_,
    app,
    err,
    fail,
)
from runtime.config import SynthConfig
from runtime.curate import curate as run_curate
from runtime.refine import refine as run_refine


def _judging(
    reviewers,
    tau,
    delta,
    seed,
    concurrency,
    screen,
    vote,
    reviewer_member,
    early_exit,
    prompts,
    dedup=DEFAULTS.dedup_threshold,
    roles=DEFAULTS.roles,
):
    """The settings of a command that judges rows (curate, refine): the committee's options only."""
    return SynthConfig(
        prompts=prompts,
        roles=roles,
        n_reviewers=reviewers,
        tau=tau,
        delta=delta,
        dedup_threshold=dedup,
        seed=seed,
        concurrency=concurrency,
        screen=screen,
        vote=str(vote),
        reviewer_member=reviewer_member,
        early_exit=early_exit,
    )


@app.command()
def curate(
    data: Annotated[Path, typer.Option(help="rows to judge: Alpaca JSON or JSONL (instruction, input, output)")],
    out: Annotated[Path, typer.Option(help="directory (curated.jsonl, accepted.jsonl, gra.db)")] = Path("runs/curate"),
    pool: Pool_ = "cpu",
    reviewers: Reviewers_ = DEFAULTS.n_reviewers,
    tau: Tau_ = DEFAULTS.tau,
    delta: Delta_ = DEFAULTS.delta,
    seed: Seed_ = DEFAULTS.seed,
    concurrency: Concurrency_ = None,
    screen: Screen_ = DEFAULTS.screen,
    vote: Vote_ = DEFAULT_VOTE,
    reviewer_member: ReviewerMember_ = None,
    early_exit: EarlyExit_ = DEFAULTS.early_exit,
    roles: Annotated[
        JudgeDraw, typer.Option(help="how judges are drawn per row: random, or leaning to reliable members (a pack's)")
    ] = JudgeDraw.random,
    prompts: Prompts_ = None,
    fresh: Fresh_ = False,
    allow_changed_config: AllowChanged_ = False,
) -> None:
    """Judge rows you already have with the committee: checks, scores, the vote and the adjudicator.

    Every row comes back in curated.jsonl, in input order, with its status and reviews.
    """
    try:
        config = _judging(
            reviewers,
            tau,
            delta,
            seed,
            concurrency,
            screen,
            vote,
            reviewer_member,
            early_exit,
            prompts,
            roles=str(roles),
        )
        run_curate(data, out, pool, config, fresh=fresh, allow_changed=allow_changed_config, console=err)
    except USER_ERRORS as exc:
        fail(exc)


@app.command()
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
    reviewers: Reviewers_ = DEFAULTS.n_reviewers,
    tau: Tau_ = DEFAULTS.tau,
    delta: Delta_ = DEFAULTS.delta,
    dedup: Annotated[
        float, typer.Option(help="cosine similarity at which an integrated row is a duplicate")
    ] = DEFAULTS.dedup_threshold,
    seed: Seed_ = DEFAULTS.seed,
    concurrency: Concurrency_ = None,
    screen: Screen_ = DEFAULTS.screen,
    vote: Vote_ = DEFAULT_VOTE,
    reviewer_member: ReviewerMember_ = None,
    early_exit: EarlyExit_ = DEFAULTS.early_exit,
    prompts: Prompts_ = None,
    fresh: Fresh_ = False,
    allow_changed_config: AllowChanged_ = False,
) -> None:
    """Refine seeds (the paper's §5.3): a generator rewrites each response, the committee curates the rewrite.

    Accepted rewrites land in refined.jsonl; --integrate RUN_DIR adds that run's data, deduplicated.
    """
    try:
        config = _judging(
            reviewers, tau, delta, seed, concurrency, screen, vote, reviewer_member, early_exit, prompts, dedup
        )
        run_refine(
            seeds,
            out,
            pool,
            config,
            integrate_with=integrate,
            fresh=fresh,
            allow_changed=allow_changed_config,
            console=err,
        )
    except USER_ERRORS as exc:
        fail(exc)
