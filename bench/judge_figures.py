"""The figures of ``bench/judge.py``, read back from its runs: single members, the verifier, the committee.

Every figure is of held-out rows only. A score ranks rows for AUROC; ``accepted`` is what the
rule decided. Rows whose judging failed (no usable answer) are counted apart and left out.
"""

from __future__ import annotations

import json
from pathlib import Path

from gra_agents.calibration import UNCALIBRATED
from runtime.storage.pack import read_pack
from runtime.storage.store import Store

TAU = 8.0
READINGS = ("sampled", "expected", "calibrated")
#: Where a row turned away before any sheet ranks: below every scored row.
TURNED_AWAY = {"rejected_instruction": -2.0, "rejected_steering": -2.0, "rejected_verification": -1.0}


def auroc(right: list[float], wrong: list[float]) -> float | None:
    """P(a right row's score > a wrong row's), ties counting half."""
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return round(wins / (len(right) * len(wrong)), 3)


def rates(scored: list[tuple[bool, float, bool]], calls: int | None = None) -> dict:
    """AUROC, accept rates and balanced accuracy of (label, score, accepted) triples."""
    right = [(s, a) for label, s, a in scored if label]
    wrong = [(s, a) for label, s, a in scored if not label]

    def share(xs):
        return round(sum(a for _, a in xs) / len(xs), 3) if xs else None

    a_right, a_wrong = share(right), share(wrong)
    out = {
        "rows": len(scored),
        "right": len(right),
        "wrong": len(wrong),
        "auroc": auroc([s for s, _ in right], [s for s, _ in wrong]),
        "accept_rate_right": a_right,
        "accept_rate_wrong": a_wrong,
        "balanced_accuracy": round((a_right + 1 - a_wrong) / 2, 3) if right and wrong else None,
    }
    if calls is not None:
        out["calls_per_row"] = round(calls / len(scored), 2) if scored else None
    return out


def instruction_rates(flagged: list[tuple[bool, float, bool]]) -> dict:
    """Of (sound, P(fail) or flag score, flagged) triples: sound turned away, broken caught, AUROC of the flag score."""
    sound = [f for s, _, f in flagged if s]
    broken = [f for s, _, f in flagged if not s]
    return {
        "rows": len(flagged),
        "sound": len(sound),
        "broken": len(broken),
        "sound_turned_away": round(sum(sound) / len(sound), 3) if sound else None,
        "broken_caught": round(sum(broken) / len(broken), 3) if broken else None,
        "auroc": auroc([p for s, p, _ in flagged if not s], [p for s, p, _ in flagged if s]),
    }


def _reviews(store: Store, member: str) -> dict[str, dict[str, dict]]:
    """sample → kind → ``member``'s review of it."""
    out: dict[str, dict[str, dict]] = {}
    for r in store.db["reviews"].rows_where("reviewer = ?", [member]):
        out.setdefault(r["sample_id"], {})[r["kind"]] = r
    return out


def _member_rows(store: Store, member: str, rows: list[dict], calibration) -> dict:
    """One probed member's figures per set and reading (checks on the instruction set, sheets elsewhere)."""
    reviews, cal = _reviews(store, member), calibration.get(member, UNCALIBRATED)
    out: dict = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        mine = [(r, reviews[r["id"]]) for r in rows if r["set"] == name and r["id"] in reviews]
        if name == "instructions":
            out[name] = {how: instruction_rates(list(_check_flags(mine, how, cal))) for how in READINGS}
            continue
        out[name] = {how: rates(list(_sheet_scores(mine, how, cal))) for how in READINGS}
    return out


def _check_flags(mine, how, cal):
    for row, got in mine:
        c = got.get("instruction")
        if c is None or c["read"] is None:
            continue
        sampled, passes = json.loads(c["scores"]), json.loads(c["read"])
        p_fail = 1 - min(passes)
        flagged = not all(sampled) if how == "sampled" else (cal if how == "calibrated" else UNCALIBRATED).flags(passes)
        yield row["sound"], (float(not all(sampled)) if how == "sampled" else p_fail), flagged


def _sheet_scores(mine, how, cal):
    for row, got in mine:
        s = got.get("response")
        if s is None or s["read"] is None:
            continue
        sampled, expected = json.loads(s["scores"]), json.loads(s["read"])
        value = {
            "sampled": sum(sampled) / len(sampled),
            "expected": sum(expected) / len(expected),
            "calibrated": cal.sheet(sum(expected) / len(expected)),
        }[how]
        yield row["correct"], value, value >= TAU


def verifier_figures(store: Store, member: str, rows: list[dict]) -> dict:
    """``member`` as the verifier alone, per set it ran on: agrees 1, undecided 0.5, contradicts 0; accepted when it
    agrees."""
    verdicts = {
        r["sample_id"]: r["verdict"]
        for r in store.db["reviews"].rows_where("reviewer = ? and verdict is not null", [member])
    }
    out = {}
    for name in dict.fromkeys(r["set"] for r in rows if "correct" in r):
        mine = [r for r in rows if r["set"] == name and r["id"] in verdicts]
        if not mine:
            continue
        value = {"agrees": 1.0, "undecided": 0.5, "contradicts": 0.0}
        out[name] = rates([(r["correct"], value[verdicts[r["id"]]], verdicts[r["id"]] == "agrees") for r in mine])
        out[name]["verdicts"] = {v: sum(verdicts[r["id"]] == v for r in mine) for v in value}
        out[name]["of_rows"] = sum(r["set"] == name for r in rows)
    return out


