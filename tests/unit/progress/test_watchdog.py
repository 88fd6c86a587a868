"""A stalled run says what it waits on, once per stall, in its log line and under its progress bars."""

import io
import os
import signal
import threading
import time

from rich.console import Console

from runtime.engines.embedding import shared_engine
from runtime.pipeline.embedding import embed, forget
from runtime.progress.bars import progress_bars
from runtime.progress.watchdog import WATCHDOG, Watchdog


def test_a_run_that_moves_says_nothing():
    said = []
    dog = Watchdog(stall_s=60, say=said.append)
    with dog.waiting("engine 'qwen15'"):
        assert dog.check(now=dog.last + 59) is None
    assert said == [] and dog.message is None


def test_a_stall_is_said_once_and_names_the_oldest_wait():
    said = []
    dog = Watchdog(stall_s=60, say=said.append)
    with dog.waiting("the embedding worker"), dog.waiting("engine 'qwen15'"):
        dog.check(now=dog.last + 61)
        dog.check(now=dog.last + 70)
    assert said == ["waiting 61 s for the embedding worker"]
    assert dog.message == "waiting 70 s for the embedding worker"  # the display keeps counting


def test_progress_ends_the_stall_and_a_new_one_is_said_again():
    said = []
    dog = Watchdog(stall_s=10, say=said.append)
    dog.check(now=dog.last + 11)
    dog.progressed()
    assert dog.message is None
    dog.check(now=dog.last + 12)
    assert said == [
        "no call finished and no stage advanced for 11 s, and nothing is in flight",
        "no call finished and no stage advanced for 12 s, and nothing is in flight",
    ]


def test_a_stopped_embedding_worker_is_named_with_its_pid_and_no_cpu():
    """The real worker, frozen with SIGSTOP as a starved one is: the line names it and its 0% CPU."""
    forget()
    embed(["the worker is up"])
    pid = shared_engine().proc.pid
    said = []
    os.kill(pid, signal.SIGSTOP)
    try:
        with WATCHDOG.watching(stall_s=1.0, say=said.append, every_s=0.2):
            waiter = threading.Thread(target=embed, args=(["a text no one embedded yet"],))
            waiter.start()
            deadline = time.monotonic() + 20
            while not said and time.monotonic() < deadline:
                time.sleep(0.1)
            os.kill(pid, signal.SIGCONT)
            waiter.join(30)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert said and said[0].startswith("waiting ") and said[0].endswith(f"for the embedding worker (pid {pid}, 0% CPU)")


def test_the_progress_display_shows_the_stall_line():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=120)
    WATCHDOG.message = "waiting 200 s for the embedding worker (pid 7, 0% CPU)"
    try:
        with progress_bars(console) as bars:
            bars.add_task("curating rows", total=3)
    finally:
        WATCHDOG.progressed()
    assert "waiting 200 s for the embedding worker (pid 7, 0% CPU)" in out.getvalue()
