"""The seeds table and the example pool drawn from seeds and kept samples.

A part of :class:`runtime.storage.store.Store`, which holds the connection (``self.db``) and
the transactions (``self.transaction()``) every part writes through.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.storage.status import Status


class SeedRecords:
    def put_seed(self, row: dict[str, Any]) -> None:
        with self.transaction():
            self.db["seeds"].upsert(row, pk="id")

    def settled_seed_ids(self) -> set[str]:
        """Seeds annotated or failed: a resumed run does not annotate them again."""
        return {r["id"] for r in self.db["seeds"].rows_where(select="id")}

    def seeds(self, where: str | None = None, order_by: str = "line") -> list[dict[str, Any]]:
        return list(self.db["seeds"].rows_where(where, order_by=order_by))

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
