"""`gra optimize` end to end on stand-in engines: every optimizer, the pack it writes, its calls and its errors."""

import json

import pytest
from typer.testing import CliRunner

from runtime.cli import app
from runtime.optimize import OptimizeRequest, optimize
from runtime.storage.pack import load_pack, read_pack
from runtime.storage.store import Store
from tests.helpers.committee import Committee
from tests.helpers.fake_engine import FakeEngine

runner = CliRunner()


def judge_rows(n=12):
    """Half right, half wrong (the stand-in judges score a WRONG response 3, the rest 9)."""
    rows = []
    for i in range(n):
        right = i % 2 == 0
        out = f"{i} + 1 = {i + 1}" if right else f"{i} + 1 = {i + 7} WRONG"
        rows.append({"id": f"j{i}", "instruction": f"Add 1 to {i}.", "input": "", "output": out, "correct": right})
    return rows


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def engines():
    """Two stand-in engines (two models), answering as a scripted committee."""
    made = [FakeEngine([]) for _ in range(2)]
    for e in made:
        e.respond = Committee()
    yield made
    for e in made:
        e.close()


@pytest.fixture
def pool(tmp_path, engines):
    """A pool of two models on the stand-ins, two members each."""
    text = 'name = "stand-in"\n'
    for i, e in enumerate(engines):
        text += f'[engines.model{i}]\nkind = "endpoint"\nbase_url = "{e.base_url}"\n'
    for i in range(4):
        text += f'[[members]]\nname = "m{i}"\nengine = "model{i % 2}"\n'
    path = tmp_path / "pool.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("optimizer", ["bootstrap", "bootstrap-rs", "labeled"])
def test_each_optimizer_without_a_teacher_compiles_one_reviewer_per_model_into_a_pack(tmp_path, pool, optimizer):
    train = write_jsonl(tmp_path / "train.jsonl", judge_rows())
    pack_dir = tmp_path / "pack"

    optimize(OptimizeRequest("reviewer", train, pack_dir, pool=str(pool), optimizer=optimizer, budget=60))

    pack = read_pack(pack_dir)
    assert sorted(p.model for p in pack.programs) == ["model0", "model1"]
    for p in pack.programs:
        assert p.role == "reviewer" and p.optimizer == optimizer and p.before == 1.0 and p.after == 1.0
        assert p.train.rows + p.val.rows == 12 and p.train.sha256 == p.val.sha256
        assert p.calls > 0 and p.dspy_version
    demos = load_pack(pack_dir)["model0"]["reviewer"].score_response.demos
    assert len(demos) <= 3 and all(d.get("correctness") is not None for d in demos)
    if optimizer != "bootstrap-rs":  # random search may keep its zero-shot candidate when every candidate ties
        assert demos


def test_every_call_of_an_optimization_is_in_the_packs_database_with_its_program_and_phase(tmp_path, pool):
    train = write_jsonl(tmp_path / "train.jsonl", judge_rows())
    optimize(OptimizeRequest("reviewer", train, tmp_path / "pack", pool=str(pool)))

    rows = Store(tmp_path / "pack" / "gra.db").db.execute("select program, member, parse_status from lm_calls")
    programs = {}
    for program, member, status in rows:
        programs.setdefault(program, set()).add(member)
        assert status == "ok"
    assert set(programs) >= {f"reviewer/model{m}:{phase}" for m in (0, 1) for phase in ("before", "after")}
    assert programs["reviewer/model0:before"] == {"m0"} and programs["reviewer/model1:before"] == {"m1"}


def test_team_writes_each_members_reliability(tmp_path, pool):
    train = write_jsonl(tmp_path / "train.jsonl", judge_rows())
    optimize(OptimizeRequest("team", train, tmp_path / "pack", pool=str(pool), optimizer="labeled"))

    assert read_pack(tmp_path / "pack").reliability == {f"m{i}": 1.0 for i in range(4)}


def test_a_second_role_is_added_to_the_pack_and_the_same_key_replaced(tmp_path, pool):
    train = write_jsonl(tmp_path / "train.jsonl", judge_rows())
    pack_dir = tmp_path / "pack"
    optimize(OptimizeRequest("reviewer", train, pack_dir, pool=str(pool), optimizer="labeled", member="m0"))
    optimize(OptimizeRequest("reviewer", train, pack_dir, pool=str(pool), optimizer="bootstrap", member="m2"))

    (program,) = read_pack(pack_dir).programs
    assert program.model == "model0" and program.optimizer == "bootstrap"


@pytest.mark.parametrize(
    "rows,message",
    [
        ([{"instruction": "a", "output": "b"}], "field 'correct' must be true or false"),
        ([{"instruction": "a", "output": "b", "correct": "yes"}], "train.jsonl:1: field 'correct'"),
    ],
)
def test_unlabelled_rows_are_refused_in_one_line_before_anything_starts(tmp_path, pool, rows, message):
    train = write_jsonl(tmp_path / "train.jsonl", rows)
    result = runner.invoke(
        app, ["optimize", "--role", "reviewer", "--train", str(train), "--out", str(tmp_path / "p"), "--pool", str(pool)]
    )
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert not (tmp_path / "p").exists()


def test_mipro_without_a_teacher_says_what_it_needs(tmp_path, pool):
    train = write_jsonl(tmp_path / "train.jsonl", judge_rows())
    result = runner.invoke(
        app,
        ["optimize", "--role", "reviewer", "--train", str(train), "--out", str(tmp_path / "p"), "--optimizer", "mipro"],
    )
    assert result.exit_code == 2 and "needs --teacher" in result.output


def test_pack_show_prints_before_and_after(tmp_path, pool):
    train = write_jsonl(tmp_path / "train.jsonl", judge_rows())
    optimize(OptimizeRequest("team", train, tmp_path / "pack", pool=str(pool), optimizer="labeled", member="m1"))

    result = runner.invoke(app, ["pack", "show", str(tmp_path / "pack")], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "reviewer" in result.output and "model1" in result.output and "1.000" in result.output
    assert "reliability: m1 1.000, m3 1.000" in result.output
