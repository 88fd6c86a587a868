"""`gra curate` on the embedded engine: killed with SIGKILL twice, resumed, and every row judged exactly once."""

import json
import os
import signal

import pytest

from runtime.storage.store import TERMINAL, Store
from tests.helpers.gra_cli import gra
from tests.helpers.kills import calls_recorded, calls_sent_twice, children, start, wait_for_calls, wait_gone

pytestmark = pytest.mark.engine

ARGS = ["--pool", "tiny", "--seed", "3"]


@pytest.fixture(scope="module")
def curated(small_seeds, tmp_path_factory):
    out = tmp_path_factory.mktemp("curate") / "out"
    out.mkdir()
    db = out / "gra.db"
    kills = []
    for step in (9, 15):
        proc = start("curate", "--data", small_seeds, "--out", out, *ARGS, log=out.parent / "stderr.log")
        if not wait_for_calls(proc, db, calls_recorded(db) + step):
            assert proc.returncode == 0, (out.parent / "stderr.log").read_text()[-3000:]
            break
        engines = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills.append(calls_recorded(db))
        wait_gone(engines)
    final = gra("curate", "--data", small_seeds, "--out", out, *ARGS)
    assert final.returncode == 0, final.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "curated.jsonl").read_text().splitlines()]
    return small_seeds, out, Store(db), rows, kills, final.stderr


def test_the_curation_was_really_killed_and_resumed(curated):
    *_, kills, log = curated
    assert len(kills) == 2, kills
    assert "resuming in" in log


def test_every_row_comes_back_once_in_input_order(curated):
    data, _, store, rows, *_ = curated
    given = [json.loads(line) for line in data.read_text().splitlines()]
    assert [r["instruction"] for r in rows] == [g["instruction"] for g in given]
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["status"] in TERMINAL for r in rows)
    assert {s["status"] for s in store.samples()} <= set(TERMINAL) and store.db["samples"].count == len(rows)


def test_no_row_was_judged_twice(curated):
    _, _, store, rows, *_ = curated
    per = store.db.execute("select sample_id, kind, reviewer, count(*) from reviews group by 1, 2, 3").fetchall()
    assert all(n == 1 for *_, n in per)
    assert all(n == 1 for _, n in store.db.execute("select sample_id, count(*) from adjudications group by 1"))
    assert calls_sent_twice(store) == []


def test_accepted_jsonl_is_the_accepted_rows(curated):
    _, out, _, rows, *_ = curated
    accepted = [json.loads(line)["id"] for line in (out / "accepted.jsonl").read_text().splitlines()]
    assert accepted == [r["id"] for r in rows if r["status"] == "accepted"]
