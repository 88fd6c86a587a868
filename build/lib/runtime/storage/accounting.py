"""Where a run's tokens and time went: per role, per member, and per kept sample (from ``lm_calls``).

The "cached" column is the engine's prefix-cache hit rate: of the prompt tokens of the calls
whose engine reported ``usage.prompt_tokens_details.cached_tokens`` (SGLang with
``--enable-cache-report`` does), the share it did not have to compute again. Empty where
no call of that member reported it.

The "engine" rows add up the members that share an engine. Their call-seconds against
the wall show how evenly a pool loads its engines: on one slot per engine a run can go no
faster than its busiest engine, so an engine far below the others has members to spare
(give its model more members, or the busy one fewer).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table

from runtime.storage.store import Store


@dataclass(frozen=True)
class Usage:
    calls: int
    prompt_tokens: int
    completion_tokens: int
    call_seconds: float  # summed latency of the calls (they overlap in time)
    cached_tokens: int | None = None  # prompt tokens the engine's prefix cache served, where reported
    reported_prompt_tokens: int = 0  # prompt tokens of the calls that reported cached_tokens

    @property
    def cache_hit_rate(self) -> float | None:
        if self.cached_tokens is None or not self.reported_prompt_tokens:
            return None
        return self.cached_tokens / self.reported_prompt_tokens


def usage_by(store: Store, column: str) -> dict[str, Usage]:
    """Totals grouped by ``role``, ``member``, ``signature`` or ``engine`` (the members' engines)."""
    if column not in ("role", "member", "signature", "engine"):
        raise ValueError(f"cannot group lm_calls by {column!r}")
    source = "lm_calls"
    if column == "engine":  # a member the members table does not know counts under its own name
        source = (
            "(select c.*, coalesce(m.engine, c.member) as engine"
            " from lm_calls c left join members m on m.name = c.member)"
        )
    rows = store.db.execute(
        f"select {column}, count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),"
        " coalesce(sum(latency_s), 0), sum(cached_tokens),"
        " coalesce(sum(case when cached_tokens is not null then prompt_tokens end), 0)"
        f" from {source} group by {column} order by {column}"
    ).fetchall()
    return {r[0]: Usage(*r[1:]) for r in rows}


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


#: The stage each signature's calls belong to, in the order a sample meets them.
STAGES = {
    "AnnotateSeed": "seed annotation",
    "InventKeywords": "keywords",
    "WriteInstruction": "instruction",
    "CheckInstruction": "instruction checks",
    "AnswerInstruction": "response",
    "RefineResponse": "response (refine)",
    "ScoreResponse": "scores",
    "Adjudicate": "adjudication",
    "SummarizeSample": "summary",
}


def cost_table(store: Store) -> Table:
    """Calls and output tokens per stage, in all and per kept sample: where the cost of a kept sample goes."""
    kept = store.db.execute("select count(*) from samples where status = 'accepted'").fetchone()[0]
    t = Table(title=f"cost per stage ({kept} kept)")
    for col in ("stage", "calls", "output tok", "calls / kept", "output tok / kept"):
        t.add_column(col, justify="left" if col == "stage" else "right")
    by_signature = usage_by(store, "signature")
    order = [s for s in STAGES if s in by_signature] + sorted(set(by_signature) - set(STAGES))
    for name in order:
        u = by_signature[name]
        per = (f"{u.calls / kept:.1f}", f"{u.completion_tokens / kept:.0f}") if kept else ("", "")
        t.add_row(STAGES.get(name, name), str(u.calls), str(u.completion_tokens), *per)
    return t
