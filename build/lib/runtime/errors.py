"""The one base of every error a user can cause or mend: its ``str()`` is the one line the CLI prints.

A bad seed file, a pool that cannot be seated, a run directory that holds another run, an
engine that will not start: each raises a subclass of :class:`GraError` naming the file (and
line) or the thing at fault. The CLI catches ``GraError`` and nothing else, prints that line
and exits 2; anything else is a bug, and shows its traceback.
"""

from __future__ import annotations


class GraError(Exception):
    """An error with a one-line message for the user (``str(error)``)."""
