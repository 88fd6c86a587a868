"""The ``gra`` command line: each command parses its options and calls one library function."""

from __future__ import annotations

import signal
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gra_agents import VOTES
from runtime import cli_takeaway, run
from runtime.config import ConfigError, LlamaCppEngine, Order, PoolFileError, SeedDomains, SynthConfig, load_pool
from runtime.curate import curate as run_curate
from runtime.engines.gguf_reencode import reencoded
from runtime.engines.process import EngineError
from runtime.engines.supervisor import Supervisor
from runtime.engines.weights import GGUF_MODELS, WeightsMissing, minilm_dir, resolve_gguf
from runtime.pipeline import MembersDown, NothingToGenerateFrom
from runtime.refine import refine as run_refine
from runtime.run import synthesize
from runtime.storage.run_dir import RunDirError
from runtime.storage.seeds import SeedFileError
from runtime.storage.store import Store
from runtime.story import NoSuchSample, tell

DEFAULTS = SynthConfig()

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Synthetic instruction-tuning data from a team of small language models (GRA).",
)
err = Console(stderr=True)
USER_ERRORS = (
    ConfigError,
    NoSuchSample,
    SeedFileError,
    PoolFileError,
    RunDirError,
    EngineError,
    WeightsMissing,
    NothingToGenerateFrom,
    MembersDown,
)


def _fail(exc: Exception) -> None:
    err.print(f"[red]gra: error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


Pool_ = Annotated[str, typer.Option("--pool", help="built-in pool name (cpu) or a pool TOML file")]
Reviewers_ = Annotated[
    int, typer.Option("--reviewers", min=0, help="reviewers per sample (N_R); synth with 0 reviews nothing")
]
Tau_ = Annotated[float, typer.Option(help="acceptance threshold τ on the 1-10 mean")]
Delta_ = Annotated[float, typer.Option(help="disagreement threshold δ on the reviewers' std")]
Seed_ = Annotated[int, typer.Option(help="run seed: fixes every sample's role draw")]
Concurrency_ = Annotated[int | None, typer.Option(min=1, help="samples in flight [default: 2 × engine slots + 4]")]
Screen_ = Annotated[
    bool, typer.Option("--screen/--no-screen", help="reject text that steers its judges before judging it")
]
VoteChoice = StrEnum("VoteChoice", {v: v for v in VOTES})
DEFAULT_VOTE = VoteChoice(DEFAULTS.vote)
Vote_ = Annotated[
    VoteChoice,
    typer.Option(help="how a dispute (μ ≥ τ, σ > δ) is settled: the adjudicator, the reviewers' majority, or μ alone"),
]
Roles_ = Annotated[
    str,
    typer.Option(
        help="who plays which role: random per sample (the paper), fixed (pool order), or single:MEMBER in every seat"
    ),
]
EarlyExit_ = Annotated[
    bool,
    typer.Option(
        "--early-exit/--full-reviews",
        help="call a reviewer only while its review can still change the decision; --full-reviews calls every one",
    ),
]
ReviewerMember_ = Annotated[
    str | None, typer.Option(help="one member reviews every sample alone (the paper's single-model reviewer)")
]
SeedDomains_ = Annotated[
    SeedDomains,
    typer.Option(help="who gives each seed its domain: the nearest labelled domain by embedding, or the annotator"),
]
DomainCheck_ = Annotated[
    bool,
    typer.Option("--domain-check/--no-domain-check", help="label each instruction with the domain it is in"),
]
Fresh_ = Annotated[bool, typer.Option("--fresh", help="start over in a directory that holds a run")]
AllowChanged_ = Annotated[
    bool, typer.Option("--allow-changed-config", help="resume even though the pool, settings or input file changed")
]


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
    fresh: Fresh_ = False,
    allow_changed_config: AllowChanged_ = False,
    report: Report_ = True,
) -> None:
    """Run the GRA loop: annotate seeds, then generate, review, adjudicate and deduplicate.

    A run directory that already holds a run is resumed where it stopped; --fresh starts over.
    """
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
        )
        synthesize(seeds, out, pool, config, fresh=fresh, allow_changed=allow_changed_config, console=err, html=report)
    except USER_ERRORS as exc:
        _fail(exc)


