"""``gra optimize`` and ``gra pack``: compile role prompts with DSPy optimizers into prompt packs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from runtime.cli.common import DEFAULTS, Pool_, Seed_, app, err
from runtime.optimize import ROLES as OPTIMIZE_ROLES
from runtime.optimize import OptimizeRequest
from runtime.optimize import optimize as run_optimize
from runtime.pipeline.compiler import OPTIMIZERS
from runtime.tables.run_tables import pack_table

RoleChoice = StrEnum("RoleChoice", {r: r for r in OPTIMIZE_ROLES})
OptimizerChoice = StrEnum("OptimizerChoice", {o: o for o in OPTIMIZERS})
DEFAULT_OPTIMIZER = OptimizerChoice("bootstrap")


@app.command()
def optimize(
    role: Annotated[RoleChoice, typer.Option(help="the role to compile; team: every model's reviewer + reliability")],
    train: Annotated[
        Path, typer.Option(help="labelled rows: a judge set (correct), a curated.jsonl (adjudicator), seeds (domain)")
    ],
    out: Annotated[Path, typer.Option(help="the prompt pack folder (created, or added to)")],
    optimizer: Annotated[OptimizerChoice, typer.Option(help="the DSPy optimizer")] = DEFAULT_OPTIMIZER,
    metric: Annotated[
        str | None, typer.Option(help="module:function, a DSPy metric [default: the role's, see README]")
    ] = None,
    pool: Pool_ = "cpu",
    member: Annotated[
        str | None, typer.Option(help="compile for this member's model only [default: one program per model]")
    ] = None,
    valset: Annotated[Path | None, typer.Option(help="held-out rows [default: a share of --train]")] = None,
    val_share: Annotated[float, typer.Option(help="share of --train held out when no --valset is given")] = 0.3,
    rows: Annotated[
        int | None, typer.Option(min=2, help="use only this many rows of --train (a quick compile)")
    ] = None,
    budget: Annotated[int | None, typer.Option(min=1, help="model calls the optimizer may spend, about")] = None,
    teacher: Annotated[
        str | None, typer.Option(help="mipro/gepa's proposer: a MEMBER of the pool or an OpenAI-compatible URL")
    ] = None,
    teacher_model: Annotated[str, typer.Option(help="the model name to ask a --teacher URL for")] = "default",
    seed: Seed_ = DEFAULTS.seed,
) -> None:
    """Compile a role's prompts with a DSPy optimizer into a prompt pack (gra synth/curate --prompts PACK)."""
    request = OptimizeRequest(
        role=str(role),
        train=train,
        out=out,
        pool=pool,
        optimizer=str(optimizer),
        metric=metric,
        member=member,
        valset=valset,
        val_share=val_share,
        budget=budget,
        teacher=teacher,
        teacher_model=teacher_model,
        seed=seed,
        rows=rows,
    )
    run_optimize(request, console=err)


pack_app = typer.Typer(no_args_is_help=True, help="Prompt packs: compiled role programs (gra optimize).")
app.add_typer(pack_app, name="pack")


@pack_app.command("show")
def pack_show(path: Annotated[Path, typer.Argument(help="a prompt pack folder")]) -> None:
    """Print a pack's programs with their held-out metric before and after compiling, and the members' reliability."""
    Console().print(pack_table(path))
