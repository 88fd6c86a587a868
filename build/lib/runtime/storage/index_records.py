"""The index_items table: which seed or sample each dedup-index label embeds.

A part of :class:`runtime.storage.store.Store`, which holds the connection (``self.db``) and
the transactions (``self.transaction()``) every part writes through.
"""

from __future__ import annotations

from typing import Any


class IndexRecords:
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
