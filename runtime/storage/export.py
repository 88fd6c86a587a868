"""Files a run hands to its user, rewritten whole from the database (never appended to).

``data.jsonl`` holds every kept sample once; ``seeds.annotated.jsonl`` every seed of
``gra annotate`` with its domain, keywords and summary. Both are derived: a resumed run
rewrites them, so a file a crash left behind is never trusted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from runtime.files import atomic_path
from runtime.storage.status import Status
from runtime.storage.store import Store

#: The fields of one ``data.jsonl`` line, in order.
DATA_FIELDS = ("id", "instruction", "input", "output", "domain", "keywords", "summary", "mean", "round")
#: The fields of one ``seeds.annotated.jsonl`` line, in order.
SEED_FIELDS = ("id", "instruction", "input", "output", "domain", "keywords", "summary", "status")


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Write ``rows`` as JSON lines (UTF-8, unescaped), all at once."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _keywords(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "keywords": json.loads(row["keywords"]) if row["keywords"] else None}


def write_data(store: Store, path: Path) -> Path:
    """``data.jsonl``: every accepted sample once, by round, then descending μ."""
    rows = store.samples(f"status = '{Status.ACCEPTED}'", order_by="round, mean desc, id")
    return write_jsonl(path, ({k: _keywords(r)[k] for k in DATA_FIELDS} for r in rows))


def write_annotated_seeds(store: Store, path: Path) -> Path:
    """``seeds.annotated.jsonl``: every seed in file order, with what the annotator said of it."""
    return write_jsonl(path, ({k: _keywords(r)[k] for k in SEED_FIELDS} for r in store.seeds()))
