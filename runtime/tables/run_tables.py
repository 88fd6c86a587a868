"""The Rich tables a command prints about a run: model usage, cost per stage, the funnel, a prompt pack.

Presentation only: every number comes from storage (:mod:`runtime.storage.accounting`,
:mod:`runtime.storage.funnel`, :mod:`runtime.storage.pack`), which knows nothing of how it is shown.
"""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from runtime.storage.accounting import STAGES, per_kept_sample, usage_by
from runtime.storage.funnel import Funnel
from runtime.storage.pack import read_pack
from runtime.storage.store import Store


def usage_table(store: Store, wall_seconds: float | None = None) -> Table:
    title = "model usage" + (f" ({wall_seconds:.0f}s wall)" if wall_seconds else "")
    t = Table(title=title)
    for col in ("", "calls", "prompt tok", "output tok", "call-seconds", "cached"):
        t.add_column(col, justify="right" if col else "left")
    for heading in ("role", "member", "engine"):
        group = usage_by(store, heading)
        for name, u in group.items():
            rate = u.cache_hit_rate
            t.add_row(
                f"{heading} {name}",
                str(u.calls),
                str(u.prompt_tokens),
                str(u.completion_tokens),
                f"{u.call_seconds:.0f}",
                "" if rate is None else f"{rate:.0%}",
            )
    per = per_kept_sample(store)
    if per is not None:
        t.add_row(
            "per kept sample",
            str(per.calls),
            str(per.prompt_tokens),
            str(per.completion_tokens),
            f"{per.call_seconds:.0f}",
            style="bold",
        )
    if wall_seconds:
        out = store.token_totals()["completion_tokens"]
        t.add_row("output tok/s (wall)", "", "", f"{out / wall_seconds:.1f}", "")
    return t


def cost_table(store: Store) -> Table:
    """Calls and output tokens per stage, in all and per kept sample: where the cost of a kept sample goes."""
    kept = store.db.execute("select count(*) from samples where status = 'accepted'").fetchone()[0]
    t = Table(title=f"cost per stage ({kept} kept)")
    for col in ("stage", "calls", "output tok", "calls / kept", "output tok / kept"):
        t.add_column(col, justify="left" if col == "stage" else "right")
    by_signature = usage_by(store, "signature")
    stages: dict[str, list[int]] = {}
    for name in [s for s in STAGES if s in by_signature] + sorted(set(by_signature) - set(STAGES)):
        calls_tokens = stages.setdefault(STAGES.get(name, name), [0, 0])
        calls_tokens[0] += by_signature[name].calls
        calls_tokens[1] += by_signature[name].completion_tokens
    for stage, (calls, tokens) in stages.items():
        per = (f"{calls / kept:.1f}", f"{tokens / kept:.0f}") if kept else ("", "")
        t.add_row(stage, str(calls), str(tokens), *per)
    return t


def funnel_table(f: Funnel, title: str = "GRA funnel") -> Table:
    t = Table(title=title)
    t.add_column("stage")
    t.add_column("samples", justify="right")
    t.add_row("candidates drawn", str(f.candidates))
    t.add_row("generated (keywords + instruction)", str(f.generated))
    t.add_row("copied: repeats an example it was shown (no judge called)", str(f.copies))
    t.add_row("relabelled: written in another domain than asked", str(f.relabelled))
    t.add_row("screened out: text steers its judges", str(f.screened_out))
    t.add_row("instruction checks passed (3/3 by every reviewer)", str(f.instruction_passed))
    if f.verified:
        v = f.verdicts
        t.add_row("verified: code or math run in the sandbox", str(f.verified))
        t.add_row("  agrees / contradicts / undecided", f"{v['agrees']} / {v['contradicts']} / {v['undecided']}")
        t.add_row("  rejected: contradicted (--verify gate)", str(f.rejected_verification))
    t.add_row(f"score gate: accepted (μ ≥ {f.tau:g}, σ ≤ δ)", str(f.score_accepted))
    t.add_row(f"score gate: sent to adjudicator (μ ≥ {f.tau:g}, σ > δ)", str(f.to_adjudication))
    t.add_row("adjudicated: accepted", str(f.adjudicated))
    t.add_row("deduplicated: dropped", str(f.duplicates))
    t.add_row("kept", str(f.kept), style="bold")
    if f.failed:
        t.add_row("failed (model answer unusable; see lm_calls)", str(f.failed), style="yellow")
    t.add_section()
    t.add_row("calls saved: responses not written (instruction settled first)", str(f.saved.responses), style="dim")
    t.add_row("calls saved: instruction checks after a 0 (early exit)", str(f.saved.checks), style="dim")
    t.add_row("calls saved: score sheets once μ < τ was certain (early exit)", str(f.saved.scores), style="dim")
    return t


def pack_table(path: Path) -> Table:
    """The pack's programs with their held-out metric before and after, and the members' reliability."""
    pack = read_pack(path)
    table = Table(title=f"prompt pack {path} ({pack.digest()})")
    for col in ("role", "model", "optimizer", "metric", "before", "after", "train", "val", "calls"):
        table.add_column(col, justify="right" if col in ("before", "after", "train", "val", "calls") else "left")
    for p in pack.programs:
        fmt = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
        table.add_row(
            p.role,
            p.model,
            p.optimizer,
            p.metric,
            fmt(p.before),
            fmt(p.after),
            str(p.train.rows),
            str(p.val.rows),
            str(p.calls),
        )
    if pack.reliability:
        table.caption = "reliability: " + ", ".join(f"{m} {r:.3f}" for m, r in sorted(pack.reliability.items()))
    return table
