"""Say what a run is waiting on when it stops moving.

A run that makes no model call and advances no stage for ``stall_s`` seconds is stalled, or
looks it: a busy machine can starve a helper process, an engine can hang. The watchdog
then prints one line that names the oldest wait still open and how much CPU its process
got over the last few seconds, e.g.::

    waiting 180 s for the embedding worker (pid 4242, 0% CPU)

and the progress display shows the same line until the run moves again. Waits are
registered where the pipeline blocks (:meth:`Watchdog.waiting`); anything that finishes a
call or a stage calls :meth:`Watchdog.progressed`. The watchdog checks from a thread of
its own, so it speaks even when the event loop itself is blocked.

>>> dog = Watchdog(stall_s=0.0)
>>> with dog.waiting("the embedding worker"):
...     dog.check(now=dog.last + 5)
'waiting 5 s for the embedding worker'
>>> dog.progressed(); dog.message is None
True
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from runtime.engines.proc_stats import cpu_seconds

#: Seconds without a finished call or stage before the watchdog speaks (``SynthConfig.stall_s``).
DEFAULT_STALL_S = 180.0
#: How often the watchdog's thread looks.
EVERY_S = 5.0


@dataclass
class Wait:
    """One open wait: what is waited on, its process (if it has one of its own), since when."""

    what: str
    pid: Callable[[], int | None] | None
    since: float


class Watchdog:
    """Tracks open waits and the last sign of progress; says what blocks a run that stopped moving."""

    def __init__(self, stall_s: float = DEFAULT_STALL_S, say: Callable[[str], None] | None = None):
        self.stall_s, self.say = stall_s, say
        self.last = time.monotonic()
        self.message: str | None = None  # the stall line while stalled, for the progress display
        self._waits: dict[int, Wait] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._cpu: dict[int, tuple[tuple, tuple]] = {}  # pid -> the last two (wall, cpu seconds) samples
        self._spoken_for: float | None = None  # the ``last`` a stall line was already printed for
        self._stop: threading.Event | None = None

    def progressed(self) -> None:
        """A call finished or a stage advanced: the run moves."""
        with self._lock:
            self.last, self.message = time.monotonic(), None

    @contextmanager
    def waiting(self, what: str, pid: Callable[[], int | None] | None = None) -> Iterator[None]:
        """Mark the block as a wait on ``what`` (whose process ``pid()`` names, if any)."""
        key = next(self._ids)
        with self._lock:
            self._waits[key] = Wait(what, pid, time.monotonic())
        try:
            yield
        finally:
            with self._lock:
                self._waits.pop(key, None)

    def check(self, now: float | None = None) -> str | None:
        """The stall line if the run has not moved for ``stall_s`` seconds (printed once per stall), else None."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle, oldest = now - self.last, min(self._waits.values(), key=lambda w: w.since, default=None)
            last = self.last
        if idle < self.stall_s:
            return None
        line = (
            f"waiting {idle:.0f} s for {oldest.what}{self._process(oldest)}"
            if oldest
            else (f"no call finished and no stage advanced for {idle:.0f} s, and nothing is in flight")
        )
        with self._lock:
            if self.last != last:  # it moved meanwhile
                return None
            self.message, first = line, self._spoken_for != last
            self._spoken_for = last
        if first and self.say is not None:
            self.say(line)
        return line

    def sample(self) -> None:
        """Read the CPU time of every open wait's process, so a stall line can give its recent share."""
        with self._lock:
            pids = [w.pid() for w in self._waits.values() if w.pid]
        for pid in filter(None, pids):
            reading = (time.monotonic(), cpu_seconds(pid))
            self._cpu[pid] = (self._cpu.get(pid, (reading, reading))[1], reading)

    def _process(self, wait: Wait) -> str:
        """`` (pid N, P% CPU)``: the wait's process and its CPU share between the last two samples, if it has one."""
        pid = wait.pid() if wait.pid else None
        if pid is None:
            return ""
        (t0, c0), (t1, c1) = self._cpu.get(pid, ((0.0, None), (0.0, None)))
        if c1 is None:
            return f" (pid {pid}, gone)" if cpu_seconds(pid) is None else f" (pid {pid})"
        if c0 is None or t1 <= t0:
            return f" (pid {pid})"
        return f" (pid {pid}, {100 * (c1 - c0) / (t1 - t0):.0f}% CPU)"

    @contextmanager
    def watching(
        self, stall_s: float, say: Callable[[str], None] | None, every_s: float = EVERY_S
    ) -> Iterator[Watchdog]:
        """For the block, check every ``every_s`` seconds from a daemon thread, speaking through ``say`` after
        ``stall_s`` seconds without progress (0: never); the run counts as moving at its start."""
        self.stall_s, self.say = stall_s or float("inf"), say
        self.progressed()
        stop = threading.Event()
        thread = threading.Thread(target=self._loop, args=(stop, every_s), name="gra-watchdog", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()

    def _loop(self, stop: threading.Event, every_s: float) -> None:
        while not stop.wait(every_s):
            self.sample()
            self.check()


#: The run's watchdog: the pipeline's waits and progress report here (one run per process).
WATCHDOG = Watchdog()
