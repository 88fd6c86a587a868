"""The :class:`Sandbox`: run untrusted Python source and get an :class:`Execution` back, never an exception.

Each program runs in a process of its own (a Deno runner, Pyodide restored from a snapshot),
so nothing a program does reaches the next one, and a program that loops, crashes or runs out
of memory costs only its own process. To keep that cheap, the sandbox starts the next runner
as soon as one is used (a *spare*, ready in about half a second), so a caller that does other
work between programs waits only for the program itself.

One program runs at a time inside a sandbox (a lock); callers on several threads queue. If the
sandbox cannot start (no Deno, Pyodide not fetchable), every :meth:`Sandbox.run` returns status
``unavailable`` with the reason: it never raises, and it never passes a program it did not run.
"""

from __future__ import annotations

import asyncio
import threading
import time

from runtime.sandbox import deno as deno_tools
from runtime.sandbox.execution import ExecStatus, Execution, Unavailable, cut_note
from runtime.sandbox.process import Runner
from runtime.sandbox.snapshot import ensure_snapshot


class Sandbox:
    """Runs Python programs one at a time, each in a fresh sandboxed interpreter.

    ``timeout_s``: wall seconds a program may run. ``output_chars``: characters kept of each of
    stdout and stderr. ``memory_mb``: the cap on the interpreter's memory. ``start_timeout_s``:
    how long a runner may take to become ready. ``keep_spare``: start the next runner early.
    """

    def __init__(
        self,
        timeout_s: float = 10.0,
        output_chars: int = 20_000,
        memory_mb: int = 1024,
        start_timeout_s: float = 60.0,
        keep_spare: bool = True,
    ):
        self.timeout_s, self.output_chars, self.memory_mb = timeout_s, output_chars, memory_mb
        self.start_timeout_s, self.keep_spare = start_timeout_s, keep_spare
        self._lock = threading.Lock()
        self._spare: Runner | None = None
        self._broken: str | None = None  # why the snapshot could not be made: not retried
        self._closed = False

    def run(self, code: str) -> Execution:
        """Run ``code`` as ``__main__`` in a fresh interpreter and say how it went."""
        start = time.monotonic()
        with self._lock:
            if self._closed:
                return Execution.unavailable("the sandbox was closed", 0.0)
            try:
                runner = self._ready_runner()
            except Unavailable as e:
                return Execution.unavailable(str(e), time.monotonic() - start)
            try:
                reply = runner.run(code, self.output_chars, self.timeout_s)
            finally:
                runner.kill()
            if self.keep_spare:
                self._spare = self._start_quietly()
        return self._execution(reply, time.monotonic() - start)

    async def arun(self, code: str) -> Execution:
        """:meth:`run` on a worker thread, for callers inside an event loop."""
        return await asyncio.to_thread(self.run, code)

    def start(self) -> None:
        """Start a runner now (and make the snapshot if needed), so that the first program is quick."""
        with self._lock:
            if self._spare is None and not self._closed:
                self._spare = self._start_quietly()

    def close(self) -> None:
        """Stop the spare runner; later calls to :meth:`run` return ``unavailable``."""
        with self._lock:
            self._closed = True
            if self._spare is not None:
                self._spare.kill()
                self._spare = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _ready_runner(self) -> Runner:
        """A runner that said it is ready. A spare that died waiting (killed from outside, say) is
        replaced once; a fresh runner that fails to start makes the sandbox unavailable."""
        spare, self._spare = self._spare, None
        if spare is not None:
            try:
                spare.wait_ready(self.start_timeout_s)
                if spare.alive():
                    return spare
            except Unavailable:
                pass
            spare.kill()
        fresh = self._start_runner()
        fresh.wait_ready(self.start_timeout_s)
        return fresh

    def _start_runner(self) -> Runner:
        if self._broken:
            raise Unavailable(self._broken)
        deno = deno_tools.find_deno()
        if deno is None or not deno.is_file():
            raise Unavailable(
                f"deno not found{f' at {deno}' if deno else ''}: install it with "
                "`pip install deno==2.9.8` (make install does)"
            )
        root = deno_tools.deno_dir()
        try:
            snapshot = ensure_snapshot(deno, root)
        except Unavailable as e:
            self._broken = str(e)
            raise
        command = deno_tools.serve_command(deno, root, snapshot, self.memory_mb)
        max_line = 16 * self.output_chars + 65_536  # two streams, JSON-escaped
        try:
            return Runner(command, deno_tools.environment(root), cwd=root, max_line=max_line)
        except OSError as e:
            raise Unavailable(f"deno could not be started ({deno}): {e.strerror or e}") from None

    def _start_quietly(self) -> Runner | None:
        """A spare runner, or None if one cannot be started (the next run says why)."""
        try:
            return self._start_runner()
        except Unavailable:
            return None

    def _execution(self, reply: dict | None, seconds: float) -> Execution:
        if reply is None:
            return Execution(ExecStatus.TIMEOUT, "", "", f"still running after {self.timeout_s:g} s: stopped", seconds)
        try:
            status = ExecStatus(reply.get("status"))
        except ValueError:
            status = ExecStatus.CRASH
        stdout = str(reply.get("stdout", "")) + (cut_note(self.output_chars) if reply.get("stdout_cut") else "")
        stderr = str(reply.get("stderr", "")) + (cut_note(self.output_chars) if reply.get("stderr_cut") else "")
        detail = " ".join(str(reply.get("detail", "")).split())[:500]
        return Execution(status, stdout, stderr, detail, seconds)
