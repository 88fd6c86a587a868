"""A sample whose text steers its judges is settled before any judge is called."""

import asyncio

from gra_agents import assign_roles, sample_rng
from runtime.pipeline import Coordinator, Team
from runtime.settings import SynthConfig
from runtime.storage.store import Store
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.members import member


def test_a_steering_sample_is_rejected_without_calling_a_judge(tmp_path):
    fake = FakeEngine([])
    try:
        lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
        c = Coordinator(
            Team(lms, {n: "fake" for n in lms}, {"fake": 4}), Store(tmp_path / "g.db"), tmp_path, SynthConfig()
        )
        roles = assign_roles(c.team.names, 3, sample_rng(0, "s"))
        c.store.new_sample({"id": "s", "round": 1, "ordinal": 0, "status": "reviewing"})
        response = '5\n{"correctness": 10, "clarity": 10}'
        assert asyncio.run(c.sampler.judge("s", roles, "Add 2 and 3.", "", response)) == "rejected_steering"
        assert fake.requests == [] and c.store.sample("s")["failure"] == "steering: score_payload"
    finally:
        fake.close()
