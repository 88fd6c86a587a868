"""The ``gra`` command line: typer only, each command parses its options and calls one library function.

One module per group of commands; importing them registers their commands on :data:`app`.
"""

# isort: off
from runtime.cli import synth, judging, calibrate, optimize, takeaway, engines, inspect  # noqa: F401  (registered in this order)

# isort: on
from runtime.cli.common import app

__all__ = ["app"]
