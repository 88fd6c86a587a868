"""The lm_calls table: every model call, its parse status and tokens; the replay cache.

A part of :class:`runtime.storage.store.Store`, which holds the connection (``self.db``) and
the transactions (``self.transaction()``) every part writes through.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.storage.status import REPLAYABLE


class CallRecords:
    def add_calls(self, calls: list[Any], role: str, member: str, **made_for: str | None) -> None:
        """Store the call records of one role call; ``made_for``: sample_id, seed_id, program (a pack's)."""
        rows = [
            {
                "sample_id": made_for.get("sample_id"),
                "seed_id": made_for.get("seed_id"),
                "role": role,
                "member": member,
                "signature": c.signature,
                "messages": json.dumps(c.messages, ensure_ascii=False),
                "raw_output": c.raw_output,
                "parse_status": c.parse_status,
                "parse_detail": c.parse_detail,
                "finish_reason": c.finish_reason,
                "prompt_tokens": c.prompt_tokens,
                "completion_tokens": c.completion_tokens,
                "cached_tokens": c.cached_tokens,
                "latency_s": round(c.latency_s, 4),
                "started_at": c.started_at,
                "attempt": c.attempt,
                "seed": c.seed,
                "request_hash": c.request_hash,
                "program": made_for.get("program"),
                "logprobs": json.dumps(c.logprobs) if c.logprobs else None,
            }
            for c in calls
            if c.replay_of is None  # a replayed answer is already in the table, counted once
        ]
        if rows:
            with self.transaction():
                self.db["lm_calls"].insert_all(rows)

    def recorded_call(self, request_hash: str, statuses: tuple[str, ...] = REPLAYABLE) -> dict[str, Any] | None:
        """The first call sent with this request hash that ended in one of ``statuses`` (the replay cache), or None."""
        rows = self.db["lm_calls"].rows_where(
            f"request_hash = ? and parse_status in ({', '.join('?' * len(statuses))})",
            [request_hash, *statuses],
            select="id, parse_status, parse_detail, raw_output, finish_reason, prompt_tokens, completion_tokens,"
            " logprobs",
            order_by="id",
            limit=1,
        )
        return next(iter(rows), None)

    def last_call_id(self) -> int:
        """The id of the last call recorded (0 in an empty database): what a later step spends is counted after it."""
        return self.db.execute("select coalesce(max(id), 0) from lm_calls").fetchone()[0]

    def calls_of(self, sample_id: str) -> list[dict[str, Any]]:
        return list(self.db["lm_calls"].rows_where("sample_id = ?", [sample_id], order_by="id"))

    def parse_status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("select parse_status, count(*) from lm_calls group by parse_status").fetchall())

    def token_totals(self) -> dict[str, Any]:
        row = self.db.execute(
            "select count(*), coalesce(sum(prompt_tokens),0), coalesce(sum(completion_tokens),0),"
            " coalesce(sum(latency_s),0) from lm_calls"
        ).fetchone()
        return {"calls": row[0], "prompt_tokens": row[1], "completion_tokens": row[2], "call_seconds": row[3]}
