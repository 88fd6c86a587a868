"""What every ``gra`` command shares: the app, the one-line error exit, and the options several commands take."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperGroup

from gra_agents import VOTES
from runtime.cli.options import Group
from runtime.errors import GraError
from runtime.settings import Scores, SeedDomains, SynthConfig, Verify

DEFAULTS = SynthConfig()
err = Console(stderr=True)


class GraCommands(TyperGroup):
    """gra's commands: a :class:`GraError` ends one with its one line and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GraError as exc:
            fail(exc)


app = typer.Typer(
    cls=GraCommands,
    add_completion=False,
    no_args_is_help=True,
    help="Synthetic instruction-tuning data from a team of small language models (GRA).",
)


def fail(exc: Exception) -> None:
    """End the command with one line naming what is wrong, and its exit code (2 unless the error says otherwise)."""
    err.print(f"[red]gra: error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(getattr(exc, "exit_code", 2))


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
StallWarning_ = Annotated[
    float,
    typer.Option(
        "--stall-warning",
        min=0,
        help="seconds without a finished call or stage before gra says what it waits on; 0: never",
    ),
]
Verify_ = Annotated[
    Verify,
    typer.Option(
        help="run the code and the math of Coding and Math samples before scoring: off (the paper), evidence"
        " (the scorers read what it showed), gate (also reject what it contradicts)",
    ),
]
Programs_ = Annotated[
    int, typer.Option("--programs", min=1, help="verifier programs (math) or reference solutions (code) per sample")
]
Scores_ = Annotated[
    Scores,
    typer.Option(
        help="how checks and score sheets are read: sampled (the paper), expected (probability-weighted), or"
        " calibrated (each member's cut and score map from the prompt pack; gra calibrate)",
    ),
]


def _committee(values: dict) -> dict:
    """The committee's options as :class:`SynthConfig` fields."""
    values["vote"] = str(values["vote"])
    values["n_reviewers"] = values.pop("reviewers")
    values["stall_s"] = values.pop("stall_warning")
    return values


#: How a command that judges reads its rows: who judges, by which rule, with which prompts.
COMMITTEE = Group.of(
    "committee",
    _committee,
    panel="Committee",
    reviewers=(Reviewers_, DEFAULTS.n_reviewers),
    tau=(Tau_, DEFAULTS.tau),
    delta=(Delta_, DEFAULTS.delta),
    vote=(Vote_, DEFAULT_VOTE),
    reviewer_member=(ReviewerMember_, None),
    early_exit=(EarlyExit_, DEFAULTS.early_exit),
    screen=(Screen_, DEFAULTS.screen),
    verify=(Verify_, DEFAULTS.verify),
    programs=(Programs_, DEFAULTS.programs),
    scores=(Scores_, DEFAULTS.scores),
    prompts=(Prompts_, None),
    seed=(Seed_, DEFAULTS.seed),
    concurrency=(Concurrency_, None),
    stall_warning=(StallWarning_, DEFAULTS.stall_s),
)
#: What to do with a directory that already holds a run: resume it (the default), start over, or allow changes.
RESUME = Group.of(
    "resume",
    lambda v: {"fresh": v["fresh"], "allow_changed": v["allow_changed_config"]},
    panel="Run directory",
    fresh=(Fresh_, False),
    allow_changed_config=(AllowChanged_, False),
)
