"""The coordinator runs on the cores of the engine with the most slack (runtime.engines.placement)."""

import asyncio
import os
import subprocess
import sys
import threading

import pytest

from runtime.calls.member_lm import MemberLM
from runtime.engines.placement import Placement
from runtime.engines.proc_stats import thread_ids
from runtime.pipeline import Coordinator, Team
from runtime.settings import SynthConfig
from runtime.storage.store import Store

CORES = sorted(os.sched_getaffinity(0))
pytestmark = pytest.mark.skipif(len(CORES) < 2, reason="needs two cores to place anything")
A, B = frozenset({CORES[0]}), frozenset({CORES[1]})


def affinities(pid: int) -> set[frozenset[int]]:
    return {frozenset(os.sched_getaffinity(t)) for t in thread_ids(pid)}


@pytest.fixture
def helper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def thread():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()  # started before the move: it must move too
    yield t
    stop.set()
    t.join()


def test_the_process_every_thread_and_its_helpers_move_to_the_least_busy_engine_and_back(helper, thread):
    original = frozenset(os.sched_getaffinity(0))
    placement = Placement({"smollm2": A, "gemma3": B}, helpers=lambda: [helper.pid])
    assert placement.follow({"smollm2": 40.0, "gemma3": 31.5}) == "gemma3"
    assert affinities(os.getpid()) == {B} and affinities(helper.pid) == {B}
    assert placement.follow({"smollm2": 40.5, "gemma3": 41.0}) == "gemma3"  # under a second apart: it stays
    assert placement.follow({"smollm2": 41.0, "gemma3": 44.0}) == "smollm2"
    assert affinities(os.getpid()) == {A} and affinities(helper.pid) == {A}
    placement.restore()
    assert affinities(os.getpid()) == {original} and affinities(helper.pid) == {original}


def test_engines_without_cores_of_their_own_are_not_candidates():
    original = frozenset(os.sched_getaffinity(0))
    placement = Placement({"remote": None, "gpu": frozenset(), "smollm2": A})
    assert placement.follow({"smollm2": 1.0}) is None  # one local engine: nowhere better to go
    assert affinities(os.getpid()) == {original}


def test_a_round_runs_beside_the_engine_with_slack_and_leaves_the_cores_as_it_found_them(tmp_path):
    original = frozenset(os.sched_getaffinity(0))
    lms = {m: MemberLM(m, api_base="http://127.0.0.1:9", api_key="k") for m in ("a-1", "b-1")}
    team = Team(lms, {"a-1": "a", "b-1": "b"}, {"a": 1, "b": 1}, cpus={"a": A, "b": B})
    coordinator = Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig())
    seen = []

    async def go():
        await coordinator.members.limits["a"].acquire()  # engine a has been busy for 1.2 s, b not at all
        await asyncio.sleep(1.2)
        await coordinator.members.limits["a"].release()
        with coordinator.members.placed():
            await asyncio.sleep(0.1)
            seen.append(affinities(os.getpid()))

    asyncio.run(go())
    assert seen == [{B}]
    assert affinities(os.getpid()) == {original}


def test_following_re_places_while_the_block_runs_and_restores_after():
    """What the coordinator and the bench's ceiling replay both do around their calls."""
    original = frozenset(os.sched_getaffinity(0))
    placement = Placement({"smollm2": A, "gemma3": B})
    busy = {"smollm2": 5.0, "gemma3": 0.0}
    seen = []

    async def go():
        with placement.following(lambda: busy, every_s=0.05):
            await asyncio.sleep(0.1)
            seen.append(affinities(os.getpid()))
            busy["gemma3"] = 9.0  # gemma3 has caught up and passed smollm2 by more than a second
            await asyncio.sleep(0.2)
            seen.append(affinities(os.getpid()))

    asyncio.run(go())
    assert seen == [{B}, {A}]
    assert affinities(os.getpid()) == {original}
