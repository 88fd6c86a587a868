"""SGLang itself, on CPU, answering gra: one server started by gra's own Supervisor, then a real
`gra synth` whose SGLang server is killed with SIGKILL mid-run and brought back by the supervisor.

The server is SGLang 0.5.23 from ``make sglang-cpu-env`` (docs/sglang-cpu.md): its scheduler,
radix cache, xgrammar and OpenAI server, on CPU. What runs here is gra's launch, protocol,
parsing, restart and resume against it; nothing here says anything about GPU kernels or speed.
"""

import json
import os
import re
import signal
from pathlib import Path

import httpx
import pytest

from runtime.config import load_pool
from runtime.engines.process import REDACTED, EngineError
from runtime.engines.sglang import SGLANG_VERSION
from runtime.engines.sglang_cpu import check_cpu_env
from runtime.engines.supervisor import Supervisor
from runtime.pipeline.team import member_lm
from runtime.storage.accounting import usage_by
from runtime.storage.store import TERMINAL, Store
from tests.helpers.kills import calls_recorded, calls_sent_twice, children, start, wait_for_calls
from tests.helpers.paths import EXAMPLES

pytestmark = pytest.mark.engine

POOL = "tiny-sglang"
MODEL = "smollm2-135m-instruct"
ARGS = ["--pool", POOL, "--rounds", "1", "--per-round", "2", "--max-candidates", "3"]
ARGS += ["--tau", "1", "--delta", "0", "--seed", "5"]  # every checked sample is scored, any dispute adjudicated


