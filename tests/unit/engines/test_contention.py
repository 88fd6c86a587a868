"""A machine other programs share: gra sees their CPU apart from its own, and stops pinning."""

import os
import subprocess
import sys
import time

from runtime.engines.contention import SHARED, Contention
from runtime.engines.placement import Placement

LOOP = "import time\nend = time.monotonic() + {s}\nwhile time.monotonic() < end:\n    pass\n"


def baseline(watch: Contention) -> float:
    """What other programs use anyway (a test machine need not be idle)."""
    time.sleep(2)
    return watch.look()


def test_a_program_of_our_own_is_not_contention():
    watch = Contention(os.getpid())
    before = baseline(watch)
    subprocess.run([sys.executable, "-c", LOOP.format(s=2)], check=True)
    assert watch.look() < before + 0.3


def test_another_programs_busy_core_is_seen_and_marks_the_machine_shared():
    watch = Contention(os.getpid())
    # a stranger's busy loop: started through a shell that leaves at once, so it is not our descendant
    subprocess.run(["sh", "-c", f"{sys.executable} -c '{LOOP.format(s=3)}' >/dev/null 2>&1 &"], check=True)
    time.sleep(2.5)
    try:
        assert watch.look() >= 0.5 and watch.shared and SHARED.is_set()
    finally:
        SHARED.clear()


def test_the_coordinator_stops_following_an_engine_once_the_machine_is_shared():
    cores = sorted(os.sched_getaffinity(0))
    placement = Placement({"a": frozenset(cores[:1]), "b": frozenset(cores[-1:])})
    SHARED.set()
    try:
        assert placement.follow({"a": 10.0, "b": 0.0}) is None
        assert os.sched_getaffinity(0) == set(cores)
    finally:
        SHARED.clear()
