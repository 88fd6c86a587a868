"""`gra optimize` on the embedded engine: each optimizer that needs no teacher compiles a real reviewer into a pack."""

import json

import pytest

from runtime.pipeline.programs import load_pack
from runtime.storage.pack import read_pack
from runtime.storage.store import Store
from tests.helpers.gra_cli import gra

pytestmark = pytest.mark.engine

ROWS = [
    ("What is 12 + 30?", "12 + 30 = 42", True),
    ("What is 12 + 30?", "12 + 30 = 52", False),
    ("A pen costs $3. How much do 4 pens cost?", "4 × $3 = $12", True),
    ("A pen costs $3. How much do 4 pens cost?", "4 × $3 = $15", False),
    ("Name the capital of France.", "Paris", True),
    ("Name the capital of France.", "Berlin is a large city in Germany.", False),
    ("Reverse the word 'stop'.", "pots", True),
    ("Reverse the word 'stop'.", "spot", False),
]


@pytest.fixture(scope="module")
def train(tmp_path_factory):
    path = tmp_path_factory.mktemp("optimize") / "judge.jsonl"
    rows = [
        {"id": f"r{i}", "instruction": q, "input": "", "output": a, "correct": c} for i, (q, a, c) in enumerate(ROWS)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("optimizer", ["bootstrap", "bootstrap-rs", "labeled"])
def test_each_optimizer_without_a_teacher_compiles_a_reviewer_on_the_embedded_engine(train, tmp_path, optimizer):
    pack = tmp_path / "pack"
    args = ["--role", "reviewer", "--train", train, "--out", pack, "--pool", "tiny", "--member", "smollm2-a"]
    result = gra("optimize", *args, "--optimizer", optimizer, "--val-share", "0.5", "--budget", "16")
    assert result.returncode == 0, result.stderr[-3000:]

    (program,) = read_pack(pack).programs
    assert (program.role, program.model, program.optimizer) == ("reviewer", "smollm2-135m-instruct", optimizer)
    assert program.val.rows == 4 and program.train.rows == 4
    assert 0.0 <= program.before <= 1.0 and 0.0 <= program.after <= 1.0
    calls = Store(pack / "gra.db").db.execute("select program, member, parse_status from lm_calls").fetchall()
    assert {m for _, m, _ in calls} == {"smollm2-a"} and len(calls) == program.calls
    phases = {p.rsplit(":", 1)[1] for p, _, _ in calls}
    # random search scores its candidates on val while compiling: the final scoring repeats those requests, replayed
    assert "before" in phases and phases <= {"before", "compile", "after"}
    reviewer = load_pack(pack)["smollm2-135m-instruct"]["reviewer"]
    assert len(reviewer.scores.score_response.demos) <= 3
    assert "reviewer" in result.stderr and "before" in result.stderr
