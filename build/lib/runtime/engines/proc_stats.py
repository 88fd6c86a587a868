"""What a running process has used so far, read from Linux ``/proc``: peak memory and CPU time; its threads.

The benchmarks use these to tell the coordinator's share of the machine from the engines'.

>>> import os
>>> peak_rss_mb(os.getpid()) > 0 and cpu_seconds(os.getpid()) >= 0
True
"""

from __future__ import annotations

import os
from pathlib import Path


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (``VmHWM``) in MiB, or None when the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:")), None)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of the process (all its threads), or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces; it ends at the last ')'
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_ids(pid: int) -> list[int]:
    """The ids of process ``pid``'s threads (per-thread settings such as affinity and policy apply to each)."""
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except FileNotFoundError:
        return [pid]
