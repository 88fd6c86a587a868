"""A mixed pool, one engine on llama.cpp and one on SGLang (on CPU), in the same `gra curate` run.

Both engines serve SmolLM2-135M-Instruct (llama-server from the GGUF, SGLang from its conversion),
so the committee of five draws members of both engines for the same rows.
"""

import json
import os
import re

import pytest

from runtime.config import load_pool
from runtime.storage.accounting import usage_by
from runtime.storage.store import TERMINAL, Store
from tests.helpers.gra_cli import gra
from tests.helpers.paths import EXAMPLES, ROOT

pytestmark = pytest.mark.engine

LLAMA_ENGINE = """
[engines.smollm2-llama]
kind = "llama.cpp"
model = "smollm2-135m-instruct"
reencode = "f16"
slots = 1
context_per_slot = 8192
"""


def mixed_pool(tmp_path):
    """tiny-sglang with two of its five members moved to a llama.cpp engine of the same model."""
    text = (ROOT / "runtime" / "pools" / "tiny-sglang.toml").read_text()
    text = text.replace('name = "tiny-sglang"', 'name = "mixed"') + LLAMA_ENGINE
    for member in ("smollm2-d", "smollm2-e"):
        text = text.replace(f'name = "{member}"\nengine = "smollm2"', f'name = "{member}"\nengine = "smollm2-llama"')
    path = tmp_path / "mixed.toml"
    path.write_text(text)
    pool, _ = load_pool(str(path))
    assert {m.engine for m in pool.members} == {"smollm2", "smollm2-llama"}
    return path


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mixed")
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines()][:3]
    data = tmp / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp / "out"
    env = {**os.environ, "COLUMNS": "200"}  # the usage table unwrapped
    proc = gra("curate", "--data", data, "--out", out, "--pool", mixed_pool(tmp), "--seed", "3", timeout=1800, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return rows, out, Store(out / "gra.db"), proc.stderr


def test_every_row_is_judged_once_and_comes_back_in_order(curated):
    rows, out, store, _ = curated
    back = [json.loads(line) for line in (out / "curated.jsonl").read_text().splitlines()]
    assert [r["instruction"] for r in back] == [r["instruction"] for r in rows]
    assert all(r["status"] in TERMINAL for r in back)
    per = store.db.execute("select sample_id, kind, reviewer, count(*) from reviews group by 1, 2, 3").fetchall()
    assert per and all(n == 1 for *_, n in per)


def test_both_engines_answered_and_neither_left_an_unparseable_answer(curated):
    _, _, store, _ = curated
    by_kind = dict(
        store.db.execute(
            "select m.kind, count(*) from lm_calls c join members m on m.name = c.member"
            " where c.parse_status != 'engine_error' group by 1"
        ).fetchall()
    )
    assert set(by_kind) == {"llama.cpp", "sglang"} and min(by_kind.values()) > 0, by_kind
    assert store.parse_status_counts().get("invalid", 0) == 0


def test_sglang_served_the_reviewers_shared_prompt_from_its_cache_and_the_usage_table_says_so(curated):
    _, _, store, log = curated
    cached, prompt = store.db.execute(
        "select sum(c.cached_tokens), sum(c.prompt_tokens) from lm_calls c join members m on m.name = c.member"
        " where m.kind = 'sglang' and c.role = 'reviewer' and c.parse_status != 'engine_error'"
    ).fetchone()
    assert cached > 0.2 * prompt  # instructions and demos are the same for every review
    assert usage_by(store, "role")["reviewer"].cache_hit_rate > 0
    row = next(line for line in log.splitlines() if "role reviewer" in line)
    assert re.search(r"\b\d+%", row), row
