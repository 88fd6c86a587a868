"""A command's run: its directory checked, its engines up, its store and team ready, its end recorded.

Every command that runs models (synth, annotate, curate, refine, calibrate's probes, optimize)
opens one :class:`RunSession`, so the skeleton is written once:

1. on construction, the directory is checked without touching it: a directory that holds a
   run is resumed when its fingerprint matches (``mode="resume"``), refused otherwise
   (:func:`runtime.storage.run_dir.check_resume`); ``mode="new"`` refuses any run there
   unless ``fresh``; ``mode="append"`` (a prompt pack's folder) takes it as it is;
2. on entry, the engines start (:class:`Supervisor`), the directory is prepared, the run is
   recorded (``runs``, ``members``), and the team and its :class:`Members` are made;
3. :meth:`run` runs the command's coroutine under the stall watchdog and returns its wall time;
4. on a clean exit the run is marked finished, and the engines stop whatever happened.

A stage added to the pipeline is then added once, for every command.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

from rich.console import Console

from runtime.calls.prompt_digest import prompt_digest
from runtime.config import Pool
from runtime.engines.supervisor import Supervisor
from runtime.fingerprint import fingerprint
from runtime.pipeline import Members, Roles, Team
from runtime.progress.watchdog import WATCHDOG
from runtime.settings import SynthConfig
from runtime.storage.pack import Pack, describe
from runtime.storage.run_dir import check_out, check_resume, member_rows, prepare_out
from runtime.storage.store import Store

Mode = Literal["resume", "new", "append"]


class RunSession:
    """One command's run directory, engines, store and team, for the length of a ``with`` block."""

    def __init__(
        self,
        out: Path,
        pool: tuple[Pool, Path],
        config: SynthConfig,
        *,
        command: str,
        inputs: Path | None = None,
        pack: Pack | None = None,
        mode: Mode = "resume",
        fresh: bool = False,
        allow_changed: bool = False,
        outputs: tuple[str, ...] = ("data.jsonl", "accepted.jsonl"),
        console: Console | None = None,
    ):
        self.out, (self.pool, self.pool_path), self.config = out, pool, config
        self.command, self.inputs, self.pack, self.mode = command, inputs, pack, mode
        self.fresh, self.outputs = fresh, outputs
        self.console = console or Console(stderr=True)
        self.fingerprint = None
        if mode == "resume":
            prompts = pack and pack.digest()
            self.fingerprint = fingerprint(
                config, self.pool, inputs, command=command, prompts=prompts, gra_prompts=prompt_digest()
            )
        self.resumed = check_resume(out, self.fingerprint, fresh, allow_changed) if mode == "resume" else False
        if mode == "new":
            check_out(out, fresh)

    def open(self, record: dict[str, Any], *, roles: Roles | None = None, answers_from: Path | None = None) -> None:
        """Start the engines, prepare the directory and record the run (``record``: what ``runs.config`` keeps)."""
        self.supervisor = Supervisor(self.pool, log_dir=self.out / "logs", source=str(self.pool_path)).__enter__()
        try:
            if self.mode == "append":
                self.out.mkdir(parents=True, exist_ok=True)
            elif not self.resumed:
                prepare_out(self.out, self.fresh, self.outputs)
            self.store = Store(self.out / "gra.db")
            record = record | {"pool": self.pool.model_dump(), "prompts": describe(self.pack)}
            record |= {"pack": str(self.pack.path)} if self.pack else {}
            self.run_id = self.store.start_run(self.config.seed, record, self.fingerprint)
            self.store.put_members(member_rows(self.pool))
            sup = self.supervisor
            self.team = Team.from_pool(
                self.pool, sup.endpoints, health=sup.engine_state, roles=roles, prompts=self.pack, pid=sup.pid
            )
            self.members = Members(self.team, self.store, self.config, self.out, self.console)
            if answers_from is not None:
                self.members.answer_from(Store(answers_from / "gra.db"))
        except BaseException:
            self.supervisor.__exit__(None, None, None)
            raise

    def run(self, work: Callable[[], Awaitable[Any]]) -> float:
        """Run ``work()`` to its end under the stall watchdog; its wall seconds."""
        started = time.perf_counter()
        with WATCHDOG.watching(self.config.stall_s, self.console.print):
            asyncio.run(work())
        return time.perf_counter() - started

    def __enter__(self) -> RunSession:
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None and hasattr(self, "store"):
                self.store.finish_run(self.run_id)
        finally:
            if hasattr(self, "supervisor"):
                self.supervisor.__exit__(kind, error, trace)
