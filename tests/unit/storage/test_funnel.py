"""The run database and the funnel read back from it."""

import json

from runtime.calls.member_lm import MemberLM
from runtime.calls.record import CallRecord
from runtime.storage.funnel import funnel, plain_summary
from runtime.storage.store import Store


def sample(store, sid, status, failure=None, mean=None):
    store.new_sample(
        {
            "id": sid,
            "round": 1,
            "ordinal": 0,
            "status": "generating",
            "domain": "Math",
            "examples": "[]",
            "generator": "g",
            "reviewers": json.dumps(["a", "b", "c"]),
            "adjudicator": "d",
        }
    )
    store.update_sample(sid, status=status, failure=failure, mean=mean)


def test_funnel_counts_every_gate(tmp_path):
    store = Store(tmp_path / "gra.db")
    sample(store, "gen-fail", "failed", "generate: generator g: truncated")
    sample(store, "check-fail", "failed", "check: reviewer a: invalid")
    sample(store, "bad-instr", "rejected_instruction")
    sample(store, "low", "rejected_score")
    sample(store, "direct", "accepted")
    sample(store, "adj-yes", "accepted")
    sample(store, "adj-no", "rejected_adjudication")
    sample(store, "twin", "duplicate", mean=8.5)  # passed the committee, then dropped by dedup
    sample(store, "copy", "duplicate")  # repeated a shown example: settled before any judge
    store.add_adjudication("adj-yes", "d", [9] * 6, 9.0, True)
    store.add_adjudication("adj-no", "d", [5] * 6, 5.0, False)
    f = funnel(store, 1)
    assert (f.candidates, f.generated, f.copies, f.instruction_passed) == (9, 8, 1, 5)
    assert (f.score_accepted, f.to_adjudication, f.adjudicated) == (2, 2, 1)  # direct + twin; adj-yes
    assert (f.passed_committee, f.duplicates, f.kept, f.failed) == (3, 1, 2, 2)
    assert "Kept 2 of 9 candidates (22%)." == plain_summary(f)


def test_a_poor_yield_is_said_plainly(tmp_path):
    store = Store(tmp_path / "gra.db")
    for i in range(10):
        sample(store, f"s{i}", "rejected_score")
    assert "Few samples pass at τ=8" in plain_summary(funnel(store))


def test_terminal_statuses_get_a_finish_time_and_calls_keep_their_status(tmp_path):
    store = Store(tmp_path / "gra.db")
    sample(store, "s", "accepted")
    assert store.sample("s")["finished_at"]
    store.add_calls(
        [
            CallRecord(
                signature="ScoreResponse",
                messages=[{"role": "user", "content": "x"}],
                parse_status="invalid",
                parse_detail="correctness: out of range",
            )
        ],
        "reviewer",
        "a",
        sample_id="s",
    )
    (row,) = store.db["lm_calls"].rows
    assert (row["parse_status"], row["parse_detail"], row["member"]) == ("invalid", "correctness: out of range", "a")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_each_member_has_its_own_model_string_and_no_response_cache():
    a = MemberLM("smollm2-a", api_base="http://127.0.0.1:1/v1", api_key="k", temperature=0.2, max_tokens=64)
    b = MemberLM("smollm2-b", api_base="http://127.0.0.1:1/v1", api_key="k", temperature=0.2, max_tokens=64)
    assert (a.model, b.model) == ("hosted_vllm/gra-smollm2-a", "hosted_vllm/gra-smollm2-b")
    assert a.cache is False and b.cache is False
    assert a.copy(temperature=0.5).member == "smollm2-a"


def test_usage_is_accounted_per_role_member_and_kept_sample(tmp_path):
    from runtime.storage.accounting import per_kept_sample, usage_by

    store = Store(tmp_path / "gra.db")
    sample(store, "kept", "accepted")
    sample(store, "lost", "rejected_score")

    def call(role, member, p, c, s):
        return role, member, CallRecord(signature="X", messages=[], prompt_tokens=p, completion_tokens=c, latency_s=s)

    for role, member, rec in [
        call("generator", "a", 100, 50, 2.0),
        call("reviewer", "b", 200, 20, 1.0),
        call("reviewer", "c", 200, 30, 1.0),
        call("generator", "b", 100, 40, 2.0),
    ]:
        store.add_calls([rec], role, member, sample_id="kept")
    roles = usage_by(store, "role")
    assert (roles["generator"].calls, roles["generator"].completion_tokens) == (2, 90)
    assert usage_by(store, "member")["b"].prompt_tokens == 300
    per = per_kept_sample(store)  # one kept sample carries the cost of every call, the rejected one's included
    assert (per.calls, per.prompt_tokens, per.completion_tokens, per.call_seconds) == (4, 600, 140, 6.0)
