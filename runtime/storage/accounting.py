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


#: The stage each signature's calls belong to, in the order a sample meets them.
STAGES = {
    "AnnotateSeed": "seed annotation",
    "InventKeywords": "keywords",
    "WriteInstruction": "instruction",
    "CheckInstruction": "instruction checks",
    "AnswerInstruction": "response",
    "RefineResponse": "response (refine)",
    "WriteProgram": "verification: programs",
    "WriteReference": "verification: reference solutions",
    "ScoreResponse": "scores",
    "ScoreWithEvidence": "scores",
    "Adjudicate": "adjudication",
    "AdjudicateWithEvidence": "adjudication",
    "SummarizeSample": "summary",
}
