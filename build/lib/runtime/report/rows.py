"""The report's first section: every row the run made, kept or not, with the stage and reason that decided it.

A user opens a report to see the data. So it leads with one table of every sample (every
input row, for a curation): its status, the gate that settled it and why, in a line, and
its text; the page filters it by domain and status. The plots come after.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.storage.store import Store

#: How much of an instruction or response the table shows (the whole text is in gra.db and the data files).
SHOWN_CHARS = 400


def _cut(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + " …"


def _flags(store: Store, sample_id: str) -> str:
    """Who turned the instruction away, and on which checks."""
    names = ("reasonable", "complete", "clear")
    parts = []
    for r in store.reviews_of(sample_id):
        if r["kind"] != "instruction":
            continue
        sampled = json.loads(r["scores"])
        read = json.loads(r["read"]) if r.get("read") else None
        if r.get("reading") in ("expected", "calibrated") and read and None not in read:
            failing = [f"{n} P(fail) {1 - p:.2f}" for n, p in zip(names, read, strict=True) if 1 - p > 0.5]
        else:
            failing = [n for n, v in zip(names, sampled, strict=True) if not v]
        if failing:
            parts.append(f"{r['reviewer']}: {', '.join(failing)}")
    return "; ".join(parts) or "a reviewer flagged it"


def reason(store: Store, s: dict[str, Any], tau: float) -> tuple[str, str]:
    """(the stage that settled the sample, why) in words."""
    status, mean = s["status"], s.get("mean")
    if status == "accepted":
        return "kept", f"μ {mean:.2f}" if mean is not None else "passed"
    if status == "duplicate":
        if s.get("duplicate_of"):
            return "dedup", f"near-duplicate of {s['duplicate_of']} (cosine {s['similarity']:.2f})"
        return "copy", "repeats an example its generator was shown"
    if status == "rejected_instruction":
        return "checks", _flags(store, s["id"])
    if status == "rejected_verification":
        return "verification", s.get("evidence") or "contradicted"
    if status == "rejected_score":
        return "scores", f"μ {mean:.2f} < τ {tau:g}" if mean is not None else f"μ < τ {tau:g} whatever the rest gave"
    if status == "rejected_adjudication":
        return "adjudicator", f"its mean {s['adjudicated_mean']:.2f} < τ {tau:g}"
    if status == "rejected_steering":
        return "screen", s.get("failure") or "steers its judges"
    return status, s.get("failure") or ""


def data_rows(store: Store, tau: float) -> list[dict[str, Any]]:
    """Every sample as the report's table shows it, kept first, then by round and id."""
    rows = []
    for s in store.samples(order_by="status != 'accepted', round, id"):
        stage, why = reason(store, s, tau)
        rows.append(
            {
                "id": s["id"],
                "domain": s.get("domain") or "",
                "status": s["status"],
                "stage": stage,
                "why": why,
                "verdict": s.get("verdict") or "",
                "instruction": _cut(s.get("instruction")),
                "input": _cut(s.get("input")),
                "output": _cut(s.get("output")),
            }
        )
    return rows
