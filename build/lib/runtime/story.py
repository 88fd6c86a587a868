"""One sample's whole story, told from the run database: ``gra inspect``.

Its roles, the examples and demos it was shown, its text, every review (sampled and as
read), every program the verification stage ran with its output, the verdict, the
adjudication, and every model call (with ``raw``, each prompt and raw answer too).
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from runtime.errors import GraError
from runtime.storage.store import Store


class NoSuchSample(GraError, LookupError):
    """The run database holds no sample of that id."""


def tell(store: Store, sample_id: str, out: Console, raw: bool = False) -> None:
    """Print the story of ``sample_id``; raise :class:`NoSuchSample` if the database has none."""
    s = store.sample(sample_id)
    if s is None:
        raise NoSuchSample(f"{store.path}: no sample {sample_id!r}")
    out.rule(f"{s['id']}  status={s['status']}  round={s['round']}  domain={s['domain']}")
    _text(s, out)
    out.print(_reviews(store.reviews_of(sample_id)))
    _programs(s, store.programs_of(sample_id), out)
    _verdict(s, store.adjudications_of(sample_id), out)
    out.print(_calls(store.calls_of(sample_id), out if raw else None))


def _text(s: dict[str, Any], out: Console) -> None:
    reviewers = ", ".join(json.loads(s["reviewers"]))
    out.print(f"generator {s['generator']} · reviewers {reviewers} · adjudicator {s['adjudicator']}")
    out.print(f"examples: {', '.join(json.loads(s['examples'] or '[]'))}")
    out.print(f"demos: {', '.join(json.loads(s.get('demos') or '[]'))}")
    for key in ("keywords", "instruction", "input", "output", "summary"):
        if s[key]:
            out.print(f"[bold]{key}[/]: {s[key]}", highlight=False)


def _reviews(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="reviews")
    for col in ("reviewer", "kind", "sampled", "read as", "review"):
        table.add_column(col)
    for r in rows:
        read = json.loads(r["read"]) if r.get("read") else None
        shown = f"{r['reading']} {[round(x, 2) if x is not None else None for x in read]}" if read else ""
        table.add_row(r["reviewer"], r["kind"], r["scores"], shown, r["review"] or "")
    return table


def _programs(s: dict[str, Any], rows: list[dict[str, Any]], out: Console) -> None:
    """What the verification stage ran, each program with its output, and the evidence the scorers read."""
    if not s.get("verified"):
        return
    out.rule(f"verification ({s['verified']}): {s['verdict']}")
    for p in rows:
        who = p["author"] or "the response"
        out.print(
            f"[bold]{p['role']}[/] by {who} (seat {p['seat']}): {p['status']} in {p['seconds']:.1f} s", highlight=False
        )
        out.print(p["source"], markup=False, highlight=False)
        if p["stdout"]:
            out.print(f"[dim]stdout:[/] {p['stdout'][-600:]}", highlight=False)
        if p["status"] != "ok" and p["detail"]:
            out.print(f"[dim]detail:[/] {p['detail']}", highlight=False)
    out.print(f"[bold]evidence[/]: {s['evidence']}", highlight=False)


def _verdict(s: dict[str, Any], adjudications: list[dict[str, Any]], out: Console) -> None:
    if s["mean"] is not None:
        out.print(f"μ = {s['mean']:.3f}, σ = {s['std']:.3f}")
    for a in adjudications:
        out.print(
            f"adjudicator {a['adjudicator']}: {a['scores']} → mean {a['mean']:.2f}, accepted={bool(a['accepted'])}"
            + (f". Review: {a['review']}" if a.get("review") else "")
        )
    if s["duplicate_of"]:
        out.print(f"duplicate of {s['duplicate_of']} (cosine {s['similarity']:.3f})")
    if s["failure"]:
        out.print(f"[yellow]failure[/]: {s['failure']}")


def _calls(rows: list[dict[str, Any]], raw_to: Console | None) -> Table:
    table = Table(title="model calls")
    for col in ("role", "member", "signature", "status", "finish", "prompt tok", "output tok", "seconds"):
        table.add_column(col)
    for c in rows:
        table.add_row(
            c["role"],
            c["member"],
            c["signature"],
            c["parse_status"],
            c["finish_reason"] or "",
            str(c["prompt_tokens"]),
            str(c["completion_tokens"]),
            f"{c['latency_s']:.2f}",
        )
        if raw_to is not None:
            raw_to.print(
                f"[dim]{c['signature']} by {c['member']} messages:[/] {c['messages']}\n[dim]raw:[/] {c['raw_output']}",
                highlight=False,
            )
    return table
