"""One sandbox for a test module: each program still gets a fresh interpreter in a fresh process."""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from runtime.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(timeout_s=5.0, output_chars=2_000) as sb:
        yield sb


def child_pids() -> list[int]:
    """The live processes this test process started."""
    return runner_pids(only_runners=False)


def runner_pids(only_runners: bool = True) -> list[int]:
    """The sandbox runners this test process started (Deno running runner.js)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and cmdline and (b"runner.js" in cmdline or not only_runners):
            pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


@contextmanager
def peak_runner_rss() -> Iterator[list[float]]:
    """Samples every runner's resident memory each 20 ms; yields a one-item list holding the peak (MB)."""
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max([peak[0], *(rss_mb(pid) for pid in runner_pids())])
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()
