"""Tie a child process's life to its parent's, even when the parent dies by SIGKILL.

Engine servers and the embedding worker call :func:`die_with_parent` first thing, so that
a coordinator that is killed leaves no orphan behind.
"""

from __future__ import annotations

import ctypes
import os

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, sig: int) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (PR_SET_PDEATHSIG).

    Returns False when ``parent`` is already gone (it died before the request took effect):
    the caller should then exit at once. Linux ties the signal to the parent *thread* that
    started this process, so a child started by a short-lived thread dies with that thread.
    """
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, sig)
    except OSError:
        pass
    return os.getppid() == parent