def _judging(
    reviewers, tau, delta, seed, concurrency, screen, vote, reviewer_member, early_exit, dedup=DEFAULTS.dedup_threshold
):
    """The settings of a command that judges rows (curate, refine): the committee's options only."""
    return SynthConfig(
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
    fresh: Fresh_ = False,
    allow_changed_config: AllowChanged_ = False,
) -> None:
    """Judge rows you already have with the committee: checks, scores, the vote and the adjudicator.

    Every row comes back in curated.jsonl, in input order, with its status and reviews.
    """
    try:
        config = _judging(reviewers, tau, delta, seed, concurrency, screen, vote, reviewer_member, early_exit)
        run_curate(data, out, pool, config, fresh=fresh, allow_changed=allow_changed_config, console=err)
    except USER_ERRORS as exc:
        _fail(exc)


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
    fresh: Fresh_ = False,
    allow_changed_config: AllowChanged_ = False,
) -> None:
    """Refine seeds (the paper's §5.3): a generator rewrites each response, the committee curates the rewrite.

    Accepted rewrites land in refined.jsonl; --integrate RUN_DIR adds that run's data, deduplicated.
    """
    try:
        config = _judging(reviewers, tau, delta, seed, concurrency, screen, vote, reviewer_member, early_exit, dedup)
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
        _fail(exc)


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
        _fail(exc)


@app.command()
def serve(
    pool: Pool_ = "cpu",
    logs: Annotated[Path, typer.Option(help="engine logs folder")] = Path("runs/serve/logs"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="print each server's environment and command line; start nothing")
    ] = False,
) -> None:
    """Start a pool's engines in the foreground and print their endpoints; Ctrl-C stops them.

    A server that dies is restarted on the same port; `gra serve` exits when one cannot be."""
    try:
        pool_cfg, pool_path = load_pool(pool)
        if dry_run:
            for line in Supervisor(pool_cfg, log_dir=logs, source=str(pool_path)).plan():
                print(line)
            return
        with Supervisor(pool_cfg, log_dir=logs, source=str(pool_path)) as sup:
            for name, ep in sup.endpoints.items():
                members = [m.name for m in pool_cfg.members if m.engine == name]
                urls = ",".join(ep.base_urls)
                print(f"{name}\t{urls}\tslots={ep.slots}\tmembers={','.join(members)}", flush=True)
            print(f"api key (this session only): {sup.api_key}", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            # Ctrl-C stops it even when it was started with SIGINT ignored (as `nohup ... &` does)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                while not sup.failed:
                    time.sleep(1)
                for name, why in sup.failed.items():
                    err.print(f"[red]engine server {name!r} {why}[/]; stopping", highlight=False)
                raise typer.Exit(1)
            except KeyboardInterrupt:
                pass
    except USER_ERRORS as exc:
        _fail(exc)


@app.command()
def inspect(
    run_dir: Annotated[Path, typer.Argument(help="run directory")],
    sample_id: Annotated[str, typer.Argument(help="sample id, e.g. r1-00003")],
    raw: Annotated[bool, typer.Option("--raw", help="also print every prompt and raw model output")] = False,
) -> None:
    """Tell one sample's whole story: roles, examples, text, every review, verdict and model call."""
    if not (run_dir / "gra.db").exists():
        _fail(RunDirError(f"{run_dir}: no gra.db here"))
    try:
        tell(Store(run_dir / "gra.db"), sample_id, Console(), raw)
    except NoSuchSample as exc:
        _fail(exc)


@app.command()
def models() -> None:
    """Locate (and assemble, the first time) the embedded model files."""
    try:
        for key, w in GGUF_MODELS.items():
            print(f"{key}\t{w.path()}")
        for spec in load_pool("cpu")[0].engines.values():  # what the built-in pool serves in their place
            if isinstance(spec, LlamaCppEngine) and spec.reencode:
                print(f"{spec.model} as {spec.reencode}\t{reencoded(resolve_gguf(spec.model), spec.reencode)}")
        print(f"all-minilm-l6-v2\t{minilm_dir()}")
    except WeightsMissing as exc:
        _fail(exc)


# --- gra export, gra report (runtime.cli_takeaway) and synth's --no-report -------------------------------
Report_ = Annotated[bool, typer.Option("--report/--no-report", help="write RUN_DIR/report.html at the end")]
app.registered_commands += cli_takeaway.app.registered_commands

if __name__ == "__main__":
    app()
