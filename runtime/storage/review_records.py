"""The reviews and adjudications tables: what the committee said of each sample.

A part of :class:`runtime.storage.store.Store`, which holds the connection (``self.db``) and
the transactions (``self.transaction()``) every part writes through.
"""

from __future__ import annotations

import json
from typing import Any


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


class ReviewRecords:
    def add_review(
        self,
        sample_id: str,
        reviewer: str,
        kind: str,
        scores: list[int],
        review: str | None,
        *,
        reading: str | None = None,
        read: list[float] | None = None,
        probabilities: dict | None = None,
        verdict: str | None = None,
    ) -> None:
        """One reviewer's checks (``kind`` instruction) or sheet (response): the sampled numbers, how the
        committee read them (``reading``: sampled, expected or calibrated), the numbers it read (``read``; for
        checks, each P(pass)), the engine's probability of every allowed value (``probabilities``), and the
        verification verdict the sheet was scored with when it was this reviewer's own (a probe's)."""
        with self.transaction():
            self.db["reviews"].insert(
                {
                    "sample_id": sample_id,
                    "reviewer": reviewer,
                    "kind": kind,
                    "scores": json.dumps(scores),
                    "review": review,
                    "reading": reading,
                    "read": _json(read),
                    "probabilities": _json(probabilities),
                    "verdict": verdict,
                }
            )

    def add_program(
        self, sample_id: str, role: str, author: str | None, seat: int, source: str, calls: list[str], run: Any
    ) -> None:
        """One program the verification stage ran (``role``: program, reference or response) and how its run went."""
        with self.transaction():
            self.db["programs"].insert(
                {
                    "sample_id": sample_id,
                    "role": role,
                    "author": author,
                    "seat": seat,
                    "source": source,
                    "calls": json.dumps(calls),
                    "status": str(run.status),
                    "stdout": run.stdout,
                    "stderr": run.stderr,
                    "detail": run.detail,
                    "seconds": round(run.seconds, 3),
                }
            )

    def programs_of(self, sample_id: str) -> list[dict[str, Any]]:
        return list(self.db["programs"].rows_where("sample_id = ?", [sample_id], order_by="id"))

    def add_adjudication(
        self,
        sample_id: str,
        adjudicator: str,
        scores: list[int],
        mean: float,
        accepted: bool,
        review: str | None = None,
        *,
        reading: str | None = None,
        probabilities: dict | None = None,
    ) -> None:
        with self.transaction():
            self.db["adjudications"].insert(
                {
                    "sample_id": sample_id,
                    "adjudicator": adjudicator,
                    "scores": json.dumps(scores),
                    "mean": mean,
                    "accepted": int(accepted),
                    "review": review,
                    "reading": reading,
                    "probabilities": _json(probabilities),
                }
            )

    def reviews_of(self, sample_id: str) -> list[dict[str, Any]]:
        return list(self.db["reviews"].rows_where("sample_id = ?", [sample_id], order_by="id"))

    def adjudications_of(self, sample_id: str) -> list[dict[str, Any]]:
        return list(self.db["adjudications"].rows_where("sample_id = ?", [sample_id], order_by="id"))

    def count_adjudicated(self, round_: int | None = None) -> tuple[int, int]:
        """(sent to the adjudicator, accepted by it)."""
        sql = "select count(*), coalesce(sum(a.accepted), 0) from adjudications a join samples s on s.id = a.sample_id"
        sql += " where s.round = ?" if round_ is not None else ""
        return tuple(self.db.execute(sql, [round_] if round_ is not None else []).fetchone())
