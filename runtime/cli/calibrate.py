"""``gra calibrate``: fit each member's check cut and score map on labelled rows, into a prompt pack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runtime.calibrate import calibrate as run_calibrate
from runtime.cli.common import DEFAULTS, Pool_, Programs_, Seed_, Verify_, app, err
from runtime.settings import SynthConfig


@app.command()
def calibrate(
    data: Annotated[
        list[Path],
        typer.Option(help="labelled rows (JSONL): 'sound' for instructions, 'correct' for responses; repeatable"),
    ],
    out: Annotated[Path, typer.Option(help="the prompt pack folder the calibration is written into (created)")],
    pool: Pool_ = "cpu",
    share: Annotated[float, typer.Option(min=0.05, max=1.0, help="share of each file's rows to fit on")] = 0.5,
    rows: Annotated[
        int | None, typer.Option(min=2, help="fit on at most this many of each file's training rows (a quicker fit)")
    ] = None,
    seed: Seed_ = DEFAULTS.seed,
    verify: Verify_ = DEFAULTS.verify,
    programs: Programs_ = DEFAULTS.programs,
    runs: Annotated[
        Path | None, typer.Option(help="where the probe runs go, with all their calls [default: OUT/calibration]")
    ] = None,
) -> None:
    """Calibrate the committee on labelled rows: each member's check cut and score map, fitted on a share of them.

    The rest is held out (same seed, same split), for measuring; gra synth/curate --prompts OUT use the result.
    """
    config = SynthConfig(seed=seed, verify=verify, programs=programs)
    run_calibrate(
        data, out, pool, config, out=runs or out / "calibration", share=share, rows_per_file=rows, console=err
    )