@pytest.fixture(scope="module", autouse=True)
def cpu_environment():
    """`make test` builds it first (`make sglang-cpu-env`); without it these tests fail, never skip."""
    try:
        check_cpu_env(MODEL, SGLANG_VERSION)
    except EngineError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The tiny-sglang pool's one SGLang server, started and stopped by gra's Supervisor."""
    pool, _ = load_pool(POOL)
    logs = tmp_path_factory.mktemp("sglang-logs")
    with Supervisor(pool, log_dir=logs) as sup:
        yield pool, sup, logs / "engine-smollm2.log"


def chat(base_url: str, headers: dict, **body) -> httpx.Response:
    body = {"model": "gra-smollm2", "messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 4, **body}
    return httpx.post(f"{base_url}/chat/completions", headers=headers, json=body, timeout=120)


def test_the_api_key_is_required_and_never_logged(server):
    _, sup, log = server
    endpoint = sup.endpoints["smollm2"]
    assert chat(endpoint.base_url, {}).status_code == 401
    assert chat(endpoint.base_url, {"Authorization": "Bearer not-the-key"}).status_code == 401
    assert chat(endpoint.base_url, {"Authorization": f"Bearer {endpoint.api_key}"}).status_code == 200
    text = log.read_text()
    assert f"'api_key': '{REDACTED}'" in text  # SGLang prints its settings, key included: the copy blanks it
    assert endpoint.api_key not in text


def openai_body(response) -> dict:
    """The engine's own JSON body of a DSPy history entry's response, as ``response_facts`` reads it:
    an lm15 ``Response`` keeps it in ``provider_data``, a LiteLLM ``ModelResponse`` dumps to it."""
    if getattr(response, "provider_data", None):
        return response.provider_data
    return response.model_dump() if hasattr(response, "model_dump") else response


def top_logprobs(response) -> list[dict]:
    """Per output token, from the OpenAI shape ``choices[0].logprobs.content[i] = {token, logprob,
    top_logprobs: [{token, logprob}]}`` (llama-server's shape too):
    ``[{"token", "logprob", "top_logprobs": [{"token", "logprob"}, ...]}, ...]``."""
    raw = openai_body(response)
    return [
        {
            "token": t["token"],
            "logprob": t["logprob"],
            "top_logprobs": [{"token": a["token"], "logprob": a["logprob"]} for a in t["top_logprobs"]],
        }
        for t in raw["choices"][0]["logprobs"]["content"]
    ]


def test_a_member_call_asking_for_logprobs_gets_the_top_5_of_every_token(server):
    pool, sup, _ = server
    lm = member_lm(pool, "smollm2-a", sup.endpoints["smollm2"])
    lm(messages=[{"role": "user", "content": "Name a colour."}], logprobs=True, top_logprobs=5, max_tokens=8)
    tokens = top_logprobs(lm.history[-1]["response"])
    assert 1 <= len(tokens) <= 8
    for t in tokens:
        assert isinstance(t["token"], str) and t["logprob"] <= 0.0
        assert len(t["top_logprobs"]) == 5
        best = t["top_logprobs"][0]
        assert best["logprob"] >= max(a["logprob"] for a in t["top_logprobs"][1:])
        assert t["logprob"] <= best["logprob"] + 1e-6  # the token drawn is at most as likely as the best


def test_a_repeated_prefix_comes_back_from_the_radix_cache(server):
    _, sup, _ = server
    endpoint = sup.endpoints["smollm2"]
    headers = {"Authorization": f"Bearer {endpoint.api_key}"}
    system = {"role": "system", "content": "You review answers for a committee. " * 30}
    usages = [
        chat(endpoint.base_url, headers, messages=[system, {"role": "user", "content": q}]).json()["usage"]
        for q in ("Is 2 + 2 = 4?", "Is the sky green?")
    ]
    assert usages[0]["prompt_tokens"] > 200 and usages[0]["prompt_tokens_details"]["cached_tokens"] < 100
    assert usages[1]["prompt_tokens_details"]["cached_tokens"] >= 0.9 * usages[1]["prompt_tokens"]  # the system prompt


def four_seeds(tmp_path: Path) -> Path:
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines()]
    path = tmp_path / "seeds.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[::10][:4]))
    return path


def sglang_server_of(pid: int) -> int:
    """The SGLang server among the coordinator's children (the embedding worker is one too)."""
    for child in children(pid):
        if "sglang.launch_server" in Path(f"/proc/{child}/cmdline").read_text(errors="replace"):
            return child
    raise AssertionError(f"no SGLang server among the children of {pid}")


@pytest.fixture(scope="module")
def killed_run(tmp_path_factory):
    """`gra synth` on tiny-sglang; once it has recorded some calls, its SGLang server gets SIGKILL."""
    tmp = tmp_path_factory.mktemp("sglang-run")
    out, log = tmp / "out", tmp / "stderr.log"
    env = {**os.environ, "COLUMNS": "200"}  # the usage table unwrapped
    proc = start("synth", "--seeds", four_seeds(tmp), "--out", out, *ARGS, log=log, env=env)
    try:
        assert wait_for_calls(proc, out / "gra.db", 3, timeout=900), log.read_text()[-3000:]
        killed_at = calls_recorded(out / "gra.db")
        os.kill(sglang_server_of(proc.pid), signal.SIGKILL)
        assert proc.wait(timeout=1800) == 0, log.read_text()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
    return out, Store(out / "gra.db"), log.read_text(), killed_at


def test_the_supervisor_brought_sglang_back_and_the_run_went_on(killed_run):
    out, store, _, killed_at = killed_run
    engine_log = (out / "logs" / "engine-smollm2.log").read_text()
    assert "exited (code -9)" in engine_log and "is back on" in engine_log
    assert store.db["lm_calls"].count > killed_at  # calls answered after the restart
    assert store.db.execute("select status from runs").fetchall() == [("finished",)]


def test_every_sample_is_settled_once(killed_run):
    out, store, *_ = killed_run
    samples = store.samples()
    assert samples and {s["status"] for s in samples} <= set(TERMINAL)
    assert sorted(s["ordinal"] for s in samples) == list(range(len(samples))) and len(samples) <= 3
    per = store.db.execute("select sample_id, kind, reviewer, count(*) from reviews group by 1, 2, 3").fetchall()
    assert all(n == 1 for *_, n in per)
    assert all(n == 1 for _, n in store.db.execute("select sample_id, count(*) from adjudications group by 1"))
    assert calls_sent_twice(store) == []
    kept = [json.loads(line)["id"] for line in (out / "data.jsonl").read_text().splitlines()]
    assert sorted(kept) == sorted(s["id"] for s in store.samples("status = 'accepted'"))


def test_sglang_answered_every_call_and_xgrammar_left_nothing_unparseable(killed_run):
    out, store, *_ = killed_run
    kinds = store.db.execute(
        "select m.kind, count(*) from lm_calls c join members m on m.name = c.member group by 1"
    ).fetchall()
    assert kinds == [("sglang", store.db["lm_calls"].count)]
    statuses = store.parse_status_counts()
    assert statuses.get("invalid", 0) == 0 and statuses.get("ok", 0) > 0, statuses
    answered = store.db.execute("select count(*) from lm_calls where parse_status != 'engine_error'").fetchone()[0]
    posts = (out / "logs" / "engine-smollm2.log").read_text().count('"POST /v1/chat/completions HTTP/1.1" 200')
    assert posts >= answered  # each answer in lm_calls is one the SGLang server logged


def test_the_usage_table_shows_sglangs_prefix_cache_hits(killed_run):
    """Every role's calls share their instructions and demos, so SGLang reports cached prompt tokens, and the run's
    table prints their share. How large it is depends on when the kill emptied the cache; the
    reviewers' share, on a run that is not killed, is bounded in test_sglang_mixed.py."""
    _, store, log, _ = killed_run
    engine = usage_by(store, "engine")["smollm2"]
    assert engine.cached_tokens > 0
    row = next(line for line in log.splitlines() if "engine smollm2" in line)
    assert f"{engine.cache_hit_rate:.0%}" in re.findall(r"\b\d+%", row), row
