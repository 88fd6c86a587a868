"""Each stage of the loop against the real embedded engine, driven from Python."""

import asyncio
import json
import os
import re
import time

import pytest

from gra_agents import Adjudicator, Reviewer, SeedAnnotator
from runtime.calls.repetition import DegenerateOutput
from runtime.config import load_pool
from runtime.engines.supervisor import Supervisor
from runtime.pipeline import Coordinator, Team
from runtime.settings import SynthConfig
from runtime.storage.store import Store

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="module")
def team(logs):
    pool, _ = load_pool("tiny")  # the stages' plumbing, on the fastest pool
    with Supervisor(pool, log_dir=logs) as sup:
        yield Team.from_pool(pool, sup.endpoints)


@pytest.fixture
def coordinator(team, tmp_path):
    return Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig(seed=3))


TASKS = [
    ("Write a Python function that checks whether a number is prime.", ""),
    ("What is the boiling point of water at sea level in Celsius?", ""),
    ("Rewrite the sentence in the past tense.", "She walks to school every day."),
    ("Write a limerick about a cat who loves the rain.", ""),
]


def test_constrained_answers_always_validate(coordinator, team):
    """Every structured call of every role, on both models, comes back valid (ok or repaired)."""

    async def calls():
        jobs = []
        for i, (instruction, inp) in enumerate(TASKS):
            for member in team.names:
                jobs.append(
                    coordinator.members.call(
                        "annotator",
                        member,
                        lambda ins=instruction, inp=inp: SeedAnnotator().acall(
                            instruction=ins, input=inp, output="(reference answer)"
                        ),
                        seed_id=f"t{i}",
                    )
                )
                jobs.append(
                    coordinator.members.call(
                        "reviewer",
                        member,
                        lambda ins=instruction, inp=inp: Reviewer().checks.acall(ins, inp),
                        sample_id=f"t{i}",
                    )
                )
                jobs.append(
                    coordinator.members.call(
                        "reviewer",
                        member,
                        lambda ins=instruction, inp=inp: Reviewer().scores.acall(ins, inp, "Here is my answer."),
                        sample_id=f"t{i}",
                    )
                )
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = asyncio.run(calls())
    statuses = coordinator.store.parse_status_counts()
    statuses.pop("engine_error", None)  # a transport failure is not an answer: the call was sent again
    assert len(results) == len(TASKS) * len(team.names) * 3
    # one call for the annotation and one for the sheet; the checks ask one question each, three calls
    assert sum(statuses.values()) == len(TASKS) * len(team.names) * (1 + 3 + 1)
    assert set(statuses) <= {"ok", "repaired"}, statuses
    for r in results:
        assert not isinstance(r, Exception)


def test_adjudicator_rescoring_returns_six_scores_in_range(coordinator, team):
    member = team.names[-1]
    result = asyncio.run(
        coordinator.members.call(
            "adjudicator",
            member,
            lambda: Adjudicator().acall(
                instruction="Add 2 and 3.",
                input="",
                response="2 + 3 = 5.",
                scores=[[10] * 6, [2] * 6],
                reviews=["Correct.", "Wrong."],
            ),
            sample_id="adj",
        )
    )
    assert len(result.scores) == 6 and all(1 <= s <= 10 for s in result.scores)
    (call,) = coordinator.store.db["lm_calls"].rows
    assert (call["role"], call["member"], call["signature"]) == ("adjudicator", member, "Adjudicate")


def passed(store, sid, instruction, mean):
    store.new_sample(
        {
            "id": sid,
            "round": 1,
            "ordinal": 0,
            "status": "passed",
            "domain": "Coding",
            "examples": "[]",
            "generator": "g",
            "reviewers": "[]",
            "adjudicator": "a",
            "keywords": json.dumps(["k"]),
            "instruction": instruction,
            "input": "",
            "output": "x",
            "mean": mean,
            "std": 0.0,
        }
    )


def test_dedup_keeps_the_higher_mean_twin_then_summaries_join_the_pool(coordinator):
    store = coordinator.store
    passed(store, "low", "Write a Python function that returns the factorial of an integer.", 8.2)
    passed(store, "high", "Write a Python function that returns the factorial of a number.", 9.4)
    passed(store, "other", "Name three rivers that flow through Europe.", 8.6)
    coordinator.index.dedup_round(1, coordinator.config.dedup_threshold)
    status = {s["id"]: s for s in store.samples()}
    assert status["high"]["status"] == "accepted" and status["other"]["status"] == "accepted"
    assert status["low"]["status"] == "duplicate" and status["low"]["duplicate_of"] == "sample:high"
    assert status["low"]["similarity"] >= 0.9
    asyncio.run(coordinator.summarize_round(1))
    kept = store.samples("status = 'accepted'")
    assert all(s["summarizer"] for s in kept)
    summaries = [s for s in kept if s["summary"]]
    calls = list(store.db["lm_calls"].rows_where("role = 'summarizer'"))
    assert len(calls) == 2
    assert len(summaries) == sum(c["parse_status"] in ("ok", "repaired") for c in calls)
    pool = coordinator.store.example_pool()
    assert sum(len(v) for v in pool.values()) == len(summaries)  # no seeds here: only the summarized samples
    data = (coordinator.write_data()).read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in data) == ["high", "other"]


# A grammar that leaves the model no choice but a loop: 1,200 zeros in a JSON array, about 2,400 tokens.
ZEROS = {
    "type": "json_schema",
    "json_schema": {
        "name": "Zeros",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"zeros": {"type": "array", "items": {"const": 0}, "minItems": 1200, "maxItems": 1200}},
            "required": ["zeros"],
            "additionalProperties": False,
        },
    },
}


def _wait_for_release(log, cancels: int, deadline: float) -> int | None:
    """The token count of the slot freed after cancel number ``cancels + 1``, once both lines are logged."""
    while True:
        text = log.read_text()
        if text.count("cancel task") == cancels + 1:
            freed = re.search(r"stop processing: n_tokens = (\d+)", text.split("cancel task")[-1])
            if freed:
                return int(freed.group(1))
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def test_a_loop_is_stopped_on_the_engine_itself(team, logs):
    """The member's guard hangs up inside the loop, and llama-server stops decoding that request there."""
    member = next(n for n in team.names if team.engine_of[n] == "smollm2")
    lm = team.lms[member]
    log = logs / "engine-smollm2.log"
    cancels = log.read_text().count("cancel task")
    with pytest.raises(DegenerateOutput) as info:
        asyncio.run(lm.acall(messages=[{"role": "user", "content": "List zeros."}], response_format=ZEROS))
    assert "repeated over" in str(info.value)
    assert info.value.pieces < 300  # of about 2,400 the grammar asks for
    # the server notices the closed connection at its next write, logs the cancel, then frees the slot
    released = _wait_for_release(log, cancels, deadline=time.monotonic() + 10)
    # the cancelled slot held the prompt and what had been decoded: hundreds of tokens, not thousands
    assert released is not None and released < 600
    again = asyncio.run(lm.acall(messages=[{"role": "user", "content": "Say hello."}], max_tokens=16))
    assert again and again[0]  # the engine is free and answers the next request


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: engines share it and nothing is placed")
def test_the_coordinator_knows_each_local_engines_own_cores(team):
    """It needs them to run beside the engine with the most slack (runtime.engines.placement)."""
    assert set(team.cpus) == {"smollm2", "gemma3"}
    assert not team.cpus["smollm2"] & team.cpus["gemma3"]
