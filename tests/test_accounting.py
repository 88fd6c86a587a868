"""The usage table shows each member's prefix-cache hit rate where its engine reports cached tokens."""

from rich.console import Console

from runtime.accounting import usage_by, usage_table
from runtime.call_log import CallRecord
from runtime.store import Store


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
