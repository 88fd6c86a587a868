"""Bounded retries per parse status, through the real client path against a scripted engine."""

import asyncio
import json

import dspy
import pytest
from dspy.utils.exceptions import AdapterParseError

from runtime.calls import record as call_log
from runtime.calls.adapter import StructuredAdapter
from runtime.calls.member_lm import MemberLM
from runtime.config import Retry
from runtime.pipeline import Coordinator, RoleFailed, Team
from runtime.settings import SynthConfig
from runtime.storage.store import Store
from signatures import CHECK_QUESTIONS, CheckInstruction
from tests.helpers.fake_engine import FakeEngine, digit_logprobs
from tests.helpers.members import NO_WAIT, PASS, VALID, ThreeChecks, member


@pytest.fixture
def engine():
    engines = []

    def make(script, **kwargs):
        engines.append(FakeEngine(script, **kwargs))
        return engines[-1]

    yield make
    for e in engines:
        e.close()


def check(fake, retry=NO_WAIT):
    with dspy.context(lm=member(fake), adapter=StructuredAdapter(retry=retry)), call_log.recording() as log:
        try:
            result = dspy.Predict(ThreeChecks)(instruction="Add 2 and 3.", input="")
        except Exception as exc:
            result = exc
    return result, log.calls


def test_an_invalid_answer_is_retried_once_with_a_new_seed(engine):
    fake = engine([("Sure, it looks fine!", "stop"), (VALID, "stop")])
    result, calls = check(fake)
    assert (result.reasonable, result.complete, result.clear) == (1, 1, 1)
    assert [(c.parse_status, c.attempt) for c in calls] == [("invalid", 0), ("ok", 1)]
    seeds = [r["seed"] for r in fake.requests]
    assert seeds[0] == 7 and seeds[1] != 7
    assert fake.requests[0]["response_format"]["type"] == "json_schema"


def test_retries_are_bounded(engine):
    fake = engine([("nope", "stop")] * 10)
    result, calls = check(fake, Retry(invalid=2, backoff_s=0.0))
    assert isinstance(result, Exception)
    assert [c.parse_status for c in calls] == ["invalid"] * 3 and len(fake.requests) == 3


def test_truncated_refused_and_engine_errors_are_typed_and_retried(engine):
    fake = engine(
        [(VALID[:-5], "length"), ("I'm sorry, I can't help with that.", "stop"), ("HTTP", 503), (VALID, "stop")]
    )
    result, calls = check(fake, Retry(truncated=1, refused=1, engine_error=1, invalid=0, backoff_s=0.0))
    # attempts are counted across statuses: after one retry, a refusal (allowance 1) is not retried again
    assert isinstance(result, Exception)
    assert [c.parse_status for c in calls] == ["truncated", "refused"] and len(fake.requests) == 2


def test_a_cut_off_answer_is_truncated_even_if_repairable(engine):
    fake = engine([('{"reasonable": 1, "complete": 1, "clear": 1', "length")])
    result, calls = check(fake, Retry(truncated=0))
    assert isinstance(result, Exception)
    assert calls[0].parse_status == "truncated" and calls[0].raw_output.startswith('{"reasonable"')


def test_engine_errors_back_off_then_succeed(engine):
    fake = engine([("HTTP", 500), (VALID, "stop")])
    result, calls = check(fake, Retry(engine_error=1, backoff_s=0.01))
    assert result.clear == 1
    assert [c.parse_status for c in calls] == ["engine_error", "ok"]


LOOPING = '{"reasonable": 1, "complete": 1, "clear": "' + "no, " * 2000 + '"}'


LOOPING_RESPONSE = '{"response": "' + "no, " * 2000 + '"}'


