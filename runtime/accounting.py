"""Where a run's tokens and time went: per role, per member, and per kept sample (from ``lm_calls``)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table

from runtime.store import Store


@dataclass(frozen=True)
class Usage:
    calls: int
    prompt_tokens: int
    completion_tokens: int
    call_seconds: float  # summed latency of the calls (they overlap in time)


def usage_by(store: Store, column: str) -> dict[str, Usage]:
    """Totals grouped by ``role`` or ``member``."""
    if column not in ("role", "member", "signature"):
        raise ValueError(f"cannot group lm_calls by {column!r}")
    rows = store.db.execute(
        f"select {column}, count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),"
        f" coalesce(sum(latency_s), 0) from lm_calls group by {column} order by {column}"
    ).fetchall()
    return {r[0]: Usage(r[1], r[2], r[3], r[4]) for r in rows}


def per_kept_sample(store: Store) -> Usage | None:
    """Every call the run made (seed annotation included), divided by the samples it kept."""
    kept = store.db.execute("select count(*) from samples where status = 'accepted'").fetchone()[0]
    if not kept:
        return None
    t = store.token_totals()
    return Usage(
        round(t["calls"] / kept),
        round(t["prompt_tokens"] / kept),
        round(t["completion_tokens"] / kept),
        t["call_seconds"] / kept,
    )


def usage_table(store: Store, wall_seconds: float | None = None) -> Table:
    title = "model usage" + (f" ({wall_seconds:.0f}s wall)" if wall_seconds else "")
    t = Table(title=title)
    for col in ("", "calls", "prompt tok", "output tok", "call-seconds"):
        t.add_column(col, justify="right" if col else "left")
    for heading, group in (("role", usage_by(store, "role")), ("member", usage_by(store, "member"))):
        for name, u in group.items():
            t.add_row(
                f"{heading} {name}",
                str(u.calls),
                str(u.prompt_tokens),
                str(u.completion_tokens),
                f"{u.call_seconds:.0f}",
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
