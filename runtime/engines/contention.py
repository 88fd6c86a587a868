"""Whether other programs share this machine's cores, and what gra then stops doing: pinning.

gra pins each local engine to cores of its own, and the coordinator to the cores of the
engine with most slack: on a quiet machine that keeps spinning threads out of each other's
way. On a machine where another program keeps a core busy, a pin is a trap: the engine pinned
to that core gets half of it while another core may idle. So the supervisor looks, every
``EVERY_S`` seconds, at how much CPU the machine spent outside gra's own processes; above
``SHARED_CORES`` of a core on average, it unpins every engine (and the coordinator stops
following one), says so once in the engine logs, and lets the scheduler place threads. The
engines keep their thread counts, sized to their share of the cores.

>>> watch = Contention(os.getpid(), cores=2)
>>> watch.shared is False
True
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

#: Cores' worth of CPU other programs must use, on average over a look, for the machine to count as shared.
SHARED_CORES = 0.5
#: How often to look (seconds): long enough that a burst of another program does not unpin anything.
EVERY_S = 30.0
#: Set once the machine was found shared: placement stops pinning the coordinator too.
SHARED = threading.Event()


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (every core, idle and iowait excluded)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by process ``root`` and its descendants (gra, its engines, its workers), those that
    ended included: each live process counts its own time and that of the children it has reaped."""
    children: dict[int, list[int]] = {}
    spent: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            spent[int(entry.name)] = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += spent.get(pid, 0.0)
        todo += children.get(pid, [])
    return total


class Contention:
    """Looks at the CPU other programs use between two calls of :meth:`look`; ``shared`` once they used enough."""

    def __init__(self, root: int, cores: int | None = None):
        self.root, self.cores = root, cores or len(os.sched_getaffinity(0))
        self.shared = False
        self._last = self._reading()

    def _reading(self) -> tuple[float, float, float]:
        return time.monotonic(), machine_busy_seconds(), tree_cpu_seconds(self.root)

    def look(self) -> float:
        """Cores' worth of CPU other programs used since the last look; sets ``shared`` (and :data:`SHARED`)."""
        now = self._reading()
        (t0, busy0, ours0), (t1, busy1, ours1) = self._last, now
        self._last = now
        if t1 <= t0:
            return 0.0
        foreign = max(0.0, (busy1 - busy0) - (ours1 - ours0)) / (t1 - t0)
        if foreign >= SHARED_CORES and not self.shared:
            self.shared = True
            SHARED.set()
        return foreign
