"""The verification stage on stand-in judges: programs written, run in the sandbox, stored, and a verdict that decides.

The stand-in verifiers write real programs, which run in the real sandbox; only the model
is scripted.
"""

import asyncio
import json

import pytest

from gra_agents import RoleAssignment
from runtime.pipeline import Members, Team
from runtime.pipeline.judges import Judges
from runtime.settings import SynthConfig
from runtime.storage.store import Store
from signatures import SCORE_DIMENSIONS
from tests.helpers.committee import PASS
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.members import member

ROLES = RoleAssignment(generator="g", reviewers=("r0", "r1", "r2"), adjudicator="a")
PRISM = "A box is 5 cm by 3 cm by 2 cm. What is its surface area in cm²?"
PRINT_62 = "l, w, h = 5, 3, 2\nprint(2 * (l * w + l * h + w * h))"
EVENS = "Write a Python function evens(xs) that keeps the even numbers.\n>>> evens([1, 2, 3, 4])\n[2, 4]"
REFERENCE = {
    "reference": "def evens(xs):\n    return [x for x in xs if x % 2 == 0]",
    "tests": ["evens([])", "evens([0, -2, 7])"],
}


@pytest.fixture(scope="module")
def engine():
    fake = FakeEngine([])
    yield fake
    fake.close()


def respond(programs):
    """Checks pass, sheets give 9; each verifier seat writes ``programs[i]`` (a program, or a reference dict)."""

    def answer(body):
        who, name = body["model"].removeprefix("gra-"), body["response_format"]["json_schema"]["name"]
        if name == "CheckInstruction":
            return PASS, "stop"
        if name == "WriteProgram":
            return json.dumps({"program": programs[int(who[1])]}), "stop"
        if name == "WriteReference":
            return json.dumps(programs[int(who[1])]), "stop"
        return json.dumps(dict.fromkeys(SCORE_DIMENSIONS, 9) | {"review": "fine"}), "stop"

    return answer


def judge(engine, tmp_path, programs, instruction, response, domain, **config):
    engine.respond = respond(programs)
    engine.requests.clear()
    lms = {n: member(engine, n) for n in ("g", "r0", "r1", "r2", "a")}
    store, cfg = Store(tmp_path / "gra.db"), SynthConfig(**config)
    team = Team(lms, dict.fromkeys(lms, "fake"), {"fake": 4})
    members = Members(team, store, cfg, tmp_path, None)
    store.new_sample({"id": "s", "round": 1, "ordinal": 0, "status": "reviewing"})
    status = asyncio.run(Judges(members, cfg).judge("s", ROLES, instruction, "", response, domain))
    return status, store


def test_a_wrong_surface_area_is_rejected_before_any_sheet_under_the_gate(engine, tmp_path):
    status, store = judge(engine, tmp_path, [PRINT_62] * 3, PRISM, "Surface area: 2(15 + 10 + 6) = 94 cm²", "Math")
    sample = store.sample("s")
    assert status == "rejected_verification" and sample["verdict"] == "contradicts"
    assert sample["evidence"] == "3 of 3 programs printed 62; the response's final answer is 94."
    assert [(p["role"], p["status"], p["stdout"].strip()) for p in store.programs_of("s")] == [
        ("program", "ok", "62")
    ] * 3
    assert not [r for r in store.reviews_of("s") if r["kind"] == "response"]  # no sheet was asked for


def test_under_evidence_the_scorers_read_what_the_programs_printed(engine, tmp_path):
    status, store = judge(engine, tmp_path, [PRINT_62] * 3, PRISM, "The area is 94 cm².", "Math", verify="evidence")
    sheets = [r for r in engine.requests if r["response_format"]["json_schema"]["name"] == "ScoreWithEvidence"]
    assert status == "passed" and len(sheets) == 3  # the stand-in scorers ignore it; real ones read it
    assert "3 of 3 programs printed 62; the response's final answer is 94." in sheets[0]["messages"][-1]["content"]


def test_verify_off_runs_nothing_and_scores_as_the_paper(engine, tmp_path):
    status, store = judge(engine, tmp_path, [PRINT_62] * 3, PRISM, "The area is 94 cm².", "Math", verify="off")
    names = {r["response_format"]["json_schema"]["name"] for r in engine.requests}
    assert status == "passed" and "WriteProgram" not in names and "ScoreResponse" in names
    assert store.sample("s")["verdict"] is None and store.programs_of("s") == []


def test_a_right_answer_agrees_and_is_scored_with_that_evidence(engine, tmp_path):
    status, store = judge(engine, tmp_path, [PRINT_62] * 3, PRISM, "So the answer is 62 cm².", "Math")
    assert status == "passed" and store.sample("s")["verdict"] == "agrees"


def test_code_is_run_on_its_stated_examples_and_the_references_test_calls(engine, tmp_path):
    right = "```python\ndef evens(xs):\n    return [x for x in xs if not x % 2]\n```"
    status, store = judge(engine, tmp_path, [REFERENCE] * 3, EVENS, right, "Coding")
    assert status == "passed" and store.sample("s")["verdict"] == "agrees"
    roles = [p["role"] for p in store.programs_of("s")]
    assert roles == ["response", "reference", "reference", "reference"]


def test_code_that_fails_a_reference_consensus_is_rejected(engine, tmp_path):
    wrong = "```python\ndef evens(xs):\n    return [x for x in xs if x % 2 == 0 and x > 0]\n```"
    status, store = judge(engine, tmp_path, [REFERENCE] * 3, EVENS, wrong, "Coding")
    assert status == "rejected_verification"
    assert "evens([0, -2, 7]) gave [], they give [0, -2]" in store.sample("s")["evidence"]


def test_code_that_escapes_is_contained_and_only_its_own_sample_suffers(engine, tmp_path):
    hostile = "```python\nimport os\nos.system('touch /tmp/gra-escaped')\ndef evens(xs):\n    return xs\n```"
    status, store = judge(engine, tmp_path, [REFERENCE] * 3, EVENS, hostile, "Coding")
    assert status in ("rejected_verification", "passed", "rejected_score")
    assert store.sample("s")["verdict"] in ("contradicts", "undecided")
    assert not __import__("pathlib").Path("/tmp/gra-escaped").exists()


def test_a_sample_killed_mid_verification_is_verified_once_on_resume(engine, tmp_path):
    wrong = "Surface area: 2(15 + 10 + 6) = 94 cm²"
    _, store = judge(engine, tmp_path, [PRINT_62] * 3, PRISM, wrong, "Math")
    # What kill -9 leaves mid-verification: the verifier calls recorded, one program run of three, no verdict.
    for p in store.programs_of("s")[1:]:
        store.db.execute("delete from programs where id = ?", [p["id"]])
    store.update_sample("s", status="reviewing", verified=None, verdict=None, evidence=None)

    # On resume the sample goes back to its first stage and is judged again on the same database.
    store.restart_sample({"id": "s", "round": 1, "ordinal": 0, "status": "reviewing"})
    engine.requests.clear()
    lms = {n: member(engine, n) for n in ("g", "r0", "r1", "r2", "a")}
    members = Members(Team(lms, dict.fromkeys(lms, "fake"), {"fake": 4}), store, SynthConfig(), tmp_path, None)
    status = asyncio.run(Judges(members, SynthConfig()).judge("s", ROLES, PRISM, "", wrong, "Math"))

    assert status == "rejected_verification" and store.sample("s")["verdict"] == "contradicts"
    assert len(store.programs_of("s")) == 3  # each program once: none kept twice, none lost
    assert not engine.requests  # every call it had made was answered from the database, none sent again
