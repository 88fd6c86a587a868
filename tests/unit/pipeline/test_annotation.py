"""Seeds that carry their annotation are taken as they are; a run can be answered from another run."""

import asyncio
import io
import json

from rich.console import Console

from runtime.pipeline import Coordinator, Team
from runtime.pipeline.dedup import DedupIndex
from runtime.settings import SynthConfig
from runtime.storage.seeds import load_seeds
from runtime.storage.store import Store
from tests.helpers.committee import Committee
from tests.helpers.members import member

ANNOTATED = {
    "id": "ex-01",
    "instruction": "Add 2 and 3.",
    "input": "",
    "output": "5",
    "domain": "Math",
    "keywords": ["addition"],
    "summary": "Add two small numbers.",
    "status": "annotated",
}


def coordinator(tmp_path, fake):
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    team = Team(lms, dict.fromkeys(lms, "fake"), {"fake": 4})
    c = Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig(), Console(file=io.StringIO()))
    c.index.index = DedupIndex()
    return c


def test_an_annotated_seed_line_is_taken_as_it_is_without_a_call(tmp_path, committee_engine, monkeypatch):
    import runtime.pipeline.run_index as run_index_module

    monkeypatch.setattr(run_index_module, "embed", lambda texts: __import__("numpy").eye(len(texts), 384))
    path = tmp_path / "seeds.annotated.jsonl"
    bare = {"id": "ex-02", "instruction": "Name a colour.", "input": "", "output": "Red"}
    path.write_text(json.dumps(ANNOTATED) + "\n" + json.dumps(bare) + "\n")
    committee_engine.respond = lambda body: (
        json.dumps({"keywords": ["colour"], "summary": "Name a colour.", "domain": "QA"}),
        "stop",
    )
    c = coordinator(tmp_path, committee_engine)

    asyncio.run(c.annotate(load_seeds(path), str(path)))

    seeds = {s["id"]: s for s in c.store.seeds()}
    assert seeds["ex-01"]["annotator"] is None and json.loads(seeds["ex-01"]["keywords"]) == ["addition"]
    assert seeds["ex-01"]["summary"] == "Add two small numbers." and seeds["ex-01"]["domain"] == "Math"
    assert [r["model"] for r in committee_engine.requests] == [committee_engine.requests[0]["model"]]  # ex-02 only
    assert seeds["ex-02"]["status"] == "annotated" and seeds["ex-02"]["annotator"] is not None


def one_sample_twice(tmp_path, engine, respond):
    """One sample made by a run the engine answers with ``respond``, then by a run answered from that one.

    Returns both runs' stores and whether the second asked the engine anything.
    """
    stores, asked = [], None
    for out in (tmp_path / "first", tmp_path / "second"):
        out.mkdir()
        c = coordinator(out, engine)
        c.store.put_seed(
            {"id": "s1", "source": "x", "line": 1, "instruction": "Spell dog backwards.", "input": "", "output": "god"}
            | {"domain": "Language", "keywords": json.dumps(["spelling"]), "summary": "spell", "status": "annotated"}
        )
        if stores:
            c.members.answer_from(stores[0])
            engine.respond, asked = (lambda body: ("the engine must not be asked", "stop")), len(engine.requests)
        else:
            engine.respond = respond
        asyncio.run(c.sampler.run(1, 0, c.store.example_pool()))
        stores.append(c.store)
    return stores, len(engine.requests) > asked


def test_a_run_answered_from_another_makes_the_same_sample_without_a_call(tmp_path, committee_engine):
    (first, second), asked = one_sample_twice(tmp_path, committee_engine, Committee())
    assert not asked
    a, b = first.sample("r1-00000"), second.sample("r1-00000")
    assert (a["status"], a["instruction"], a["output"], a["mean"]) == (
        b["status"],
        b["instruction"],
        b["output"],
        b["mean"],
    )
    assert second.db["lm_calls"].count == first.db["lm_calls"].count


def test_an_engine_error_in_the_run_answered_from_is_met_again_so_the_retry_and_the_texts_are_the_same(
    tmp_path, committee_engine
):
    committee, fails = Committee(), [("HTTP", 503)]  # the very first request: a 503, as a closed connection would
    (first, second), asked = one_sample_twice(
        tmp_path, committee_engine, lambda body: fails.pop() if fails else committee(body)
    )
    assert not asked  # not even the retry after the engine error
    statuses = [[r["parse_status"] for r in s.db["lm_calls"].rows] for s in (first, second)]
    assert statuses[0][0] == "engine_error" and statuses[1] == statuses[0]
    a, b = first.sample("r1-00000"), second.sample("r1-00000")
    assert (a["status"], a["instruction"], a["output"]) == (b["status"], b["instruction"], b["output"])


def test_the_engines_annotate_while_the_seed_domains_are_still_being_classified(
    tmp_path, committee_engine, monkeypatch
):
    import threading

    import numpy as np

    import runtime.pipeline.annotation as annotation_module
    import runtime.pipeline.run_index as run_index_module

    monkeypatch.setattr(run_index_module, "embed", lambda texts: np.eye(len(texts), 384))
    asked = threading.Event()
    saw_a_call_first = []

    def slow_classify(tasks):  # the embedder still loading: done only once an engine was asked
        saw_a_call_first.append(asked.wait(timeout=10))
        return ["Math"] * len(tasks)

    def respond(body):
        asked.set()
        return json.dumps({"keywords": ["colour"], "summary": "Name a colour.", "domain": "QA"}), "stop"

    monkeypatch.setattr(annotation_module, "classify", slow_classify)
    committee_engine.respond = respond
    path = tmp_path / "seeds.jsonl"
    path.write_text(json.dumps({"id": "ex-02", "instruction": "Name a colour.", "input": "", "output": "Red"}) + "\n")
    c = coordinator(tmp_path, committee_engine)

    asyncio.run(c.annotate(load_seeds(path), str(path)))

    (seed,) = c.store.seeds()
    assert saw_a_call_first == [True]
    assert seed["domain"] == "Math" and seed["model_domain"] == "QA"  # the row waited for the classifier
