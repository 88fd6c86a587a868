"""The verification stage: run the math and the code before anyone scores a response.

After the instruction checks pass and before any score sheet, a math or coding sample is
verified (``--verify evidence`` or ``gate``; ``off`` skips the stage, as the paper has none):

- **math** (the Math domain, or any response that states a final numeric answer): each
  verifier seat writes a program that computes the answer from the task alone; the programs
  run in the sandbox, and their majority answer is compared with the response's
  (:func:`gra_agents.evidence.math_evidence`);
- **code** (the Coding domain, when the response holds Python): the response's code runs
  against the examples its task states and against test calls written by the verifiers,
  each of whom also writes a reference solution to compare with
  (:func:`gra_agents.evidence.code_evidence`).

The programs (``--programs`` of them, default 3, each a fresh sample) are written by the
sample's reviewer that the prompt pack measured the best verifier (``gra calibrate``), or by
its reviewers in turn when none was measured; never by its generator. Every program, its run and the verdict are stored
(``programs``, ``samples.verdict``, ``samples.evidence``); model-written code runs only in
the sandbox (:mod:`runtime.sandbox`). A sandbox that cannot start makes the verdict
``undecided``, says why once on the console, and never passes a program it did not run.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from typing import Any

from gra_agents import RoleAssignment
from gra_agents.code import function_of, python_code, stated_examples, syntax_error
from gra_agents.evidence import Evidence, code_evidence, math_evidence
from gra_agents.numbers import final_answer
from runtime.pipeline.code_harness import harness, read_report
from runtime.pipeline.team import Members, RoleFailed
from runtime.progress.watchdog import WATCHDOG
from runtime.sandbox import Execution, Sandbox
from runtime.settings import SynthConfig

#: Test calls one response is run on, at most (the verifiers' calls together).
MAX_CALLS = 16
#: Domains whose responses are verified as math when they state a final numeric answer.
NUMERIC_DOMAINS = ("Math", "Reasoning", "QA")

_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> Sandbox:
    """The process-wide sandbox, created on first use and closed at interpreter exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox(timeout_s=10.0, output_chars=20_000)
            atexit.register(_shared.close)
        return _shared


def kind_of(domain: str | None, response: str) -> str | None:
    """``code``, ``math`` or None (nothing to run) for a response of ``domain``."""
    if domain == "Coding":
        return "code" if python_code(response) else None
    if domain == "Math" or (domain in NUMERIC_DOMAINS and final_answer(response)):
        return "math"
    return None


class Verification:
    """Verifies one sample's response: its verifier calls are made by :class:`Members`, its programs run sandboxed."""

    def __init__(self, members: Members, config: SynthConfig, sandbox: Sandbox | None = None):
        self.members, self.config, self.store = members, config, members.store
        self.sandbox = sandbox or shared_sandbox()
        self.calibration = members.team.calibration
        self._said_unavailable = False

    async def evidence(
        self,
        sid: str,
        roles: RoleAssignment,
        domain: str | None,
        task: tuple[str, str],
        response: str,
        keep: bool = True,
    ) -> Evidence | None:
        """The evidence of the response (None: nothing to verify, or ``--verify off``); with ``keep``, stored as the
        sample's verdict (a probe keeps each member's with its sheet instead)."""
        kind = kind_of(domain, response) if self.config.verify != "off" else None
        if kind is None:
            return None
        seats = self.seats(roles)
        verify = self._math if kind == "math" else self._code
        found = await verify(sid, seats, task, response)
        if keep:
            self.store.update_sample(sid, verified=kind, verdict=found.verdict, evidence=found.line)
        return found

    def seats(self, roles: RoleAssignment) -> list[tuple[str, int]]:
        """(member, seat) of each program: all by the reviewer the pack measured the best verifier, else the
        reviewers in turn; a member's second program is its next seat (another sample of the model)."""
        reviewers = list(roles.reviewers)
        measured = {r: c.verifier for r in reviewers if (c := self.calibration.get(r)) and c.verifier is not None}
        if measured:
            best = max(reviewers, key=lambda r: measured.get(r, -1.0))
            return [(best, j) for j in range(self.config.programs)]
        chosen = [reviewers[j % len(reviewers)] for j in range(self.config.programs)]
        return [(m, chosen[:j].count(m)) for j, m in enumerate(chosen)]

    async def _write(self, sid: str, member: str, seat: int, **inputs: Any) -> Any | None:
        """One verifier call (recorded like every role call); None when it failed."""
        try:
            return await self.members.call(
                "verifier",
                member,
                lambda: self.members.roles_of(member).verifier.acall(**inputs),
                sample_id=sid,
                seat=seat,
            )
        except RoleFailed:
            return None

    async def _run(self, sid: str, role: str, author: str | None, seat: int, source: str, calls=()) -> Execution:
        """Run one program in the sandbox and store it with its run."""
        with WATCHDOG.waiting("the sandbox"):
            run = await self.sandbox.arun(source)
        WATCHDOG.progressed()
        if run.status == "unavailable" and not self._said_unavailable:
            self._said_unavailable = True
            say = self.members.console.print if self.members.console else print
            say(f"verification is undecided: the sandbox is unavailable ({run.detail})")
        self.store.add_program(sid, role, author, seat, source, list(calls), run)
        return run

    async def _math(self, sid: str, seats, task: tuple[str, str], response: str) -> Evidence:
        instruction, input = task
        written = await asyncio.gather(
            *(self._write(sid, m, s, instruction=instruction, input=input) for m, s in seats)
        )
        outputs = []
        for (member, seat), w in zip(seats, written, strict=True):
            run = await self._run(sid, "program", member, seat, w.program) if w is not None else None
            outputs.append(run.stdout if run is not None and run.ok else None)
        return math_evidence(outputs, response)

    async def _code(self, sid: str, seats, task: tuple[str, str], response: str) -> Evidence:
        instruction, input = task
        code = python_code(response) or ""
        if error := syntax_error(code):
            return Evidence("contradicts", f"its code does not parse ({error}).")
        stated = stated_examples(f"{instruction}\n{input}")
        function = function_of(code, f"{instruction}\n{input}")
        written = []
        if function is not None:
            found = await asyncio.gather(
                *(self._write(sid, m, s, instruction=instruction, input=input, function=function[1]) for m, s in seats)
            )
            written = [(m, s, w) for (m, s), w in zip(seats, found, strict=True) if w is not None]
        calls = list(dict.fromkeys(c for _, _, w in written for c in w.tests))[:MAX_CALLS]
        run = await self._run(sid, "response", None, 0, harness(code, calls, stated), calls)
        references = [
            await self._run(sid, "reference", m, s, harness(w.reference, calls, stated), calls) for m, s, w in written
        ]
        return code_evidence(read_report(run.stdout), [read_report(r.stdout) for r in references], run.detail)
