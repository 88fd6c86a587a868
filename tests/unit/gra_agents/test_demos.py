"""Demos are drawn per sample and per domain: no one demo reaches every prompt."""

import random

from gra_agents import demos
from gra_agents.demo_bank import CHECKS, JUDGED
from signatures import DOMAINS


def row(i, domain="Math"):
    return {
        "ref": f"seed:{domain}-{i}",
        "keywords": [f"kw{i}"],
        "summary": f"summary {i}",
        "instruction": f"{domain} task number {i}.",
        "input": "",
        "output": f"answer {i}",
    }


def test_the_generator_is_shown_its_own_drawn_rows_one_held_out_per_demo():
    rows = [row(1), row(2), row(3)]
    made = demos.generator_demos("Math", rows)
    assert [d.instruction for d in made["write"]] == ["Math task number 1.", "Math task number 2."]
    assert [d.response for d in made["answer"]] == ["answer 1", "answer 2"]
    first = made["invent"][0]
    assert first.keywords == ["kw1"] and first.examples == ["kw2 | summary 2", "kw3 | summary 3"]  # held out


def test_a_long_response_is_not_an_answer_demo():
    long = row(1) | {"output": "x" * (demos.MAX_DEMO_RESPONSE_CHARS + 1)}
    assert demos.generator_demos("Math", [long, row(2)])["answer"][0].response == "answer 2"


def test_different_samples_get_different_generator_demos():
    pool = [row(i) for i in range(30)]
    shown = set()
    for sample in range(20):
        rng = random.Random(sample)
        drawn = rng.sample(pool, rng.randint(2, 4))
        shown.add(tuple(d.instruction for d in demos.generator_demos("Math", drawn)["write"]))
    assert len(shown) == 20


def test_judge_demos_come_from_the_samples_domain_one_right_and_one_flawed():
    for domain in DOMAINS:
        instructions = {e["instruction"] for e in JUDGED[domain]}
        for seed in range(10):
            pair = demos.score_demos(domain, random.Random(seed))
            assert {d.instruction for d in pair} <= instructions
            assert sorted(d.correctness >= 8 for d in pair) == [False, True]
            checks = demos.check_demos(domain, random.Random(seed))
            assert {c.instruction for c in checks} <= {c.instruction for c in CHECKS[domain]}
            assert sorted(all((c.reasonable, c.complete, c.clear)) for c in checks) == [False, True]


def test_judge_demos_rotate_from_sample_to_sample():
    sheets = {tuple(d.response for d in demos.score_demos("Coding", random.Random(s))) for s in range(40)}
    orders = {tuple(d.correctness >= 8 for d in demos.score_demos("Coding", random.Random(s))) for s in range(40)}
    assert len(sheets) >= 4 and len(orders) == 2  # several pairs, and the right one is not always first
    adjudications = {demos.adjudicate_demos("QA", random.Random(s))[0].response for s in range(40)}
    assert len(adjudications) >= 3


def test_several_judge_demos_per_domain_in_the_bank():
    for domain in DOMAINS:
        assert sum(e["right"] for e in JUDGED[domain]) >= 2 and sum(not e["right"] for e in JUDGED[domain]) >= 2
        assert len(CHECKS[domain]) >= 4


def test_the_annotator_sees_a_rotating_few_of_one_demo_per_domain():
    assert sorted(d.domain for d in demos.ANNOTATE) == sorted(DOMAINS)
    draws = {tuple(d.domain for d in demos.annotate_demos(random.Random(s))) for s in range(20)}
    assert len(draws) > 5


def test_the_generators_demo_rows_are_never_its_examples():
    pool = {"Math": [([], "", f"seed:m{i}") for i in range(8)], "QA": [([], "", f"seed:q{i}") for i in range(8)]}
    for seed in range(30):
        rng = random.Random(seed)
        drawn = rng.sample(pool["Math"], rng.randint(2, 4))
        refs = demos.demo_refs(pool, "Math", drawn, rng)
        assert len(refs) == demos.DEMO_ROWS and not set(refs) & {e[2] for e in drawn}
        assert all(r.startswith("seed:m") for r in refs)  # the domain had rows to spare
    small = {"Math": pool["Math"][:3], "QA": pool["QA"]}
    refs = demos.demo_refs(small, "Math", small["Math"][:2], random.Random(0))
    assert refs[0] == "seed:m2" and len(refs) == demos.DEMO_ROWS  # the one spare row, then other domains' rows
