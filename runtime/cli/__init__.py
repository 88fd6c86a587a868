"""The ``gra`` command line: typer only, each command parses its options and calls one library function.

One module per group of commands; importing them registers their commands on :data:`app`.
"""

from runtime.cli import engines, inspect, judging, optimize, synth, takeaway  # noqa: F401  (they register commands)
from runtime.cli.common import app

__all__ = ["app"]
