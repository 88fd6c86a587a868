"""The embedding engine: the model in a child process, reused, stopped, and equal to the model in-process."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from runtime.engines.embedding import EmbeddingEngine, EmbeddingEngineError, shared_engine
from runtime.engines.embedding_worker import NICE, encode
from runtime.pipeline.embedding import embed, forget
from tests.helpers.paths import ROOT

#: Each test loads torch and MiniLM in a worker process of its own: left out of `make check`.
pytestmark = pytest.mark.slow

TEXTS = [
    "Write a Python function that returns the factorial of a number.",
    "Translate 'good morning' into Spanish.",
    "Summarize the plot of Hamlet in two sentences.\nThe play by William Shakespeare.",
    "",
] + [f"Example sentence number {i} about topic {i % 7}." for i in range(150)]


def gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie that no one has reaped yet counts as exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_gives_the_in_process_embeddings():
    forget()  # every text through the worker now, none remembered from an earlier test
    through_worker = embed(TEXTS, batch_size=64)
    in_process = encode(TEXTS, batch_size=64)
    assert through_worker.dtype == np.float32 and through_worker.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(through_worker, in_process, atol=1e-6, rtol=0)
    np.testing.assert_allclose(np.linalg.norm(through_worker, axis=1), 1.0, atol=1e-5)


def test_one_worker_serves_every_call_until_closed():
    engine = shared_engine()
    embed(["first call"])
    pid = engine.proc.pid
    assert embed(["second call", "third"]).shape == (2, 384)
    assert engine.proc.pid == pid  # reused, not restarted
    assert embed([]).shape == (0, 384)

    engine.close()
    assert wait_until(lambda: gone(pid))
    assert embed(["after close"]).shape == (1, 384) and engine.proc.pid != pid  # a fresh one on demand


def test_the_worker_runs_below_the_engines_but_is_never_starved():
    base = os.getpriority(os.PRIO_PROCESS, os.getpid())  # 0, unless the tests themselves run under nice
    engine = EmbeddingEngine()
    try:
        engine.embed(["a text"])
        assert os.getpriority(os.PRIO_PROCESS, os.getpid()) == base  # the coordinator is untouched
        threads = [int(t.name) for t in (Path("/proc") / str(engine.proc.pid) / "task").iterdir()]
        assert len(threads) >= 1
        assert all(os.sched_getscheduler(t) == os.SCHED_OTHER for t in threads)  # never SCHED_IDLE
        assert all(os.getpriority(os.PRIO_PROCESS, t) == max(base, NICE) for t in threads)
    finally:
        engine.close()


def test_warm_up_loads_the_model_in_the_background_and_the_next_call_reuses_it():
    engine = EmbeddingEngine()
    try:
        thread = engine.warm_up()  # returns at once; the model loads meanwhile
        thread.join(120)
        assert not thread.is_alive() and engine.alive()
        pid = engine.proc.pid
        assert engine.cpu_seconds() > 0.5  # importing torch and loading the model took real CPU
        assert engine.embed(["a text"]).shape == (1, 384) and engine.proc.pid == pid
    finally:
        engine.close()
    assert engine.cpu_seconds() is None


def test_a_failed_request_is_an_error_and_the_worker_goes_on():
    engine = EmbeddingEngine()
    try:
        with pytest.raises(EmbeddingEngineError):
            engine.embed(["a text"], batch_size=0)  # the model rejects a zero batch size
        assert engine.embed(["a text"]).shape == (1, 384)
    finally:
        engine.close()


def test_a_worker_that_dies_is_replaced_on_the_next_call():
    engine = EmbeddingEngine()
    try:
        engine.embed(["a text"])
        engine.proc.kill()
        engine.proc.wait()
        assert engine.embed(["a text"]).shape == (1, 384)
    finally:
        engine.close()


COORDINATOR = """
import os, sys
import runtime.pipeline.coordinator
from runtime.pipeline.embedding import embed
from runtime.engines.embedding import shared_engine

embed(["a coordinator embeds"])
print(shared_engine().proc.pid, "torch" in sys.modules, "sentence_transformers" in sys.modules, flush=True)
if sys.argv[1] == "hang":
    sys.stdin.read()
"""


def coordinator(mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", COORDINATOR, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )


def test_a_coordinator_never_imports_torch_and_its_worker_ends_with_it():
    proc = coordinator("exit")
    pid, torch, st = proc.stdout.readline().split()
    assert (torch, st) == ("False", "False")
    assert proc.wait(60) == 0
    assert wait_until(lambda: gone(int(pid)))  # stopped at exit


def test_a_killed_coordinator_takes_its_worker_along():
    proc = coordinator("hang")
    pid = int(proc.stdout.readline().split()[0])
    proc.send_signal(signal.SIGKILL)  # no atexit runs: the kernel's parent-death signal does the job
    proc.wait()
    assert wait_until(lambda: gone(pid))
