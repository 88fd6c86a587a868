"""What every ``gra`` command shares: the app, the one-line error exit, and the options several commands take."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from gra_agents import VOTES
from runtime.config import ConfigError, PoolFileError, SeedDomains, SynthConfig
from runtime.engines.process import EngineError
from runtime.engines.weights import WeightsMissing
from runtime.pipeline import MembersDown, NothingToGenerateFrom
from runtime.storage.pack import PackError
from runtime.storage.run_dir import RunDirError
from runtime.storage.seeds import SeedFileError
from runtime.story import NoSuchSample

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
    PackError,
)


def fail(exc: Exception) -> None:
    """End the command with one line naming what is wrong, and exit code 2."""
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
JudgeDraw = StrEnum("JudgeDraw", {"random": "random", "reliability": "reliability"})
Vote_ = Annotated[
    VoteChoice,
    typer.Option(help="how a dispute (μ ≥ τ, σ > δ) is settled: the adjudicator, the reviewers' majority, or μ alone"),
]
Roles_ = Annotated[
    str,
    typer.Option(
        help="who plays which role: random per sample (the paper), reliability (judge seats lean to members a"
        " pack measured as reliable), fixed (pool order), or single:MEMBER in every seat"
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
Prompts_ = Annotated[
    str | None,
    typer.Option(
        "--prompts",
        help="a prompt pack folder (gra optimize) or a shipped one's name (cpu) [default: the pool's own pack, if any];"
        " none: no pack",
    ),
]
Report_ = Annotated[bool, typer.Option("--report/--no-report", help="write RUN_DIR/report.html at the end")]
Fresh_ = Annotated[bool, typer.Option("--fresh", help="start over in a directory that holds a run")]
AllowChanged_ = Annotated[
    bool, typer.Option("--allow-changed-config", help="resume even though the pool, settings or input file changed")
]
