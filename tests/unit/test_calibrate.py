"""gra calibrate on stand-in judges: one member of each model probed on a training share, its fit in a pack."""

import json

import pytest
from typer.testing import CliRunner

from runtime.calibrate import calibrate, split
from runtime.cli import app
from runtime.settings import SynthConfig
from runtime.storage.pack import read_pack
from runtime.storage.store import Store
from tests.helpers.committee import Committee
from tests.helpers.fake_engine import FakeEngine, digit_logprobs
from tests.helpers.stand_in_pool import judge_rows, write_jsonl, write_pool

INSTRUCTIONS = [
    {"id": f"i{i}", "instruction": f"Add {i} and 1.", "input": "", "output": "x", "sound": i % 3 != 0}
    for i in range(12)
]


@pytest.fixture
def pool(tmp_path):
    """Two stand-ins answering as the scripted committee, with token probabilities: each digit 0.8, the next 0.2."""
    engines = [FakeEngine([]) for _ in range(2)]
    for e in engines:
        e.respond = Committee()
        e.logprobs = digit_logprobs(lambda d: {d: 0.8, str((int(d) + 1) % 10): 0.2})
    yield str(write_pool(tmp_path, engines))
    for e in engines:
        e.close()


@pytest.fixture
def labelled(tmp_path):
    return [
        write_jsonl(tmp_path / "answers.jsonl", judge_rows(12)),
        write_jsonl(tmp_path / "checks.jsonl", INSTRUCTIONS),
    ]


def test_the_split_keeps_each_labels_share_and_is_the_same_every_time(labelled):
    train, held = split(labelled[0], 0.5, seed=3)
    assert len(train) == len(held) == 6 and sum(r["correct"] for r in train) == 3
    assert split(labelled[0], 0.5, seed=3) == (train, held)
    assert not {r["id"] for r in train} & {r["id"] for r in held}


def test_each_member_gets_its_models_fit_from_one_probe_of_the_training_rows(tmp_path, pool, labelled):
    pack = tmp_path / "pack"
    fitted = calibrate(labelled, pack, pool, SynthConfig(verify="off"), out=tmp_path / "cal", share=0.5)
    assert set(fitted) == {"m0", "m1", "m2", "m3"}
    assert {c.fitted_on for c in fitted.values()} == {"m0", "m1"}  # the first member of each model
    c = read_pack(pack).spec.calibration["m2"]
    assert (c.model, c.fitted_on, c.check_rows, c.score_rows) == ("model0", "m0", 6, 6)
    m = read_pack(pack).calibration()["m2"]
    assert m.p_right(3.2) < 0.5 < m.p_right(9.2)  # WRONG rows got 3s, right ones 9s
    probed = Store(tmp_path / "cal" / "probe" / "gra.db")
    held = {r["id"] for path in labelled for r in split(path, 0.5, 0)[1]}
    assert not held & {s["id"] for s in probed.samples()}  # the held-out rows were never shown to anyone
    sheets = [r for r in probed.db["reviews"].rows if r["kind"] == "response"]
    assert len(sheets) == 2 * 6 and all(json.loads(r["read"]) for r in sheets)


def test_the_command_writes_the_pack_and_a_run_reads_it(tmp_path, pool, labelled):
    args = ["calibrate", "--pool", pool, "--out", str(tmp_path / "pack"), "--verify", "off"]
    result = CliRunner().invoke(app, [*args, *(x for p in labelled for x in ("--data", str(p)))])
    assert result.exit_code == 0, result.output
    assert set(read_pack(tmp_path / "pack").calibration()) == {"m0", "m1", "m2", "m3"}


def test_an_unlabelled_row_is_refused_in_one_line(tmp_path, pool):
    data = write_jsonl(tmp_path / "rows.jsonl", [{"instruction": "Add 1 and 1.", "output": "2"}])
    result = CliRunner().invoke(app, ["calibrate", "--pool", pool, "--out", str(tmp_path), "--data", str(data)])
    assert result.exit_code == 2 and "rows.jsonl:1: a labelled row needs 'sound' or 'correct'" in result.output