def test_a_looping_answer_is_stopped_mid_stream_and_retried(engine, tmp_path):
    """The coordinator streams a response: the engine is hung up on where the loop is found, not 8,000 chars later."""
    fake = engine([(LOOPING_RESPONSE, "stop"), ('{"response": "4"}', "stop")], piece_delay_s=0.002)
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    team = Team(lms, {n: "fake" for n in lms}, {"fake": 4}, retry=NO_WAIT)
    coordinator = Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig())

    async def go():
        answer = team.roles.generator.answer
        return await coordinator.members.call(
            "generator", "m0", lambda: answer.acall(instruction="Add 2 and 2.", input=""), sample_id="s"
        )

    assert asyncio.run(go()).response == "4"
    stopped, answered = coordinator.store.db["lm_calls"].rows_where(order_by="id")
    assert (stopped["parse_status"], answered["parse_status"]) == ("degenerate", "ok")
    assert stopped["finish_reason"] == "repetition" and "'no, ' repeated over 3" in stopped["parse_detail"]
    assert LOOPING_RESPONSE.startswith(stopped["raw_output"]) and len(stopped["raw_output"]) < 400  # what was decoded
    assert stopped["completion_tokens"] == len(stopped["raw_output"]) // 4  # pieces decoded before the stop
    first = fake.streamed[0]
    assert fake.requests[0]["stream"] is True
    assert first["hung_up"] and first["sent"] < first["pieces"] // 4  # the engine stopped sending
    assert answered["attempt"] == 1 and answered["seed"] != stopped["seed"]


def test_a_judge_asks_for_probabilities_unstreamed_and_they_are_kept_with_its_call(engine, tmp_path):
    """A judge's answer is short (the schema bounds it), so it comes back whole, with its token probabilities."""
    fake = engine([(PASS, "stop")] * 3)
    fake.logprobs = digit_logprobs(lambda d: {d: 0.8, "0" if d == "1" else "1": 0.2})
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    team = Team(lms, {n: "fake" for n in lms}, {"fake": 4}, retry=NO_WAIT)
    coordinator = Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig())
    checks = asyncio.run(
        coordinator.members.call(
            "reviewer", "m0", lambda: team.roles.reviewer.checks.acall("Add 2.", ""), sample_id="s"
        )
    )
    assert "stream" not in fake.requests[0] and fake.requests[0]["logprobs"] is True
    assert checks.checks == [1, 1, 1] and checks.passes == pytest.approx([0.8, 0.8, 0.8])
    calls = list(coordinator.store.db["lm_calls"].rows)
    assert len(calls) == 3  # one call per check, each its own question
    assert [t["token"] for t in json.loads(calls[0]["logprobs"])] == ["1"]  # the bare answer, one token


def test_a_check_is_asked_plainly_and_answered_by_a_bare_digit(engine):
    """No JSON layout for a one-token question: the instruction, titled fields, the question, one answer line."""
    fake = engine([("1", "stop")])
    with dspy.context(lm=member(fake), adapter=StructuredAdapter(retry=NO_WAIT)):
        out = dspy.Predict(CheckInstruction)(instruction="Sort a list.", input="", question=CHECK_QUESTIONS["clear"])
    assert out.answer == 1
    body = fake.requests[0]
    assert body["response_format"]["json_schema"]["schema"] == {"enum": [0, 1], "type": "integer"}
    system, user = body["messages"]
    assert system == {"role": "system", "content": CheckInstruction.instructions}
    assert user["content"].startswith("Instruction:\n<<<untrusted text") and "[[ ##" not in user["content"]
    assert user["content"].endswith(CHECK_QUESTIONS["clear"] + "\nAnswer 1 for yes or 0 for no, nothing else.")


def test_a_loop_in_an_answer_that_was_not_streamed_is_degenerate_once_finished(engine):
    fake = engine([(LOOPING, "stop"), (VALID, "stop")])
    result, calls = check(fake)  # a synchronous call: not streamed, so the loop is found in the finished text
    assert result.clear == 1
    assert [c.parse_status for c in calls] == ["degenerate", "ok"]
    assert "stream" not in fake.requests[0] and calls[0].finish_reason == "stop"
    assert calls[0].raw_output == LOOPING


