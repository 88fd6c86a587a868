"""Keep the coordinator's own CPU work off the busiest engine's cores.

Each local llama-server is pinned to cores of its own (``llama_server.split_cores``). The
coordinator needs CPU too: it streams every token through the repetition guard, wakes
asyncio for each chunk, writes SQLite, and its embedding worker embeds. Left to the
scheduler, that work lands on any core and interrupts whichever engine runs there; put
on the core of the engine with slack, it costs the busier engine nothing (README, "Design
measurements").

Which engine has slack to share depends on the run (on the role draws and the answers),
so the coordinator follows it: :meth:`Placement.follow` moves this process, every thread
of it, and the helper processes it names, to the cores of the engine busy least so far.

    >>> placement = Placement({"smollm2": frozenset({0}), "gemma3": frozenset({1})})
    >>> placement.follow({"smollm2": 40.0, "gemma3": 31.5})   # now on core 1
    'gemma3'
    >>> placement.restore()                                    # back where it started

Inside a running event loop, :meth:`Placement.following` does the following for a block:

    with placement.following(lambda: {e: limit.busy_seconds() for e, limit in limits.items()}):
        await work()   # re-placed every EVERY_S seconds; the original affinity is back after

Engines with no cores of their own (remote endpoints, GPU servers) are not candidates;
with none, ``follow`` does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping

from runtime.engines.contention import SHARED
from runtime.engines.proc_stats import thread_ids

#: How much less busy (seconds) another engine must be before the coordinator moves to it.
HYSTERESIS_S = 1.0
#: How often :meth:`Placement.following` checks which engine has the most slack.
EVERY_S = 2.0


def pin(pid: int, cpus: Iterable[int]) -> None:
    """Set the CPU affinity of every thread of process ``pid`` (threads started later inherit it)."""
    for tid in thread_ids(pid):
        try:
            os.sched_setaffinity(tid, cpus)
        except (ProcessLookupError, PermissionError):  # a thread that just ended
            pass


class Placement:
    """Where the coordinator runs: the cores of the local engine with the most slack."""

    def __init__(
        self, engine_cpus: Mapping[str, frozenset[int] | None], helpers: Callable[[], Iterable[int]] = lambda: ()
    ):
        self.engine_cpus = {e: frozenset(c) for e, c in engine_cpus.items() if c}
        self.helpers = helpers  # pids of helper processes that move along (the embedding worker)
        self.original = os.sched_getaffinity(0)
        self.engine: str | None = None  # whose cores it is on now; None: where it started

    def follow(self, busy_s: Mapping[str, float]) -> str | None:
        """Move to the cores of the engine with the fewest busy seconds; that engine's name. On a machine other
        programs share (:data:`runtime.engines.contention.SHARED`), go back and stay put: a pin there is a trap."""
        if SHARED.is_set():
            self.restore()
            return None
        if len(self.engine_cpus) < 2:
            return None
        least = min(self.engine_cpus, key=lambda e: (busy_s.get(e, 0.0), e))
        here = busy_s.get(self.engine, 0.0) if self.engine else None
        if self.engine is None or (least != self.engine and busy_s.get(least, 0.0) + HYSTERESIS_S < here):
            self._move(self.engine_cpus[least])
            self.engine = least
        return self.engine

    @contextlib.contextmanager
    def following(self, busy_s: Callable[[], Mapping[str, float]], every_s: float = EVERY_S) -> Iterator[None]:
        """For the block, :meth:`follow` ``busy_s()`` every ``every_s`` seconds; then :meth:`restore`.

        Needs a running event loop (the checks are a task on it). With fewer than two
        engines to choose from it does nothing.
        """
        if len(self.engine_cpus) < 2:
            yield
            return

        async def follow() -> None:
            while True:
                self.follow(busy_s())
                await asyncio.sleep(every_s)

        task = asyncio.get_running_loop().create_task(follow())
        try:
            yield
        finally:
            task.cancel()
            self.restore()

    def restore(self) -> None:
        """Back to the affinity the process had when this placement was made."""
        if self.engine is not None:
            self._move(self.original)
            self.engine = None

    def _move(self, cpus: frozenset[int]) -> None:
        for pid in (os.getpid(), *self.helpers()):
            pin(pid, cpus)
