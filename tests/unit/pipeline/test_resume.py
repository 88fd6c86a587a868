"""Resuming a run: finished calls are served from the database, and a changed experiment is refused."""

import asyncio
import json

import dspy
import pytest
from typer.testing import CliRunner

from runtime.calls.prompt_digest import prompt_digest
from runtime.cli import app
from runtime.config import Retry, load_pool
from runtime.fingerprint import fingerprint
from runtime.pipeline import Coordinator, RoleFailed, Team
from runtime.settings import SynthConfig
from runtime.storage.store import Store
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.members import NO_WAIT, VALID, ThreeChecks, member


@pytest.fixture
def fake():
    engine = FakeEngine([])
    yield engine
    engine.close()


def coordinator(fake, tmp_path, retry=NO_WAIT):
    """A coordinator over five members of one scripted engine; a new one on the same directory is a resume."""
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    team = Team(lms, {n: "fake" for n in lms}, {"fake": 4}, retry=retry)
    return Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig())


def check(c, sample_id="r1-00000", member_name="m0"):
    """One reviewer call of one answer (three 0/1 fields), through the coordinator: its three values."""
    checks = dspy.Predict(ThreeChecks)

    async def go():
        return await c.members.call(
            "reviewer", member_name, lambda: checks.acall(instruction="Add 2 and 3.", input=""), sample_id=sample_id
        )

    r = asyncio.run(go())
    return [r.reasonable, r.complete, r.clear]


def test_a_finished_call_is_served_from_the_database_not_resent(fake, tmp_path):
    fake.script = [(VALID, "stop")]
    first = check(coordinator(fake, tmp_path))
    resumed = coordinator(fake, tmp_path)
    again = check(resumed)
    assert again == first == [1, 1, 1]
    assert len(fake.requests) == 1 and resumed.members.replayed == 1
    assert resumed.store.db["lm_calls"].count == 1  # counted once


def test_a_retried_call_replays_every_attempt_in_order(fake, tmp_path):
    fake.script = [("Sure, looks fine.", "stop"), (VALID, "stop")]
    check(coordinator(fake, tmp_path))
    resumed = coordinator(fake, tmp_path)
    assert check(resumed) == [1, 1, 1]
    assert len(fake.requests) == 2 and resumed.members.replayed == 2
    statuses = [r["parse_status"] for r in resumed.store.db["lm_calls"].rows_where(order_by="id")]
    assert statuses == ["invalid", "ok"]


def test_an_engine_error_is_not_an_answer_so_it_is_sent_again(fake, tmp_path):
    fake.script = [("HTTP", 503)]
    with pytest.raises(RoleFailed):
        check(coordinator(fake, tmp_path, Retry(engine_error=0, backoff_s=0.0)))
    fake.script = [(VALID, "stop")]
    resumed = coordinator(fake, tmp_path)
    assert check(resumed) == [1, 1, 1]
    assert len(fake.requests) == 2 and resumed.members.replayed == 0


def test_the_cache_never_crosses_samples_or_members(fake, tmp_path):
    fake.script = [(VALID, "stop")] * 3
    check(coordinator(fake, tmp_path))
    resumed = coordinator(fake, tmp_path)
    check(resumed, sample_id="r1-00001")
    check(resumed, member_name="m1")
    assert len(fake.requests) == 3 and resumed.members.replayed == 0


# -- the fingerprint ----------------------------------------------------------------------------
def start_run(tmp_path, gra_prompts: str) -> tuple:
    """A run directory whose database was started with the defaults, the cpu pool, a one-line seed file and a gra
    whose own prompts hashed to ``gra_prompts``."""
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"instruction": "Add 2 and 3.", "input": "", "output": "5"}\n')
    out = tmp_path / "run"
    out.mkdir()
    pool, _ = load_pool("cpu")
    config = SynthConfig(per_round=10)
    store = Store(out / "gra.db")
    store.start_run(0, {}, fingerprint(config, pool, seeds, gra_prompts=gra_prompts))
    store.db.close()
    return seeds, out


@pytest.fixture
def started_run(tmp_path):
    """A run started by this gra."""
    return start_run(tmp_path, prompt_digest())


