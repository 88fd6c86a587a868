"""What running one program came to: :class:`ExecStatus`, :class:`Execution`, and :class:`Unavailable`.

A verifier reads ``status`` first; only ``ok`` means the program ran to its end (or left by
``SystemExit(0)``). Every other status says why not, and ``detail`` says it in one line:

    >>> ex = Execution(ExecStatus.ERROR, stdout="", stderr="...", detail="ValueError: bad", seconds=0.8)
    >>> ex.ok, str(ex.status)
    (False, 'error')
    >>> Execution.unavailable("deno is not installed", 0.0).detail
    'deno is not installed'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ExecStatus(StrEnum):
    """How a program ended."""

    OK = "ok"  # ran to its end, or SystemExit(0)
    ERROR = "error"  # raised, SystemExit(non-zero), or asked for something the sandbox refuses
    TIMEOUT = "timeout"  # still running after the time limit: killed
    MEMORY = "memory"  # MemoryError, or the interpreter ran out of its memory cap
    OUTPUT_LIMIT = "output_limit"  # printed more than the output cap (the head is kept)
    CRASH = "crash"  # the interpreter or its process died under the program
    UNAVAILABLE = "unavailable"  # the sandbox could not start: nothing ran


@dataclass(frozen=True)
class Execution:
    """One program's run: its status, its (capped) output, one line of detail, and its time.

    ``stdout`` and ``stderr`` keep their first ``output_chars`` characters each; a stream that
    was cut ends with a line saying so. ``seconds`` is the wall time ``Sandbox.run`` took.
    """

    status: ExecStatus
    stdout: str
    stderr: str
    detail: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status is ExecStatus.OK

    @classmethod
    def unavailable(cls, reason: str, seconds: float) -> Execution:
        return cls(ExecStatus.UNAVAILABLE, "", "", reason, seconds)


class Unavailable(RuntimeError):
    """The sandbox could not start (Deno missing, Pyodide not fetchable, a runner that died at start).

    Its message is one line that tells a person what to do; ``Sandbox.run`` turns it into an
    :class:`Execution` with status ``unavailable`` rather than raising.
    """


def cut_note(limit: int) -> str:
    """The line that ends a stream cut at ``limit`` characters."""
    return f"\n[... cut: more than {limit} characters]"
