"""The usage table shows each member's prefix-cache hit rate where its engine reports cached tokens."""

from rich.console import Console

from runtime.calls.record import CallRecord
from runtime.storage.accounting import usage_by
from runtime.storage.store import Store
from runtime.tables.run_tables import cost_table, usage_table


def add(store, member, prompt, cached, role="reviewer"):
    record = CallRecord(signature="X", messages=[], prompt_tokens=prompt, completion_tokens=10, latency_s=1.0)
    record.cached_tokens = cached
    store.add_calls([record], role, member)


def test_cache_hit_rate_per_member_counts_only_calls_that_report_it(tmp_path):
    store = Store(tmp_path / "gra.db")
    add(store, "qwen25-7b", 1000, 600)  # SGLang with --enable-cache-report: 60% of the prompt came from cache
    add(store, "qwen25-7b", 1000, 900)
    add(store, "qwen25-7b", 500, None)  # an answer without the report is left out of the rate
    add(store, "smollm2-a", 800, None)  # an engine that never reports has no rate
    members = usage_by(store, "member")
    assert members["qwen25-7b"].cache_hit_rate == 0.75 and members["qwen25-7b"].prompt_tokens == 2500
    assert members["smollm2-a"].cache_hit_rate is None

    console = Console(record=True, width=120)
    console.print(usage_table(store))
    text = console.export_text()
    assert "cached" in text
    qwen, smollm = (next(line for line in text.splitlines() if f"member {m}" in line) for m in ("qwen25", "smollm2"))
    assert qwen.rstrip(" │").endswith("75%") and "%" not in smollm


def test_engine_rows_add_up_the_members_that_share_an_engine(tmp_path):
    store = Store(tmp_path / "gra.db")
    store.put_members(
        [
            {"name": n, "engine": e, "model": e, "kind": "llama.cpp", "sampling": "{}"}
            for n, e in (("smollm2-a", "smollm2"), ("smollm2-b", "smollm2"), ("gemma3-a", "gemma3"))
        ]
    )
    for member in ("smollm2-a", "smollm2-b", "smollm2-b", "gemma3-a"):
        add(store, member, 100, None)
    add(store, "stranger", 100, None)  # calls of a member the table does not know keep its name
    engines = usage_by(store, "engine")
    assert {e: u.calls for e, u in engines.items()} == {"gemma3": 1, "smollm2": 3, "stranger": 1}
    assert engines["smollm2"].call_seconds == 3.0 and engines["smollm2"].prompt_tokens == 300

    console = Console(record=True, width=120)
    console.print(usage_table(store, wall_seconds=4.0))
    assert any(line.lstrip("│ ").startswith("engine smollm2") for line in console.export_text().splitlines())


def test_the_cost_table_gives_each_stage_in_a_samples_order_and_per_kept_sample(tmp_path):
    store = Store(tmp_path / "gra.db")
    for signature, n in (("ScoreResponse", 6), ("InventKeywords", 2), ("CheckInstruction", 4)):
        for _ in range(n):
            store.add_calls([CallRecord(signature=signature, messages=[], completion_tokens=10)], "x", "m")
    for i in range(2):
        store.new_sample({"id": f"s{i}", "round": 1, "ordinal": i, "status": "accepted"})

    console = Console(record=True, width=120)
    console.print(cost_table(store))
    rows = [line for line in console.export_text().splitlines() if "│" in line and "stage" not in line]

    assert [r.split("│")[1].strip() for r in rows] == ["keywords", "instruction checks", "scores"]
    assert rows[2].split("│")[4].strip() == "3.0" and rows[2].split("│")[5].strip() == "30"  # 6 calls, 60 tok, 2 kept