def listing(out):
    """The run directory's files and the database's content (SQLite's own -wal/-shm files aside: readers make them)."""
    files = sorted(p.name for p in out.iterdir() if not p.name.endswith(("-wal", "-shm")))
    return files, list(Store(out / "gra.db").db.conn.iterdump())


@pytest.mark.parametrize(
    "args,changed",
    [
        (["--tau", "7"], "run settings"),
        (["--per-round", "3"], "run settings"),
        (["--seed", "1"], "run settings"),
        (["--pool", "EDITED"], "another pool"),
        (["--seeds", "EDITED"], "seed file"),
    ],
)
def test_resuming_a_changed_experiment_is_refused(started_run, tmp_path, args, changed):
    seeds, out = started_run
    if "EDITED" in args:  # the same pool/seed file, edited after the run started
        if args[0] == "--pool":
            edited = tmp_path / "pool.toml"
            edited.write_text(load_pool("cpu")[1].read_text().replace("temperature = 0.2", "temperature = 0.3"))
        else:
            edited = seeds
            seeds.write_text(seeds.read_text() + '{"instruction": "Add 3 and 4.", "input": "", "output": "7"}\n')
        args = [args[0], str(edited)]
    before = listing(out)
    argv = ["synth", "--seeds", str(seeds), "--out", str(out), *args]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert changed in line and "--fresh" in line and "--allow-changed-config" in line and str(out) in line
    assert listing(out) == before  # nothing written


def test_a_run_started_before_an_upgrade_that_changed_gras_own_prompts_is_refused(tmp_path):
    seeds, out = start_run(tmp_path, gra_prompts="0123456789abcdef")
    before = listing(out)
    result = CliRunner().invoke(app, ["synth", "--seeds", str(seeds), "--out", str(out), "--per-round", "10"])
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert "gra's own prompts" in line and "run settings" not in line and "--fresh" in line
    assert listing(out) == before


def test_extending_the_number_of_rounds_is_not_a_change(started_run):
    seeds, out = started_run
    pool, _ = load_pool("cpu")
    before = Store(out / "gra.db").first_fingerprint()
    assert fingerprint(SynthConfig(rounds=5, concurrency=3), pool, seeds, gra_prompts=prompt_digest()) == before


def test_the_fingerprint_is_stored_with_the_run(started_run):
    _, out = started_run
    row = next(Store(out / "gra.db").db["runs"].rows)
    assert set(json.loads(row["fingerprint"])) == {"settings", "pool", "seeds", "gra_prompts"}


# -- engines that die under a running coordinator -------------------------------------------------
def test_a_call_waits_for_a_restarting_engine_then_goes_through(fake, tmp_path):
    fake.script = [("HTTP", 503), (VALID, "stop")]
    states = iter(["restarting", "restarting", "up"])
    c = coordinator(fake, tmp_path, Retry(engine_error=0, backoff_s=0.0))
    c.team.health = lambda engine: next(states, "up")
    assert check(c) == [1, 1, 1]
    statuses = [r["parse_status"] for r in c.store.db["lm_calls"].rows_where(order_by="id")]
    assert statuses == ["engine_error", "ok"]  # the failed call is on record too


def test_an_engine_error_from_a_healthy_engine_fails_the_call(fake, tmp_path):
    fake.script = [("HTTP", 503), (VALID, "stop")]
    c = coordinator(fake, tmp_path, Retry(engine_error=0, backoff_s=0.0))
    c.team.health = lambda engine: "up"
    with pytest.raises(RoleFailed):
        check(c)
    assert len(fake.requests) == 1


def test_roles_are_drawn_from_the_members_still_up_or_the_run_stops(fake, tmp_path):
    from runtime.pipeline import MembersDown

    c = coordinator(fake, tmp_path)
    assert c.members.drawable() == ["m0", "m1", "m2", "m3", "m4"]
    c.team.engine_of = {"m0": "a", "m1": "a", "m2": "b", "m3": "b", "m4": "c"}
    c.team.health = lambda engine: "failed" if engine == "c" else "up"
    with pytest.raises(MembersDown, match=r"only 4 of 5 members are up \(m4.*the roles need 5.*resume"):
        c.members.drawable()
    c.config.n_reviewers = 2
    assert c.members.drawable() == ["m0", "m1", "m2", "m3"]
