"""``gra export`` and ``gra report``: what users take away from a run.

Each command parses its options and calls one library function; a user error is one line
naming the file, exit status 2, and nothing half-written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runtime.analysis.ifd import DEFAULT_MODEL as IFD_MODEL
from runtime.cli.common import app, err
from runtime.export import Format, export
from runtime.report import judge_of, report


@app.command("export")
def export_command(
    run_dir: Annotated[Path, typer.Argument(help="a gra synth, curate or refine directory")],
    out: Annotated[Path, typer.Option(help="folder to write (a LLaMA-Factory dataset_dir, for alpaca/sharegpt)")],
    format: Annotated[Format, typer.Option("--format", help="alpaca | sharegpt (LLaMA-Factory), openai, hf")],
    cumulative: Annotated[
        bool, typer.Option("--cumulative", help="one dataset per round k holding rounds 1..k (the paper's Rnd1, ...)")
    ] = False,
    with_provenance: Annotated[
        bool, typer.Option("--with-provenance", help="add sample id, round, μ, σ and generator model columns")
    ] = False,
    name: Annotated[str, typer.Option(help="dataset name and file stem: NAME, or NAME_rndK with --cumulative")] = "gra",
) -> None:
    """Write a run's kept rows for trainers: LLaMA-Factory JSON + dataset_info.json, messages JSONL, or HF datasets."""
    written = export(
        run_dir, out, format, cumulative=cumulative, with_provenance=with_provenance, name=name, console=err
    )
    for path in written:
        print(path)


@app.command("report")
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="run directory")],
    judge: Annotated[
        str | None,
        typer.Option(help="re-score samples with this member of the run's pool, or an OpenAI-compatible base URL"),
    ] = None,
    judge_model: Annotated[str | None, typer.Option(help="the model name to ask for at a --judge URL")] = None,
    judge_sample: Annotated[
        int | None, typer.Option(min=1, help="judge at most N samples (half kept, half rejected on score)")
    ] = None,
    ifd: Annotated[bool, typer.Option("--ifd", help="score seeds and kept samples with IFD")] = False,
    ifd_model: Annotated[str, typer.Option(help="GGUF model key or path for --ifd")] = IFD_MODEL,
) -> None:
    """Write RUN_DIR/report.html: funnel, cost, scores, σ, verdicts, checks, domains, examples and the analyses."""
    path = report(
        run_dir,
        judge=judge_of(judge, judge_model),
        judge_sample=judge_sample,
        ifd_model=ifd_model if ifd else None,
        console=err,
    )
    print(path)