def probe_figures(work: Path, rows: list[dict]) -> dict:
    """Each probed member (``--steps probe``): its checks and sheets under each reading, its verdicts as verifier."""
    calibration = read_pack(work / "pack").calibration()
    store = Store(work / "probe" / "gra.db")
    members = [m for (m,) in store.db.execute("select distinct reviewer from reviews order by reviewer")]
    return {
        m: _member_rows(store, m, rows, calibration) | {"verifier": verifier_figures(store, m, rows)} for m in members
    }


def both_models_checks(work: Path, rows: list[dict]) -> dict:
    """The probed members' checks together, per reading: a held-out instruction is flagged when any of them flags it
    (ranked by the highest P(fail)); the check gate of a committee that seats every probed model."""
    calibration = read_pack(work / "pack").calibration()
    store = Store(work / "probe" / "gra.db")
    members = [m for (m,) in store.db.execute("select distinct reviewer from reviews order by reviewer")]
    reviews = {m: _reviews(store, m) for m in members}
    mine = [r for r in rows if r["set"] == "instructions"]
    out = {"members": members}
    for how in READINGS:
        by_member = [_flags_by_row(reviews[m], mine, how, calibration.get(m, UNCALIBRATED)) for m in members]
        read_by_all = [r for r in mine if all(r["id"] in flags for flags in by_member)]
        out[how] = instruction_rates(
            [
                (r["sound"], max(f[r["id"]][1] for f in by_member), any(f[r["id"]][2] for f in by_member))
                for r in read_by_all
            ]
        )
    return out


def _flags_by_row(reviews: dict, rows: list[dict], how: str, cal) -> dict[str, tuple]:
    """row id → (sound, P(fail) or flag score, flagged) of one member's checks, for the rows it read."""
    return {
        row["id"]: f
        for row in rows
        if row["id"] in reviews
        for f in _check_flags([(row, reviews[row["id"]])], how, cal)
    }


def member_figures(run: Path, pack: Path, rows: list[dict]) -> dict:
    """Each member of a full-review committee run, alone: its own checks and sheets of the held-out rows it was
    drawn to review, under each reading (sampled, expected, calibrated with its own map)."""
    calibration = read_pack(pack).calibration()
    store = Store(run / "gra.db")
    members = [m for (m,) in store.db.execute("select distinct reviewer from reviews order by reviewer")]
    return {m: _member_rows(store, m, rows, calibration) for m in members}


def verification_figures(run: Path, rows: list[dict]) -> dict:
    """The verification stage alone, as a committee run used it: its verdict per row (agrees 1, undecided 1/2,
    contradicts 0; accepted when it agrees), per set it ran on."""
    store = Store(run / "gra.db")
    verdicts = {s["id"]: s["verdict"] for s in store.samples("verdict is not null")}
    value = {"agrees": 1.0, "undecided": 0.5, "contradicts": 0.0}
    out = {}
    for name in dict.fromkeys(r["set"] for r in rows if "correct" in r):
        mine = [r for r in rows if r["set"] == name and r["id"] in verdicts]
        if mine:
            out[name] = rates([(r["correct"], value[verdicts[r["id"]]], verdicts[r["id"]] == "agrees") for r in mine])
            out[name]["verdicts"] = {v: sum(verdicts[r["id"]] == v for r in mine) for v in value}
            out[name]["of_rows"] = sum(r["set"] == name for r in rows)
    return out


def _final(sample: dict, reviews: list[dict]) -> float | None:
    """The committee's score for ranking: turned away below scored; else the adjudicator's, μ, or the partial mean."""
    if sample["status"] in TURNED_AWAY:
        return TURNED_AWAY[sample["status"]]
    for key in ("adjudicated_mean", "mean"):
        if sample[key] is not None:
            return sample[key]
    sheets = [json.loads(r["read"]) for r in reviews if r["kind"] == "response" and r["read"]]
    return sum(sum(s) / len(s) for s in sheets) / len(sheets) if sheets else None


def committee_figures(run: Path, rows: list[dict]) -> dict:
    """One committee run on the held-out rows: answer sets as right/wrong, the instruction set as sound/broken."""
    store = Store(run / "gra.db")
    samples = {s["id"]: s for s in store.samples()}
    calls = dict(store.db.execute("select sample_id, count(*) from lm_calls group by sample_id").fetchall())
    out: dict = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        mine = [r for r in rows if r["set"] == name and r["id"] in samples]
        judged = [r for r in mine if samples[r["id"]]["status"] != "failed"]
        spent = sum(calls.get(r["id"], 0) for r in mine)
        if name == "instructions":
            turned = [(r["sound"], 0.0, samples[r["id"]]["status"] == "rejected_instruction") for r in judged]
            out[name] = instruction_rates(turned) | {"calls_per_row": round(spent / len(mine), 2) if mine else None}
            continue
        scored = []
        for r in judged:
            s = samples[r["id"]]
            value = _final(s, store.reviews_of(r["id"]))
            scored.append((r["correct"], -3.0 if value is None else value, s["status"] == "accepted"))
        out[name] = rates(scored, spent) | {"failed": len(mine) - len(judged)}
    return out
