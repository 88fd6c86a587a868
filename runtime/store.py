"""The run database: every seed, candidate, review, adjudication and model call (SQLite).

One file, ``DIR/gra.db``, in WAL mode, written through sqlite-utils and browsable with
Datasette (``datasette DIR/gra.db``). Samples move through ``generating`` →
``reviewing`` → ``passed`` (awaiting dedup) and end in exactly one terminal status.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import sqlite_utils

from runtime.call_log import CallRecord

TERMINAL = ("accepted", "rejected_instruction", "rejected_score", "rejected_adjudication", "duplicate", "failed")
IN_FLIGHT = ("generating", "reviewing", "adjudicating", "passed")


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite_utils.Database(self.path)
        self.db.enable_wal()
        self.db.execute("PRAGMA foreign_keys = ON")
        self._create()

    def _create(self) -> None:
        db = self.db
        if "runs" in db.table_names():
            return
        with db.conn:
            db["runs"].create(
                {"id": int, "created_at": str, "finished_at": str, "seed": int, "config": str, "status": str}, pk="id"
            )
            db["members"].create({"name": str, "engine": str, "model": str, "kind": str, "sampling": str}, pk="name")
            db["seeds"].create(
                {
                    "id": str,
                    "source": str,
                    "line": int,
                    "instruction": str,
                    "input": str,
                    "output": str,
                    "domain": str,
                    "keywords": str,
                    "summary": str,
                    "annotator": str,
                    "status": str,
                },
                pk="id",
            )
            db["samples"].create(
                {
                    "id": str,
                    "round": int,
                    "ordinal": int,
                    "status": str,
                    "domain": str,
                    "examples": str,
                    "generator": str,
                    "reviewers": str,
                    "adjudicator": str,
                    "keywords": str,
                    "instruction": str,
                    "input": str,
                    "output": str,
                    "mean": float,
                    "std": float,
                    "adjudicated_mean": float,
                    "duplicate_of": str,
                    "similarity": float,
                    "summary": str,
                    "summarizer": str,
                    "failure": str,
                    "created_at": str,
                    "finished_at": str,
                },
                pk="id",
            )
            db["reviews"].create(
                {"id": int, "sample_id": str, "reviewer": str, "kind": str, "scores": str, "review": str},
                pk="id",
                foreign_keys=[("sample_id", "samples", "id")],
            )
            db["adjudications"].create(
                {"id": int, "sample_id": str, "adjudicator": str, "scores": str, "mean": float, "accepted": int},
                pk="id",
                foreign_keys=[("sample_id", "samples", "id")],
            )
            db["lm_calls"].create(
                {
                    "id": int,
                    "sample_id": str,
                    "seed_id": str,
                    "role": str,
                    "member": str,
                    "signature": str,
                    "messages": str,
                    "raw_output": str,
                    "parse_status": str,
                    "parse_detail": str,
                    "finish_reason": str,
                    "prompt_tokens": int,
                    "completion_tokens": int,
                    "cached_tokens": int,
                    "latency_s": float,
                    "started_at": str,
                    "attempt": int,
                    "seed": int,
                },
                pk="id",
            )
            db["index_items"].create({"label": int, "kind": str, "ref": str}, pk="label")
            db["samples"].create_index(["status"])
            db["samples"].create_index(["round"])
            db["lm_calls"].create_index(["sample_id"])
            db["reviews"].create_index(["sample_id"])

    # -- runs and members -------------------------------------------------------
    def start_run(self, seed: int, config: dict[str, Any]) -> int:
        with self.db.conn:
            return (
                self.db["runs"]
                .insert({"created_at": now(), "seed": seed, "config": json.dumps(config), "status": "running"})
                .last_pk
            )

    def finish_run(self, run_id: int, status: str = "finished") -> None:
        with self.db.conn:
            self.db["runs"].update(run_id, {"finished_at": now(), "status": status})

    def put_members(self, rows: list[dict[str, Any]]) -> None:
        with self.db.conn:
            self.db["members"].upsert_all(rows, pk="name")

    # -- seeds --------------------------------------------------------------------
    def put_seed(self, row: dict[str, Any]) -> None:
        with self.db.conn:
            self.db["seeds"].upsert(row, pk="id")

    def annotated_seeds(self) -> list[dict[str, Any]]:
        return list(self.db["seeds"].rows_where("status = 'annotated'"))

    # -- samples -------------------------------------------------------------------
    def new_sample(self, row: dict[str, Any]) -> None:
        with self.db.conn:
            self.db["samples"].insert({**row, "created_at": now()})

    def update_sample(self, sample_id: str, **values: Any) -> None:
        if values.get("status") in TERMINAL:
            values.setdefault("finished_at", now())
        with self.db.conn:
            self.db["samples"].update(sample_id, values)

    def add_review(self, sample_id: str, reviewer: str, kind: str, scores: list[int], review: str | None) -> None:
        with self.db.conn:
            self.db["reviews"].insert(
                {
                    "sample_id": sample_id,
                    "reviewer": reviewer,
                    "kind": kind,
                    "scores": json.dumps(scores),
                    "review": review,
                }
            )

    def add_adjudication(
        self, sample_id: str, adjudicator: str, scores: list[int], mean: float, accepted: bool
    ) -> None:
        with self.db.conn:
            self.db["adjudications"].insert(
                {
                    "sample_id": sample_id,
                    "adjudicator": adjudicator,
                    "scores": json.dumps(scores),
                    "mean": mean,
                    "accepted": int(accepted),
                }
            )

    def add_calls(
        self, calls: list[CallRecord], role: str, member: str, sample_id: str | None = None, seed_id: str | None = None
    ) -> None:
        rows = [
            {
                "sample_id": sample_id,
                "seed_id": seed_id,
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
            }
            for c in calls
        ]
        if rows:
            with self.db.conn:
                self.db["lm_calls"].insert_all(rows)

    def samples(self, where: str | None = None, params: Any = None, order_by: str | None = None) -> list[dict]:
        return list(self.db["samples"].rows_where(where, params or [], order_by=order_by))

    def sample(self, sample_id: str) -> dict[str, Any] | None:
        rows = self.samples("id = ?", [sample_id])
        return rows[0] if rows else None

    # -- the dedup index's labels ----------------------------------------------------
    def next_label(self) -> int:
        return self.db.execute("select coalesce(max(label), -1) + 1 from index_items").fetchone()[0]

    def add_index_items(self, rows: list[dict[str, Any]]) -> None:
        with self.db.conn:
            self.db["index_items"].insert_all(rows)

    def index_ref(self, label: int) -> str | None:
        row = self.db.execute("select kind, ref from index_items where label = ?", [label]).fetchone()
        return None if row is None else f"{row[0]}:{row[1]}"

    def count_adjudicated(self, round_: int | None = None) -> tuple[int, int]:
        """(sent to the adjudicator, accepted by it)."""
        sql = "select count(*), coalesce(sum(a.accepted), 0) from adjudications a join samples s on s.id = a.sample_id"
        sql += " where s.round = ?" if round_ is not None else ""
        return tuple(self.db.execute(sql, [round_] if round_ is not None else []).fetchone())

    def parse_status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("select parse_status, count(*) from lm_calls group by parse_status").fetchall())

    def token_totals(self) -> dict[str, Any]:
        row = self.db.execute(
            "select count(*), coalesce(sum(prompt_tokens),0), coalesce(sum(completion_tokens),0),"
            " coalesce(sum(latency_s),0) from lm_calls"
        ).fetchone()
        return {"calls": row[0], "prompt_tokens": row[1], "completion_tokens": row[2], "call_seconds": row[3]}
