"""The samples table: candidates and their transitions.

A part of :class:`runtime.storage.store.Store`, which holds the connection (``self.db``) and
the transactions (``self.transaction()``) every part writes through.
"""

from __future__ import annotations

from typing import Any

from runtime.storage.clock import now
from runtime.storage.status import COPY, TERMINAL, UNFINISHED, sql_list


class SampleRecords:
    def new_sample(self, row: dict[str, Any]) -> None:
        with self.transaction():
            self.db["samples"].insert({**row, "status": str(row["status"]), "created_at": now()})

    def update_sample(self, sample_id: str, **values: Any) -> None:
        if "status" in values:
            values["status"] = str(values["status"])
        if values.get("status") in TERMINAL:
            values.setdefault("finished_at", now())
        with self.transaction():
            self.db["samples"].update(sample_id, values)

    def restart_sample(self, row: dict[str, Any]) -> None:
        """Put a sample back at its first stage: its reviews, programs and adjudication go; its calls stay (replay)."""
        with self.transaction():
            self.db.execute("delete from reviews where sample_id = ?", [row["id"]])
            self.db.execute("delete from adjudications where sample_id = ?", [row["id"]])
            self.db.execute("delete from programs where sample_id = ?", [row["id"]])
            self.db["samples"].insert({**row, "status": str(row["status"]), "created_at": now()}, replace=True)

    def round_progress(self, round_: int) -> dict[str, Any]:
        """Candidates launched, how many passed the committee, and which are unfinished (by ordinal)."""
        launched, passed, next_ordinal = self.db.execute(
            "select count(*), coalesce(sum(status in ('passed', 'accepted')"
            f" or (status = 'duplicate' and not ({COPY}))), 0),"
            " coalesce(max(ordinal), -1) + 1 from samples where round = ?",
            [round_],
        ).fetchone()
        unfinished = [
            r[0]
            for r in self.db.execute(
                f"select ordinal from samples where round = ? and status in {sql_list(UNFINISHED)} order by ordinal",
                [round_],
            )
        ]
        return {"launched": launched, "passed": passed, "next_ordinal": next_ordinal, "unfinished": unfinished}

    def samples(self, where: str | None = None, params: Any = None, order_by: str | None = None) -> list[dict]:
        return list(self.db["samples"].rows_where(where, params or [], order_by=order_by))

    def sample(self, sample_id: str) -> dict[str, Any] | None:
        rows = self.samples("id = ?", [sample_id])
        return rows[0] if rows else None

    def count_samples(self, statuses: tuple[str, ...] | None = None) -> int:
        where = f" where status in {sql_list(statuses)}" if statuses else ""
        return self.db.execute(f"select count(*) from samples{where}").fetchone()[0]

    def finished_rounds(self) -> list[int]:
        return [r[0] for r in self.db.execute("select round from rounds where finished_at is not null order by round")]

    def sample_status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("select status, count(*) from samples group by status").fetchall())
