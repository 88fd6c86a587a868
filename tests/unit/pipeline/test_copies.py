"""A generated instruction that repeats an example its generator was shown is a copy, settled before any judge."""

import asyncio
import json

import numpy as np
import pytest

import runtime.pipeline.copies as copies_module
from runtime.pipeline import Coordinator, Team
from runtime.settings import SynthConfig
from runtime.storage.funnel import funnel
from runtime.storage.store import Store
from tests.helpers.committee import FAIL, PASS
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.members import member

SEEDS = {
    "s1": "A train travels 120 km in 2 hours. What is its average speed?",
    "s2": "Solve for x: 3x + 4 = 19.",
}


def bag_of_words(texts):
    """A stand-in embedding: identical texts are identical vectors, unrelated ones nearly orthogonal."""
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().split():
            out[i, hash(word) % 512] += 1
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setattr(copies_module, "embed", bag_of_words)
    fake = FakeEngine([])
    store = Store(tmp_path / "gra.db")
    for sid, instruction in SEEDS.items():
        store.put_seed(
            {"id": sid, "source": "x", "line": 1, "instruction": instruction, "input": "", "output": "ok"}
            | {"domain": "Math", "keywords": json.dumps(["speed"]), "summary": "a math task", "status": "annotated"}
        )
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    coordinator = Coordinator(Team(lms, {n: "fake" for n in lms}, {"fake": 4}), store, tmp_path, SynthConfig())
    yield coordinator, fake
    fake.close()


def generator_replies(instruction):
    """The generator's keywords and instruction (its response is asked for only after the checks pass)."""
    return [
        (json.dumps({"keywords": ["a", "b", "c"]}), "stop"),
        (json.dumps({"instruction": instruction, "input": ""}), "stop"),
    ]


def test_a_copy_of_a_shown_example_is_a_duplicate_and_no_reviewer_is_called(run):
    coordinator, fake = run
    fake.script = generator_replies(SEEDS["s1"])
    pool = coordinator.store.example_pool()

    status = asyncio.run(coordinator.sampler.run(1, 0, pool))

    sample = coordinator.store.sample("r1-00000")
    assert status == "duplicate" and sample["status"] == "duplicate"
    assert sample["duplicate_of"] == "seed:s1" and sample["similarity"] == pytest.approx(1.0)
    assert sample["instruction"] == SEEDS["s1"]  # what it wrote is kept for inspection
    assert len(fake.requests) == 2  # keywords and instruction: no response is written for a copy, no judge called
    assert coordinator.store.db["reviews"].count == 0
    f = funnel(coordinator.store)
    assert (f.copies, f.duplicates, f.instruction_passed) == (1, 0, 0)


def test_a_new_instruction_goes_on_to_the_reviewers(run):
    coordinator, fake = run
    fake.script = generator_replies("A cyclist rides 45 km in 3 hours; find her mean speed in km per hour.")
    fake.script += [(answer, "stop") for answer in (PASS, FAIL, PASS)]  # the first reviewer's three checks

    status = asyncio.run(coordinator.sampler.run(1, 0, coordinator.store.example_pool()))

    assert status == "rejected_instruction"  # by the first reviewer's 0: no other reviewer, and no response
    assert len(fake.requests) == 2 + 3 and coordinator.store.db["reviews"].count == 1
    assert funnel(coordinator.store).copies == 0


def test_a_copy_does_not_count_as_passing_the_committee(run):
    coordinator, fake = run
    fake.script = generator_replies(SEEDS["s2"])
    asyncio.run(coordinator.sampler.run(1, 0, coordinator.store.example_pool()))
    assert coordinator.store.round_progress(1)["passed"] == 0


def test_a_shown_instruction_handed_back_with_a_made_up_input_is_still_a_copy(run):
    coordinator, fake = run
    fake.script = generator_replies(SEEDS["s2"])
    fake.script[1] = (json.dumps({"instruction": SEEDS["s2"], "input": "x = 5, y = 7, z = 11 and w = 13"}), "stop")
    assert asyncio.run(coordinator.sampler.run(1, 0, coordinator.store.example_pool())) == "duplicate"
