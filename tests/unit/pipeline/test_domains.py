"""Domains by embedding: seeds and generated instructions are labelled with the domain they are in."""

import asyncio
import json

import pytest

from runtime.pipeline import Coordinator, Team
from runtime.pipeline.domains import classify, labelled_tasks
from runtime.settings import SeedDomains, SynthConfig
from runtime.storage.funnel import funnel
from runtime.storage.seeds import Seed
from runtime.storage.store import Store
from tests.helpers.committee import FAIL, PASS
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.members import member

MATH_SEEDS = {
    "s1": "A train travels 120 km in 2 hours. What is its average speed?",
    "s2": "Solve for x: 3x + 4 = 19.",
}


@pytest.mark.parametrize(
    "task,domain",
    [
        (("Write a poem about the sea at night.", ""), "Creation"),
        (("Write a Python function that reverses a linked list.", ""), "Coding"),
        (("Translate the sentence into German.", "The weather is nice today."), "Language"),
        (("Solve for y: 5y - 7 = 18.", ""), "Math"),
        (("You are a pirate captain. Greet the new crew.", ""), "Role Play"),
    ],
)
def test_a_plain_task_lands_in_its_domain(task, domain):
    assert classify([task]) == [domain]


def test_every_domain_has_several_labelled_tasks():
    domains = [d for d, _ in labelled_tasks()]
    assert {d: domains.count(d) >= 4 for d in set(domains)} == {d: True for d in set(domains)}
    assert len(set(domains)) == 7


def make(tmp_path, fake, **config):
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    team = Team(lms, {n: "fake" for n in lms}, {"fake": 4})
    return Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig(**config))


@pytest.fixture
def fake():
    engine = FakeEngine([])
    yield engine
    engine.close()


def put_math_seeds(store):
    for sid, instruction in MATH_SEEDS.items():
        store.put_seed(
            {"id": sid, "source": "x", "line": 1, "instruction": instruction, "input": "", "output": "ok"}
            | {"domain": "Math", "keywords": json.dumps(["speed"]), "summary": "a math task", "status": "annotated"}
        )


def generate(fake, instruction):
    """Keywords and the instruction, then a reviewer's checks with a 0 (so no response is written and no other
    reviewer called)."""
    fake.script = [
        (json.dumps({"keywords": ["autumn", "leaves"]}), "stop"),
        (json.dumps({"instruction": instruction, "input": ""}), "stop"),
        *[(answer, "stop") for answer in (PASS, FAIL, PASS)],
    ]


@pytest.mark.parametrize("check,label", [(True, "Creation"), (False, "Math")])
def test_an_instruction_written_in_another_domain_takes_that_domains_label(tmp_path, fake, check, label):
    c = make(tmp_path, fake, domain_check=check)
    put_math_seeds(c.store)
    generate(fake, "Write a short poem about autumn leaves falling in the wind.")

    asyncio.run(c.sampler.run(1, 0, c.store.example_pool()))

    sample = c.store.sample("r1-00000")
    assert (sample["requested_domain"], sample["domain"]) == ("Math", label)
    assert len(fake.requests) == 2 + 3  # the domain check adds no model call
    assert funnel(c.store).relabelled == (1 if check else 0)


@pytest.mark.parametrize("source,domain", [(SeedDomains.EMBEDDING, "Creation"), (SeedDomains.MODEL, "Coding")])
def test_a_seeds_domain_is_the_nearest_labelled_one_unless_the_model_is_asked(tmp_path, fake, source, domain):
    c = make(tmp_path, fake, seed_domains=source)
    fake.script = [(json.dumps({"keywords": ["sea"], "summary": "A poem about the sea.", "domain": "Coding"}), "stop")]
    seed = Seed(id="p1", line=1, instruction="Write a poem about the sea at night.", input="", output="The tide...")

    asyncio.run(c.annotate([seed], "poems.jsonl"))

    row = c.store.db["seeds"].get("p1")
    assert (row["domain"], row["model_domain"]) == (domain, "Coding")