def test_a_member_with_the_check_off_is_not_streamed_and_its_loop_is_just_an_answer(engine, tmp_path):
    fake = engine([(LOOPING, "stop")])
    lm = MemberLM("m", api_base=fake.base_url, api_key="k", temperature=0.2, max_tokens=64, repetition_span=0)
    with dspy.context(lm=lm, adapter=StructuredAdapter(retry=Retry(invalid=0))), call_log.recording() as log:
        with pytest.raises(AdapterParseError):
            asyncio.run(dspy.Predict(ThreeChecks).acall(instruction="Add 2 and 3.", input=""))
    assert "stream" not in fake.requests[0]
    assert [c.parse_status for c in log.calls] == ["invalid"]  # "clear" is not 0 or 1; the loop is not looked for


FUZZ = [
    ("", "stop", "invalid"),
    ('{"reasonable": 1, "complete"', "length", "truncated"),
    ('{"reasonable": 1, "complete": 1', "stop", "invalid"),
    ("Here you go: " + VALID + " Thanks!", "stop", "repaired"),
    (json.dumps({"reasonable": 2, "complete": 1, "clear": 1}), "stop", "invalid"),
    (json.dumps({"reasonable": 0.5, "complete": 1, "clear": 1}), "stop", "invalid"),
    (json.dumps({"reasonable": "1", "complete": 1, "clear": 1}), "stop", "repaired"),
    (json.dumps({"reasonable": 1, "complete": 1}), "stop", "invalid"),
    ("\udcff\udcfe not utf-8", "stop", "invalid"),
    ("I am sorry, but I cannot do that.", "stop", "refused"),
    (" ".join(str(i) for i in range(40_000)), "stop", "invalid"),
    ("x" * 200_000, "stop", "degenerate"),
    ("HTTP", 500, "engine_error"),
]


@pytest.mark.parametrize("content,finish,status", FUZZ, ids=[f"{s}-{i}" for i, (_, _, s) in enumerate(FUZZ)])
def test_malformed_answers_never_raise_past_the_coordinator(engine, tmp_path, content, finish, status):
    fake = engine([(content.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), finish)])
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    team = Team(lms, {n: "fake" for n in lms}, {"fake": 4})
    coordinator = Coordinator(team, Store(tmp_path / "gra.db"), tmp_path, SynthConfig())
    coordinator.members.adapter = StructuredAdapter(
        retry=Retry(truncated=0, invalid=0, refused=0, degenerate=0, engine_error=0)
    )

    async def go():
        checks = dspy.Predict(ThreeChecks)
        return await coordinator.members.call(
            "reviewer", "m0", lambda: checks.acall(instruction="Add 2 and 3.", input=""), sample_id="s"
        )

    if status in ("ok", "repaired"):
        r = asyncio.run(go())
        assert (r.reasonable, r.complete, r.clear) == (1, 1, 1)
    else:
        with pytest.raises(RoleFailed) as info:
            asyncio.run(go())
        assert info.value.status == status
    (row,) = coordinator.store.db["lm_calls"].rows
    assert row["parse_status"] == status
    # an engine error halves that engine's concurrency; a bad answer from a healthy engine does not
    assert coordinator.members.limits["fake"].limit == (2 if status == "engine_error" else 4)


def test_a_round_with_nothing_to_draw_from_says_so(engine, tmp_path):
    from runtime.pipeline import NothingToGenerateFrom

    fake = engine([])
    lms = {f"m{i}": member(fake, f"m{i}") for i in range(5)}
    coordinator = Coordinator(
        Team(lms, {n: "fake" for n in lms}, {"fake": 4}), Store(tmp_path / "gra.db"), tmp_path, SynthConfig()
    )
    with pytest.raises(NothingToGenerateFrom, match="nothing to generate from"):
        asyncio.run(coordinator.run_round(1))
    assert fake.requests == []
