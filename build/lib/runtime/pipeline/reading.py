"""How the committee reads its judges' answers: as sampled, as expected values, or calibrated (``--scores``).

Every check and score sheet comes back with its sampled numbers and the engine's
probabilities for every allowed value (:class:`gra_agents.Reviewer`). The run's switch says
which the committee rule works on:

- ``sampled``: the paper's rule exactly: any sampled 0 flags, the sheet is its six sampled scores;
- ``expected``: a check flags when its P(fail) > 0.5, the sheet is its six expected scores;
- ``calibrated``: each member's own check cut and score map from the prompt pack
  (:class:`gra_agents.calibration.MemberCalibration`, fitted by ``gra calibrate``); a member
  the pack has no calibration for is read as ``expected``.

An answer that came back without probabilities (an endpoint that does not return them) is
read as sampled, whatever the switch; :meth:`Reading.how` says which reading each review got,
and the store keeps it with the review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import dspy

from gra_agents.calibration import UNCALIBRATED, MemberCalibration

Scores = Literal["sampled", "expected", "calibrated"]
SCORE_READINGS: tuple[str, ...] = Scores.__args__


class Reading:
    """Reads checks and sheets under ``scores``; ``calibration`` maps a member to its calibration."""

    def __init__(self, scores: Scores, calibration: Mapping[str, MemberCalibration] | None = None):
        if scores not in SCORE_READINGS:
            raise ValueError(f"scores must be one of {', '.join(SCORE_READINGS)}, got {scores!r}")
        self.scores, self.calibration = scores, dict(calibration or {})

    def how(self, member: str, probabilities: Sequence[float | None] | None) -> str:
        """The reading a review of ``member`` gets: ``sampled``, ``expected`` or ``calibrated``."""
        if self.scores == "sampled" or not probabilities or any(p is None for p in probabilities):
            return "sampled"
        if self.scores == "calibrated" and member in self.calibration:
            return "calibrated"
        return "expected"

    def _of(self, member: str) -> MemberCalibration:
        return self.calibration.get(member, UNCALIBRATED) if self.scores == "calibrated" else UNCALIBRATED

    def flags(self, member: str, checks: dspy.Prediction) -> bool:
        """Whether ``member``'s checks turn the instruction away."""
        if self.how(member, checks.passes) == "sampled":
            return not all(checks.checks)
        return self._of(member).flags(checks.passes)

    def sheet(self, member: str, scored: dspy.Prediction) -> list[float]:
        """The numbers of ``member``'s sheet that the committee rule averages: six scores, or one calibrated value."""
        how = self.how(member, scored.expected)
        if how == "sampled":
            return list(scored.scores)
        if how == "expected":
            return [round(e, 4) for e in scored.expected]
        average = sum(scored.expected) / len(scored.expected)
        return [round(self._of(member).sheet(average), 4)]
