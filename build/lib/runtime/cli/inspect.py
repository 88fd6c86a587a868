"""``gra inspect``: one sample's whole story from a run's database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from runtime.cli.common import app
from runtime.storage.run_dir import RunDirError
from runtime.storage.store import Store
from runtime.story import tell


@app.command()
def inspect(
    run_dir: Annotated[Path, typer.Argument(help="run directory")],
    sample_id: Annotated[str, typer.Argument(help="sample id, e.g. r1-00003")],
    raw: Annotated[bool, typer.Option("--raw", help="also print every prompt and raw model output")] = False,
) -> None:
    """Tell one sample's whole story: roles, examples, text, every review, program run, verdict and model call."""
    if not (run_dir / "gra.db").exists():
        raise RunDirError(f"{run_dir}: no gra.db here")
    tell(Store(run_dir / "gra.db"), sample_id, Console(), raw)
