"""How one member's judgements are read once they are calibrated on labelled rows.

A member's raw numbers mean different things from member to member: one small model gives
9s to everything, another flags half of all sound instructions. Calibration, fitted per
member on labelled rows (``gra calibrate``), turns them into statements with a meaning:

- **checks**: the member flags an instruction only when its probability that some check
  fails exceeds the member's own ``check_cut`` (chosen so it turns away few sound
  instructions while catching broken ones);
- **verifier**: how often its verification verdicts (agrees / contradicts) matched the labels;
  the best of a sample's reviewers writes its programs;
- **scores**: the sheet's expected average (each score weighted by its probability) maps,
  through a monotone function fitted by isotonic regression, to the probability that the
  response is right; the calibrated sheet is ``1 + 9 × P(right)``, on the paper's 1-10
  scale, so τ, δ and the committee rule apply unchanged (τ = 8 asks P(right) ≥ 7/9 of the
  reviewers on average). It never exceeds 10, so early exit's bound stays exact.

>>> c = MemberCalibration(check_cut=0.6, score_x=(5.0, 8.0, 9.5), score_y=(0.1, 0.5, 0.9))
>>> c.flags([0.9, 0.35, 0.95]), c.flags([0.9, 0.5, 0.95])
(True, False)
>>> round(c.sheet(8.75), 3), c.sheet(2.0), c.sheet(10.0)
(7.3, 1.9, 9.1)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


def interpolate(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Piecewise-linear through the knots (xs ascending), flat beyond the ends (as numpy.interp)."""
    if not xs:
        raise ValueError("no knots")
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect_right(xs, x)
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


@dataclass(frozen=True)
class MemberCalibration:
    """One member's check cut and score map (knots of expected sheet average → P(right))."""

    check_cut: float | None = None
    score_x: tuple[float, ...] = ()
    score_y: tuple[float, ...] = ()
    verifier: float | None = None  # balanced accuracy of its verdicts on labelled math and code: who verifies

    def flags(self, passes: Sequence[float | None]) -> bool:
        """Whether the checks flag the instruction: some check's P(fail) is above the cut (0.5 when uncalibrated)."""
        cut = 0.5 if self.check_cut is None else self.check_cut
        return any(p is not None and 1 - p > cut for p in passes)

    def p_right(self, expected_average: float) -> float | None:
        """P(right) of a sheet whose expected scores average ``expected_average``; None without a score map."""
        return interpolate(expected_average, self.score_x, self.score_y) if self.score_x else None

    def sheet(self, expected_average: float) -> float:
        """The calibrated sheet on the 1-10 scale: ``1 + 9 × P(right)`` (the expected average itself without a map)."""
        p = self.p_right(expected_average)
        return expected_average if p is None else 1.0 + 9.0 * p


#: A member with no calibration: checks flag at P(fail) > 0.5, sheets are their expected averages.
UNCALIBRATED = MemberCalibration()
