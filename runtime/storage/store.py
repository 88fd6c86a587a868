"""The run database: every seed, candidate, review, adjudication and model call (SQLite).

One file, ``DIR/gra.db``, in WAL mode, written through sqlite-utils and browsable with
Datasette (``datasette DIR/gra.db``). Every query of the run lives here or in the
reports beside it (:mod:`runtime.storage.funnel`, :mod:`runtime.storage.accounting`).
Samples move through the statuses of :class:`runtime.storage.status.Status`.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from runtime.storage import schema
from runtime.storage.status import COPY, REPLAYABLE, TERMINAL, UNFINISHED, Status, sql_list


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def first_fingerprint(conn: sqlite3.Connection) -> dict[str, str] | None:
    row = conn.execute("select fingerprint from runs order by id limit 1").fetchone()
    return json.loads(row[0]) if row and row[0] else None


def read_fingerprint(path: Path) -> dict[str, str] | None:
    """The fingerprint of the run in database ``path``, read without writing anything."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return first_fingerprint(conn)
    finally:
        conn.close()


class Store:
    """One run's database: the write methods are transitions, the read methods answer the pipeline."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite_utils.Database(self.path)
        self.db.enable_wal()
        self.db.execute("PRAGMA foreign_keys = ON")
        self._depth = 0
        with self.transaction():
            schema.create(self.db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One SQLite transaction; nested blocks join the outermost one.

        Every write method below runs in one, so a transition is all-or-nothing; wrap
        several calls in ``with store.transaction():`` to make them one transition.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self.db.conn:
                yield
        finally:
            self._depth = 0

    # -- runs and members -------------------------------------------------------
    def start_run(self, seed: int, config: dict[str, Any], fingerprint: dict[str, str] | None = None) -> int:
        """Record one invocation of the loop (a resumed run adds a row with the same fingerprint)."""
        row = {"created_at": now(), "seed": seed, "config": json.dumps(config), "status": "running"}
        if fingerprint is not None:
            row["fingerprint"] = json.dumps(fingerprint, sort_keys=True)
        with self.transaction():  # an earlier invocation still "running" was killed
            self.db.execute("update runs set status = 'interrupted' where status = 'running'")
            return self.db["runs"].insert(row).last_pk

    def first_fingerprint(self) -> dict[str, str] | None:
        """The fingerprint the run directory was started with (None for an empty database)."""
        return first_fingerprint(self.db.conn)

    def run_configs(self) -> list[dict[str, Any]]:
        """The settings of every invocation of the loop in this directory, oldest first (a resume adds one)."""
        return [json.loads(c) if c else {} for (c,) in self.db.execute("select config from runs order by id")]

    # -- rounds --------------------------------------------------------------------
    def round_finished(self, round_: int) -> bool:
        row = self.db.execute("select finished_at from rounds where round = ?", [round_]).fetchone()
        return bool(row and row[0])

    def start_round(self, round_: int) -> None:
        with self.transaction():
            if not self.db.execute("select 1 from rounds where round = ?", [round_]).fetchone():
                self.db["rounds"].insert({"round": round_, "started_at": now()})

    def finish_round(self, round_: int) -> None:
        with self.transaction():
            self.db["rounds"].update(round_, {"finished_at": now()})

    def finish_run(self, run_id: int, status: str = "finished") -> None:
        with self.transaction():
            self.db["runs"].update(run_id, {"finished_at": now(), "status": status})

    def put_members(self, rows: list[dict[str, Any]]) -> None:
        with self.transaction():
            self.db["members"].upsert_all(rows, pk="name")

    # -- seeds --------------------------------------------------------------------
    def put_seed(self, row: dict[str, Any]) -> None:
        with self.transaction():
            self.db["seeds"].upsert(row, pk="id")

    def settled_seed_ids(self) -> set[str]:
        """Seeds annotated or failed: a resumed run does not annotate them again."""
        return {r["id"] for r in self.db["seeds"].rows_where(select="id")}

    def seeds(self, where: str | None = None, order_by: str = "line") -> list[dict[str, Any]]:
        return list(self.db["seeds"].rows_where(where, order_by=order_by))

    def sample_status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("select status, count(*) from samples group by status").fetchall())

    def seed_status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("select status, count(*) from seeds group by status").fetchall())

    def unindexed_seeds(self) -> list[dict[str, Any]]:
        """Annotated seeds the dedup index does not hold yet (id, instruction, input)."""
        indexed = {r["ref"] for r in self.db["index_items"].rows_where("kind = 'seed'", select="ref")}
        annotated = self.db["seeds"].rows_where("status = 'annotated'", select="id, instruction, input")
        return [r for r in annotated if r["id"] not in indexed]

    def example_pool(self) -> dict[str, list[tuple[list[str], str, str]]]:
        """Domain → (keywords, summary, ref) of every annotated seed and every kept, summarized sample.

        Reads only those columns, row by row: the pool never holds whole samples.
        """
        pool: dict[str, list] = {}
        columns = "id, domain, keywords, summary"
        for r in self.db["seeds"].rows_where("status = 'annotated'", select=columns):
            pool.setdefault(r["domain"], []).append((json.loads(r["keywords"]), r["summary"], f"seed:{r['id']}"))
        kept = f"status = '{Status.ACCEPTED}' and summary is not null"
        for r in self.db["samples"].rows_where(kept, select=columns, order_by="id"):
            pool.setdefault(r["domain"], []).append((json.loads(r["keywords"]), r["summary"], f"sample:{r['id']}"))
        return pool

    def pool_rows(self, refs: list[str]) -> list[dict[str, Any]]:
        """The pool rows named ``seed:ID`` or ``sample:ID``, in that order, with their full text.

        Each is a dict with ``ref``, ``keywords`` (a list), ``summary``, ``instruction``,
        ``input`` and ``output``: what a generator is shown of the examples it drew.
        """
        columns = "keywords, summary, instruction, input, output"
        rows = []
        for ref in refs:
            kind, key = ref.split(":", 1)
            table = {"seed": "seeds", "sample": "samples"}[kind]
            row = self.db.execute(f"select {columns} from {table} where id = ?", [key]).fetchone()
            if row is not None:
                keywords, summary, instruction, input, output = row
                rows.append(
                    {"ref": ref, "keywords": json.loads(keywords), "summary": summary}
                    | {"instruction": instruction, "input": input or "", "output": output or ""}
                )
        return rows

    # -- samples -------------------------------------------------------------------
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

    def add_review(self, sample_id: str, reviewer: str, kind: str, scores: list[int], review: str | None) -> None:
        with self.transaction():
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
        self,
        sample_id: str,
        adjudicator: str,
        scores: list[int],
        mean: float,
        accepted: bool,
        review: str | None = None,
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
                }
            )

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
            select="id, parse_status, parse_detail, raw_output, finish_reason, prompt_tokens, completion_tokens",
            order_by="id",
            limit=1,
        )
        return next(iter(rows), None)

    def restart_sample(self, row: dict[str, Any]) -> None:
        """Put a sample back at its first stage: its reviews and adjudication go, its calls stay (for replay)."""
        with self.transaction():
            self.db.execute("delete from reviews where sample_id = ?", [row["id"]])
            self.db.execute("delete from adjudications where sample_id = ?", [row["id"]])
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

    def reviews_of(self, sample_id: str) -> list[dict[str, Any]]:
        return list(self.db["reviews"].rows_where("sample_id = ?", [sample_id], order_by="id"))

    def adjudications_of(self, sample_id: str) -> list[dict[str, Any]]:
        return list(self.db["adjudications"].rows_where("sample_id = ?", [sample_id], order_by="id"))

    def calls_of(self, sample_id: str) -> list[dict[str, Any]]:
        return list(self.db["lm_calls"].rows_where("sample_id = ?", [sample_id], order_by="id"))

    # -- the dedup index's labels ----------------------------------------------------
    def next_label(self) -> int:
        return self.db.execute("select coalesce(max(label), -1) + 1 from index_items").fetchone()[0]

    def add_index_items(self, rows: list[dict[str, Any]]) -> None:
        with self.transaction():
            self.db["index_items"].insert_all(rows)

    def index_labels(self) -> set[int]:
        return {r[0] for r in self.db.execute("select label from index_items")}

    def index_texts(self, labels: list[int] | None = None) -> dict[int, tuple[str, str]]:
        """label → (instruction, input) of the seed or sample embedded under it."""
        sql = (
            "select i.label, coalesce(s.instruction, p.instruction), coalesce(s.input, p.input) from index_items i"
            " left join seeds s on i.kind = 'seed' and s.id = i.ref"
            " left join samples p on i.kind = 'sample' and p.id = i.ref"
        )
        wanted = None if labels is None else set(labels)
        rows = self.db.execute(sql).fetchall()
        return {lb: (ins or "", inp or "") for lb, ins, inp in rows if wanted is None or lb in wanted}

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
