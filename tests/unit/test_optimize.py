"""`gra optimize` end to end on stand-in engines: every optimizer, the pack it writes, its calls and its errors."""

import json

import pytest
from typer.testing import CliRunner

from runtime.cli import app
from runtime.optimize import OptimizeRequest, optimize
from runtime.pipeline.programs import load_pack
from runtime.storage.pack import read_pack
from runtime.storage.store import Store
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.stand_in_pool import judge_rows, write_jsonl

runner = CliRunner()


@pytest.fixture
def pool(stand_in_pool):
    return stand_in_pool


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
    demos = load_pack(pack_dir)["model0"]["reviewer"].scores.score_response.demos
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
        app,
        ["optimize", "--role", "reviewer", "--train", str(train), "--out", str(tmp_path / "p"), "--pool", str(pool)],
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


class Teacher:
    """A scripted proposer: a schema-bound request gets every field filled; a plain one an instruction in a fence."""

    INSTRUCTION = "Score a response whose final result is wrong low on correctness."

    def __call__(self, body):
        fmt = body.get("response_format") or {}
        if "json_schema" in fmt:
            props = fmt["json_schema"]["schema"]["properties"]
            return json.dumps({k: self.value(v) for k, v in props.items()}), "stop"
        return f"```\n{self.INSTRUCTION}\n```", "stop"

    def value(self, spec):
        if "enum" in spec:
            return spec["enum"][0]
        return {"integer": 1, "number": 1.0, "array": [], "boolean": True}.get(spec.get("type"), self.INSTRUCTION)


@pytest.fixture
def teacher():
    engine = FakeEngine([])
    engine.respond = Teacher()
    yield engine
    engine.close()


@pytest.mark.parametrize("optimizer", ["mipro", "gepa"])
def test_teacher_optimizers_propose_through_an_openai_compatible_endpoint(tmp_path, pool, teacher, optimizer):
    rows = judge_rows(16)
    for r in rows[1:6:2]:  # wrong answers the stand-in judges miss: something for the proposer to fix
        r["output"] = r["output"].replace(" WRONG", "")
    train = write_jsonl(tmp_path / "train.jsonl", rows)

    request = OptimizeRequest(
        "reviewer",
        train,
        tmp_path / "pack",
        pool=str(pool),
        optimizer=optimizer,
        member="m0",
        budget=40,
        teacher=teacher.base_url,
    )
    optimize(request)

    (program,) = read_pack(tmp_path / "pack").programs
    assert program.optimizer == optimizer and program.before is not None and program.after is not None
    assert teacher.requests, "the teacher was never asked"
    assert all(r["model"] == "default" for r in teacher.requests)


def test_the_annotator_is_compiled_for_domain_accuracy_on_labelled_seeds(tmp_path, pool):
    rows = [{"instruction": f"Task {i}.", "output": "x", "domain": ("Math", "Coding")[i % 2]} for i in range(12)]
    optimize(
        OptimizeRequest(
            "annotator", write_jsonl(tmp_path / "s.jsonl", rows), tmp_path / "p", pool=str(pool), member="m1"
        )
    )

    (program,) = read_pack(tmp_path / "p").programs
    assert program.role == "annotator" and program.metric == "domain_accuracy"
    assert program.before == 0.5  # the stand-in calls everything Math; half the held-out rows are


def test_the_generator_is_compiled_on_annotated_seeds_scored_by_another_models_reviewer(tmp_path, pool):
    rows = [
        {
            "instruction": f"Reverse the word number {i}.",
            "output": "done",
            "domain": "Language",
            "keywords": ["reverse"],
            "summary": f"Reverse word {i}.",
        }
        for i in range(8)
    ]
    optimize(
        OptimizeRequest(
            "generator", write_jsonl(tmp_path / "s.jsonl", rows), tmp_path / "p", pool=str(pool), member="m0"
        )
    )

    (program,) = read_pack(tmp_path / "p").programs
    assert program.role == "generator" and program.metric == "verdict+distinct"
    calls = Store(tmp_path / "p" / "gra.db").db.execute("select role, member from lm_calls").fetchall()
    assert {m for r, m in calls if r == "generator"} == {"m0"}
    assert {m for r, m in calls if r == "reviewer"} == {"m1"}  # the judge runs the other model
