"""Files a run hands to its user, rewritten whole from the database (never appended to).

``data.jsonl`` holds every kept sample once; ``seeds.annotated.jsonl`` every seed of
``gra annotate`` with its domain, keywords and summary; ``curated.jsonl`` every input row
of ``gra curate`` with its verdict and ``accepted.jsonl`` the accepted ones; ``gra refine``'s
``curated.jsonl`` carries each seed's rewrite and ``refined.jsonl`` the accepted ones. All are
derived: a resumed run rewrites them, so a file a crash left behind is never trusted.

One file is appended to while a synth round runs: ``accepted.jsonl``, each sample the
committee passed as it is decided, before deduplication (marked ``provisional``), so a user
sees the first rows within minutes. A resumed run rewrites it from the database first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from runtime.files import atomic_path
from runtime.storage.seeds import Seed
from runtime.storage.status import Status
from runtime.storage.store import Store
from signatures import CHECK_DIMENSIONS, SCORE_DIMENSIONS

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


#: The fields of one ``accepted.jsonl`` line of a synth run, in order.
ACCEPTED_FIELDS = ("id", "instruction", "input", "output", "domain", "mean", "adjudicated_mean", "verdict", "round")
#: Where a synth sample stands once its committee passed it: waiting for dedup, kept, or dropped by it.
PASSED_ONCE = (
    f"status in ('{Status.PASSED}', '{Status.ACCEPTED}') or (status = '{Status.DUPLICATE}' and mean is not null)"
)


def accepted_line(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ACCEPTED_FIELDS} | {"provisional": True}


def append_accepted(store: Store, sample_id: str, path: Path) -> None:
    """Add one sample the committee just passed to ``accepted.jsonl`` (pre-dedup), flushed at once."""
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(accepted_line(store.sample(sample_id)), ensure_ascii=False) + "\n")


def rewrite_accepted(store: Store, path: Path) -> Path:
    """``accepted.jsonl`` anew from the database: every sample the committee passed, in the order it was decided."""
    return write_jsonl(path, (accepted_line(r) for r in store.samples(PASSED_ONCE, order_by="finished_at, id")))


def write_annotated_seeds(store: Store, path: Path) -> Path:
    """``seeds.annotated.jsonl``: every seed in file order, with what the annotator said of it."""
    return write_jsonl(path, ({k: _keywords(r)[k] for k in SEED_FIELDS} for r in store.seeds()))


#: What ``curated.jsonl`` adds to each input row, in order.
VERDICT_FIELDS = ("status", "failure", "domain", "mean", "std", "adjudicated_mean")


def reviews(store: Store, sample_id: str) -> list[dict[str, Any]]:
    """Each reviewer's checks, scores and review of one sample, by name (a stage not reached is absent)."""
    by_reviewer: dict[str, dict[str, Any]] = {}
    for r in store.reviews_of(sample_id):
        entry = by_reviewer.setdefault(r["reviewer"], {"reviewer": r["reviewer"]})
        field, names = ("checks", CHECK_DIMENSIONS) if r["kind"] == "instruction" else ("scores", SCORE_DIMENSIONS)
        entry[field] = dict(zip(names, json.loads(r["scores"]), strict=True))
        if r["review"] is not None:
            entry["review"] = r["review"]
    return list(by_reviewer.values())


def adjudication(store: Store, sample_id: str) -> dict[str, Any] | None:
    """The adjudicator's name, scores, average and review of one sample, if it was reached."""
    for a in store.adjudications_of(sample_id):
        scores = dict(zip(SCORE_DIMENSIONS, json.loads(a["scores"]), strict=True))
        return {"adjudicator": a["adjudicator"], "scores": scores, "mean": a["mean"], "review": a["review"]}
    return None


def curated_row(store: Store, row: Seed) -> dict[str, Any]:
    """One input row, every field of it kept, with the committee's verdict on it."""
    sample = store.sample(row.id) or {"status": None}
    out = {"id": row.id, "instruction": row.instruction, "input": row.input, "output": row.output, **row.extra}
    out |= {k: sample.get(k) for k in VERDICT_FIELDS}
    return out | {"reviews": reviews(store, row.id), "adjudication": adjudication(store, row.id)}


def write_curated(store: Store, rows: list[Seed], out: Path) -> tuple[Path, Path]:
    """``curated.jsonl`` (every input row, in input order) and ``accepted.jsonl`` (the accepted ones)."""
    curated = [curated_row(store, r) for r in rows]
    write_jsonl(out / "curated.jsonl", curated)
    write_jsonl(out / "accepted.jsonl", (r for r in curated if r["status"] == Status.ACCEPTED))
    return out / "curated.jsonl", out / "accepted.jsonl"


def refined_row(store: Store, row: Seed) -> dict[str, Any]:
    """One seed with its rewrite as ``output`` (the seed's own kept as ``original_output``) and the verdict on it."""
    sample = store.sample(row.id) or {}
    out = curated_row(store, row)
    return out | {"output": sample.get("output"), "original_output": row.output, "generator": sample.get("generator")}


def write_refined(store: Store, rows: list[Seed], out: Path) -> tuple[Path, Path]:
    """``curated.jsonl`` (every seed in input order, with its rewrite) and ``refined.jsonl`` (accepted rewrites)."""
    curated = [refined_row(store, r) for r in rows]
    write_jsonl(out / "curated.jsonl", curated)
    write_jsonl(out / "refined.jsonl", (r for r in curated if r["status"] == Status.ACCEPTED))
    return out / "curated.jsonl", out / "refined.jsonl"
