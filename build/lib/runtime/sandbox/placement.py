"""How a runner process is placed: normal priority, every core, and gone when its parent goes.

A runner inherits whatever the thread that starts it has. gra's coordinator moves itself onto
one engine's cores (runtime.engines.placement) and its helpers may run under SCHED_IDLE; a
sandbox that kept either would, on a busy machine, wait behind the engines for ever (issue
"gra stalls on a busy machine"). So before Deno starts, the child:

* asks to be SIGKILLed when its parent dies (PR_SET_PDEATHSIG; Linux means the forking
  *thread*, so runners are forked by one long-lived thread, runtime.sandbox.process.LAUNCHER):
  a program stuck in a loop cannot read that its host has gone, so it must not outlive it;
* takes every core this process may use (``os.sched_getaffinity`` of the machine, not of the
  thread that forks);
* leaves SCHED_IDLE/SCHED_BATCH for the normal policy. Its nice value is left as it is: it is
  never raised here, and lowering it needs privileges.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def all_cores() -> set[int]:
    """Every core the machine has, as the kernel numbers them (the kernel drops any not allowed)."""
    return set(range(os.cpu_count() or 1))


def child_setup(parent: int) -> Callable[[], None]:
    """The function ``subprocess.Popen(preexec_fn=...)`` runs in the child before exec."""
    cores = all_cores()

    def setup() -> None:
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except OSError:  # not Linux: no orphan guard, the host still kills on close and on timeout
            pass
        if os.getppid() != parent:  # the parent died before the guard took hold
            os._exit(1)
        normal_placement(cores)

    return setup


def normal_placement(cores: set[int]) -> None:
    """Run this process on ``cores`` at the normal scheduling policy (each step best effort)."""
    try:
        os.sched_setaffinity(0, cores)
    except (OSError, AttributeError):
        pass
    try:
        if os.sched_getscheduler(0) != os.SCHED_OTHER:
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    except (OSError, AttributeError):
        pass
