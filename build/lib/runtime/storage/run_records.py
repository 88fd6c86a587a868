"""The runs, rounds and members tables: one invocation of the loop, its rounds, who played.

A part of :class:`runtime.storage.store.Store`, which holds the connection (``self.db``) and
the transactions (``self.transaction()``) every part writes through.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from runtime.storage.clock import now


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


class RunRecords:
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
