"""What the judges said over a whole run, read back for the report: score sheets, checks, σ, verdicts, domains."""

from __future__ import annotations

import json
from collections import Counter

from runtime.storage.status import Status
from runtime.storage.store import Store
from signatures import CHECK_DIMENSIONS, SCORE_DIMENSIONS


def score_sheets(store: Store) -> list[tuple[str, dict[str, int]]]:
    """Every reviewer's score sheet: (reviewer, dimension → 1-10 score)."""
    rows = store.db.execute("select reviewer, scores from reviews where kind = 'response' order by id")
    return [(r, dict(zip(SCORE_DIMENSIONS, json.loads(s), strict=True))) for r, s in rows]


def check_failure_shares(store: Store) -> dict[str, float]:
    """Of every instruction-check sheet, the share that answered 0 on each check."""
    sheets = [json.loads(s) for (s,) in store.db.execute("select scores from reviews where kind = 'instruction'")]
    if not sheets:
        return {}
    return {name: sum(sheet[i] == 0 for sheet in sheets) / len(sheets) for i, name in enumerate(CHECK_DIMENSIONS)}


def sigmas(store: Store) -> list[float]:
    """σ of the reviewers' means of every sample fully scored."""
    return [s for (s,) in store.db.execute("select std from samples where std is not null order by id")]


def adjudication_outcomes(store: Store) -> dict[str, int]:
    """How the adjudicator settled the disputes: accepted, rejected."""
    rows = store.db.execute("select accepted, count(*) from adjudications group by accepted").fetchall()
    counts = dict(rows)
    return {"accepted": counts.get(1, 0), "rejected": counts.get(0, 0)}


def domain_shares(store: Store) -> dict[str, dict[str, float]]:
    """Domain → share, for the annotated seeds (``seeds``) and the kept samples of each round (``round N``)."""
    groups = {"seeds": Counter(d for (d,) in store.db.execute("select domain from seeds where status = 'annotated'"))}
    kept = store.db.execute("select round, domain from samples where status = ? order by round", [Status.ACCEPTED])
    for round_, domain in kept:
        groups.setdefault(f"round {round_}", Counter())[domain] += 1
    return {g: {d or "?": n / sum(c.values()) for d, n in c.items()} for g, c in groups.items() if c}


def examples(store: Store, n: int = 3) -> list[dict]:
    """A few samples to read: the best kept ones, one adjudicated, and one rejected on its scores."""
    kept = store.samples("status = ?", [Status.ACCEPTED], order_by="mean desc, id")[:n]
    adjudicated = store.samples("id in (select sample_id from adjudications)", order_by="id")[:1]
    low = store.samples("status = ?", [Status.REJECTED_SCORE], order_by="mean desc, id")[:1]
    seen, picked = set(), []
    for row in kept + adjudicated + low:
        if row["id"] not in seen:
            seen.add(row["id"])
            picked.append(row)
    return picked


def first_checks(store: Store) -> list[tuple[str, bool]]:
    """Each sample's first instruction-check sheet, in the order written: (reviewer, gave a 0)."""
    rows = store.db.execute(
        "select reviewer, scores from reviews where id in "
        "(select min(id) from reviews where kind = 'instruction' group by sample_id) order by id"
    )
    return [(reviewer, 0 in json.loads(scores)) for reviewer, scores in rows]
