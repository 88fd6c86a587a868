"""The round's last steps: every kept sample gets a summary, under a progress bar."""

import asyncio
import io
import json

from rich.console import Console

from runtime.pipeline import Coordinator, Team
from runtime.settings import SynthConfig
from runtime.storage.seeds import Seed
from runtime.storage.store import Store
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.members import NO_WAIT, member
from tests.helpers.run_dirs import make_run


def test_each_kept_sample_of_the_round_is_summarized_with_a_bar(tmp_path):
    run = make_run(tmp_path / "run")
    engine = FakeEngine([])
    engine.respond = lambda body: (json.dumps({"summary": "Explains a step."}), "stop")
    lms = {f"m{i}": member(engine, f"m{i}") for i in range(5)}
    screen = io.StringIO()
    coordinator = Coordinator(
        Team(lms, {n: "fake" for n in lms}, {"fake": 4}, retry=NO_WAIT),
        Store(run / "gra.db"),
        run,
        SynthConfig(),
        Console(file=screen, width=100),
    )
    try:
        asyncio.run(coordinator.summarize_round(1))
    finally:
        engine.close()
    summaries = {s["id"]: s["summary"] for s in Store(run / "gra.db").samples("round = 1 and status = 'accepted'")}
    assert summaries == {"r1-a": "Explains a step.", "r1-b": "Explains a step."}
    assert "round 1: summaries" in screen.getvalue() and "2/2" in screen.getvalue()


def test_each_sample_the_committee_passes_reaches_accepted_jsonl_as_it_is_decided(tmp_path):
    """Before dedup and summaries: a user sees the first rows while the round still runs."""
    from tests.helpers.committee import Committee

    engine = FakeEngine([])
    committee = Committee()

    def respond(body):
        if body["response_format"]["json_schema"]["name"] == "AnswerInstruction":
            return json.dumps({"response": "tac"}), "stop"  # an undisputed answer: every sheet gives 9
        return committee(body)

    engine.respond = respond
    lms = {f"m{i}": member(engine, f"m{i}") for i in range(5)}
    store = Store(tmp_path / "gra.db")
    config = SynthConfig(per_round=2, max_candidates=3)
    coordinator = Coordinator(Team(lms, {n: "fake" for n in lms}, {"fake": 4}, retry=NO_WAIT), store, tmp_path, config)
    seen_mid_round = []
    summarize = coordinator.summarize_round

    async def summarize_after_looking(round_):
        seen_mid_round.extend((tmp_path / "accepted.jsonl").read_text().splitlines())
        assert not (tmp_path / "data.jsonl").exists()  # data.jsonl comes at the round's end
        await summarize(round_)

    coordinator.summarize_round = summarize_after_looking
    try:
        asyncio.run(coordinator.annotate([Seed("s0", "Spell dog backwards.", "", "god", 1)], "seeds.jsonl"))
        asyncio.run(coordinator.run_round(1))
    finally:
        engine.close()
    rows = [json.loads(line) for line in seen_mid_round]
    passed = store.samples("status in ('accepted', 'duplicate') and mean is not null")
    assert len(rows) == len(passed) >= 2 and all(r["provisional"] for r in rows)
    assert {r["id"] for r in rows} == {s["id"] for s in passed} and rows[0]["instruction"]
    kept = (tmp_path / "data.jsonl").read_text().splitlines()
    assert len(kept) == 1  # the same instruction each time: dedup keeps one, accepted.jsonl had them all
