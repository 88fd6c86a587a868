"""kill -9, resume, repeat: a real run on the embedded engine loses nothing and counts nothing twice.

The coordinator is killed with SIGKILL at points drawn at random (measured in model calls
recorded, so they fall in seed annotation and in both rounds), once after one of its
engine processes was killed too. Each time ``gra synth`` is started again on the same
directory and resumes. After the last, uninterrupted start the run's invariants must hold.
"""

import json
import os
import random
import signal

import hnswlib
import pytest

from gra_agents import round_roles
from runtime.storage.store import TERMINAL, Store
from tests.helpers.gra_cli import gra
from tests.helpers.kills import calls_recorded, calls_sent_twice, children, start, wait_for_calls, wait_gone

pytestmark = pytest.mark.engine

SEED = 11
ARGS = ["--rounds", "2", "--per-round", "2", "--max-candidates", "5", "--tau", "1", "--delta", "0", "--seed", str(SEED)]
ARGS += ["--pool", "tiny"]  # resume is plumbing: the fastest pool kills and resumes most often in the time


@pytest.fixture(scope="module")
def killed_and_resumed(small_seeds, tmp_path_factory):
    out = tmp_path_factory.mktemp("soak") / "out"
    out.mkdir()
    db = out / "gra.db"
    rng = random.Random(2026)
    kills, starts = [], 1
    for i, step in enumerate([(2, 10), (8, 20), (4, 10), (4, 10)]):  # short steps: three kills fit in the shortest run
        target = calls_recorded(db) + rng.randint(*step)
        proc = start("synth", "--seeds", small_seeds, "--out", out, *ARGS, log=out.parent / "stderr.log")
        starts += 1
        if not wait_for_calls(proc, db, target):
            assert proc.returncode == 0, (out.parent / "stderr.log").read_text()[-3000:]
            break  # finished before this kill point
        engines = children(proc.pid)
        if i == 1 and engines:  # once: an engine dies under a running coordinator, which must carry on
            os.kill(engines[0], signal.SIGKILL)
            kills.append(("engine", calls_recorded(db)))
            carried_on = wait_for_calls(proc, db, calls_recorded(db) + 4, timeout=300)
            assert carried_on or proc.returncode == 0, (out.parent / "stderr.log").read_text()[-3000:]
            engines = children(proc.pid) + engines
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills.append(("coordinator", calls_recorded(db)))
        wait_gone(engines)
    final = gra("synth", "--seeds", small_seeds, "--out", out, *ARGS)
    assert final.returncode == 0, final.stderr[-3000:]
    return out, Store(db), kills, final.stderr, starts


def test_the_run_was_really_killed_and_resumed(killed_and_resumed):
    _, store, kills, log, starts = killed_and_resumed
    assert sum(kind == "coordinator" for kind, _ in kills) >= 3, kills
    assert "engine" in {kind for kind, _ in kills}, kills
    assert "resuming the run" in log
    assert store.db.execute("select count(*) from runs").fetchone()[0] == starts


def test_the_database_is_intact(killed_and_resumed):
    _, store, *_ = killed_and_resumed
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_every_candidate_has_exactly_one_terminal_status(killed_and_resumed):
    _, store, *_ = killed_and_resumed
    samples = store.samples()
    assert samples and {s["status"] for s in samples} <= set(TERMINAL)
    for round_ in (1, 2):
        ordinals = sorted(s["ordinal"] for s in samples if s["round"] == round_)
        assert ordinals == list(range(len(ordinals))) and len(ordinals) <= 5  # no gap, no double, within budget
    assert all(r["finished_at"] for r in store.db["rounds"].rows)


def test_no_sample_was_reviewed_twice(killed_and_resumed):
    _, store, *_ = killed_and_resumed
    per = store.db.execute("select sample_id, kind, count(*) from reviews group by 1, 2").fetchall()
    assert all(n <= 3 for _, _, n in per)
    adjudicated = store.db.execute("select sample_id, count(*) from adjudications group by 1").fetchall()
    assert all(n == 1 for _, n in adjudicated)


def test_finished_calls_were_not_sent_twice(killed_and_resumed):
    _, store, *_ = killed_and_resumed
    assert calls_sent_twice(store) == []


def test_data_jsonl_equals_the_accepted_rows(killed_and_resumed):
    out, store, *_ = killed_and_resumed
    ids = [json.loads(line)["id"] for line in (out / "data.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids))
    assert set(ids) == {s["id"] for s in store.samples("status = 'accepted'")}


def test_the_index_holds_exactly_the_databases_items(killed_and_resumed):
    out, store, *_ = killed_and_resumed
    index = hnswlib.Index(space="cosine", dim=384)
    index.load_index(str(out / "index" / "dedup.bin"))
    assert sorted(index.get_ids_list()) == [r[0] for r in store.db.execute("select label from index_items order by 1")]


def test_role_rules_hold_for_every_sample(killed_and_resumed):
    _, store, *_ = killed_and_resumed
    names = [m["name"] for m in store.db["members"].rows]
    for s in store.samples():
        reviewers = json.loads(s["reviewers"])
        drawn = round_roles(names, 3, SEED, s["round"], s["ordinal"])
        assert (drawn.generator, list(drawn.reviewers), drawn.adjudicator) == (
            s["generator"],
            reviewers,
            s["adjudicator"],
        )
        assert len({s["generator"], *reviewers, s["adjudicator"]}) == 5
        for c in store.db["lm_calls"].rows_where("sample_id = ? and role != 'summarizer'", [s["id"]]):
            allowed = {
                "generator": [s["generator"]],
                "reviewer": reviewers,
                "verifier": reviewers,  # each program is written by one of the sample's reviewers
                "adjudicator": [s["adjudicator"]],
            }
            assert c["member"] in allowed[c["role"]]
