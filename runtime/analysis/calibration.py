"""Fitting one member's calibration from its probed reviews of labelled rows (``gra calibrate``).

- **check cut**: a member flags an instruction when P(some check fails) exceeds its cut. The
  cut is the lowest that turns away at most ``max_turned_away`` of the sound instructions
  (5% each, so that three reviewers together turn away at most about 15%), which catches as
  many broken ones as any cut that spares the sound ones as well.
- **score map**: isotonic regression (scikit-learn) of the label (right 1, wrong 0) on the
  sheet's expected average: a monotone step function from "how good it said" to "how often
  that was right", kept as its knots.

>>> cut = check_cut([0.1, 0.2, 0.3, 0.9], [0.5, 0.95, 0.97], max_turned_away=0.25)
>>> cut, [p > cut for p in (0.5, 0.95, 0.97)]
(0.3, [True, True, True])
>>> xs, ys = score_map([6.0, 7.0, 8.0, 9.0, 9.5, 10.0], [False, False, True, False, True, True])
>>> [round(y, 2) for y in ys]
[0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from sklearn.isotonic import IsotonicRegression

from runtime.storage.store import Store

#: Sound instructions one member may turn away: three reviewers then turn away at most 1 - 0.95³ ≈ 14%.
MAX_TURNED_AWAY = 0.05


def auroc(right: Sequence[float], wrong: Sequence[float]) -> float | None:
    """P(a right row's value > a wrong row's), ties counting half (None without both).

    >>> auroc([0.9, 0.8], [0.1, 0.8])
    0.875
    """
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return round(wins / (len(right) * len(wrong)), 4)


def check_cut(sound: Sequence[float], broken: Sequence[float], max_turned_away: float = MAX_TURNED_AWAY) -> float:
    """The lowest cut on P(fail) that flags at most ``max_turned_away`` of ``sound`` (flag when P(fail) > cut)."""
    if not sound:
        return 0.5
    spared = sorted(sound)
    allowed = math.floor(max_turned_away * len(spared))  # sound ones that may lie above the cut
    return spared[len(spared) - 1 - allowed]


def score_map(averages: Sequence[float], right: Sequence[bool]) -> tuple[list[float], list[float]]:
    """Knots of the isotonic map from a sheet's expected average to P(right)."""
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    iso.fit(list(averages), [float(r) for r in right])
    return [float(x) for x in iso.X_thresholds_], [float(y) for y in iso.y_thresholds_]


def verdict_accuracy(store: Store, member: str, labels: dict[str, dict]) -> tuple[float | None, int]:
    """Balanced accuracy of ``member``'s verification verdicts in a probe run against ``correct`` (agrees: right),
    and their count. ``undecided`` counts as half right either way: it said nothing.
    """
    hits: dict[bool, list[float]] = {True: [], False: []}
    for s in store.db["reviews"].rows_where("reviewer = ? and verdict is not null", [member]):
        label = labels.get(s["sample_id"], {})
        if "correct" in label:
            said = {"agrees": 1.0, "undecided": 0.5, "contradicts": 0.0}[s["verdict"]]
            hits[bool(label["correct"])].append(said if label["correct"] else 1.0 - said)
    if not hits[True] or not hits[False]:
        return None, len(hits[True]) + len(hits[False])
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    return round((mean(hits[True]) + mean(hits[False])) / 2, 4), len(hits[True]) + len(hits[False])


def reliability_bins(said: Sequence[float], right: Sequence[bool], bins: int = 5) -> list[list[float]]:
    """A reliability diagram's points: per bin of equal width in P(right) said, the mean said, the share right, rows.

    >>> reliability_bins([0.1, 0.15, 0.9, 0.95], [False, False, True, False], bins=2)
    [[0.125, 0.0, 2], [0.925, 0.5, 2]]
    """
    points = []
    for b in range(bins):
        inside = [
            (p, r)
            for p, r in zip(said, right, strict=True)
            if b / bins <= p < (b + 1) / bins or (p == 1 and b == bins - 1)
        ]
        if inside:
            mean_said = sum(p for p, _ in inside) / len(inside)
            points.append([round(mean_said, 4), round(sum(r for _, r in inside) / len(inside), 4), len(inside)])
    return points


def probed(store: Store, member: str, labels: dict[str, dict]) -> tuple[dict, dict]:
    """From a probe run: ``(p_fail by sound label, sheet averages by correct label)`` of ``member``'s reviews.

    ``labels`` maps a row id to its label fields (``sound`` and/or ``correct``). P(fail) of an
    instruction is that of its least likely check; a sheet's average is of its expected scores.
    """
    checks: dict[bool, list[float]] = {True: [], False: []}
    sheets: dict[bool, list[float]] = {True: [], False: []}
    for r in store.db["reviews"].rows_where("reviewer = ? and read is not null", [member]):
        label, read = labels.get(r["sample_id"], {}), json.loads(r["read"])
        if None in read:
            continue
        if r["kind"] == "instruction" and "sound" in label:
            checks[bool(label["sound"])].append(1.0 - min(read))
        elif r["kind"] == "response" and "correct" in label:
            sheets[bool(label["correct"])].append(sum(read) / len(read))
    return checks, sheets
