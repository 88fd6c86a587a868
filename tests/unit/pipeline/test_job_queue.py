"""Jobs any member may do go to the engine with a slot free first (runtime.pipeline.job_queue)."""

import asyncio
import json

import pytest

from runtime.calls.member_lm import MemberLM
from runtime.config import Retry
from runtime.pipeline import Coordinator, MembersDown, Team
from runtime.pipeline.job_queue import drain
from runtime.settings import SynthConfig
from runtime.storage.seeds import Seed
from runtime.storage.store import Store
from tests.helpers.fake_engine import FakeEngine

ENGINES = {"fast": ["fast-a", "fast-b"], "slow": ["slow-a", "slow-b"]}


def run_jobs(jobs, seconds, slots=None, usable=lambda engine: True):
    """Drain ``jobs`` where a job takes ``seconds[engine]``; who did what, and the most at once per engine."""
    done, running, most = [], {e: 0 for e in ENGINES}, {e: 0 for e in ENGINES}
    engine_of = {m: e for e, members in ENGINES.items() for m in members}

    async def job(j, member):
        engine = engine_of[member]
        running[engine] += 1
        most[engine] = max(most[engine], running[engine])
        await asyncio.sleep(seconds[engine])
        running[engine] -= 1
        done.append((j, member))

    left = asyncio.run(drain(jobs, ENGINES, slots or {"fast": 1, "slow": 1}, job, usable))
    return done, most, left


def test_a_faster_engine_takes_more_jobs_and_each_job_runs_once():
    done, _, left = run_jobs(range(20), {"fast": 0.01, "slow": 0.05})
    assert sorted(j for j, _ in done) == list(range(20)) and left == []
    fast = sum(m.startswith("fast") for _, m in done)
    assert fast >= 14  # in rotation it would be 10 of 20


def test_an_engine_runs_as_many_jobs_at_once_as_it_has_slots_and_rotates_its_members():
    done, most, _ = run_jobs(range(12), {"fast": 0.01, "slow": 0.01}, slots={"fast": 3, "slow": 1})
    assert most == {"fast": 3, "slow": 1}
    fast_members = [m for _, m in done if m.startswith("fast")]
    assert abs(fast_members.count("fast-a") - fast_members.count("fast-b")) <= 1


def test_an_engine_given_up_takes_no_more_jobs_and_the_others_finish_the_queue():
    done, _, left = run_jobs(range(10), {"fast": 0.01, "slow": 0.01}, usable=lambda engine: engine != "slow")
    assert {m for _, m in done} <= set(ENGINES["fast"]) and len(done) == 10 and left == []


def test_jobs_no_usable_engine_took_are_handed_back():
    done, _, left = run_jobs(["a", "b"], {"fast": 0.01, "slow": 0.01}, usable=lambda engine: False)
    assert done == [] and left == ["a", "b"]


ANNOTATION = json.dumps({"keywords": ["sum"], "summary": "Add two numbers.", "domain": "Math"})


def test_seed_annotation_keeps_both_engines_busy_so_the_faster_annotates_more(tmp_path):
    """In rotation each engine annotated half the seeds, and the slower one's half set the phase's length."""
    fast = FakeEngine([(ANNOTATION, "stop")] * 12, piece_delay_s=0.001)
    slow = FakeEngine([(ANNOTATION, "stop")] * 12, piece_delay_s=0.01)
    try:
        lms, engine_of = {}, {}
        for engine, fake in (("fast", fast), ("slow", slow)):
            for member in ENGINES[engine]:
                lms[member] = MemberLM(member, api_base=fake.base_url, api_key="k", temperature=0.2, max_tokens=64)
                engine_of[member] = engine
        team = Team(lms, engine_of, {"fast": 1, "slow": 1}, retry=Retry(backoff_s=0.0))
        coordinator = Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig())
        seeds = [Seed(f"s{i}", f"Add {i} and 2.", "", str(i + 2), i + 1) for i in range(12)]
        asyncio.run(coordinator.annotate(seeds, "seeds.jsonl"))
    finally:
        fast.close()
        slow.close()
    rows = list(coordinator.store.db["seeds"].rows)
    assert sorted(r["id"] for r in rows) == sorted(s.id for s in seeds)
    assert all(r["status"] == "annotated" and r["domain"] == "Math" for r in rows)
    by_fast = sum(r["annotator"].startswith("fast") for r in rows)
    assert by_fast >= 9 and len(slow.requests) == 12 - by_fast  # every seed was sent once
    calls = list(coordinator.store.db["lm_calls"].rows)
    assert {(c["seed_id"], c["member"]) for c in calls} == {(r["id"], r["annotator"]) for r in rows}


def test_seeds_no_engine_could_take_stay_unannotated_and_the_run_stops(tmp_path):
    lms = {m: MemberLM(m, api_base="http://127.0.0.1:9", api_key="k") for m in ENGINES["fast"] + ENGINES["slow"]}
    engine_of = {m: m.split("-")[0] for m in lms}
    team = Team(lms, engine_of, {"fast": 1, "slow": 1}, health=lambda engine: "failed")
    coordinator = Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig())
    with pytest.raises(MembersDown, match="only 0 of 4 members are up"):
        asyncio.run(coordinator.annotate([Seed("s0", "Add 1 and 2.", "", "3", 1)], "seeds.jsonl"))
    assert coordinator.store.db["seeds"].count == 0  # not settled: a resume annotates it
