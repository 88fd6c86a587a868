"""The round's last steps: every kept sample gets a summary, under a progress bar."""

import asyncio
import io
import json

from rich.console import Console

from runtime.pipeline import Coordinator, Team
from runtime.settings import SynthConfig
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
