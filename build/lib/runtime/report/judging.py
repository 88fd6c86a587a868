"""The report's sections on how the committee judged: what verification showed, and how its members are calibrated.

Both are absent from a run that has nothing to show (no sample verified; no calibrated
member), rather than drawn empty.
"""

from __future__ import annotations

from collections import Counter

from runtime.report import figures
from runtime.report.sections import Run, Section
from runtime.storage.pack import Pack

VERDICTS = ("agrees", "contradicts", "undecided")


def verification_section(run: Run) -> Section | None:
    """Per domain: how many responses had their code or math run, and what it showed; a few contradictions."""
    rows = run.store.samples("verified is not null", order_by="id")
    if not rows:
        return None
    by_domain: dict[str, Counter] = {}
    for s in rows:
        counts = by_domain.setdefault(s["domain"] or "?", Counter())
        counts[s["verdict"]] += 1
        counts["rejected"] += s["status"] == "rejected_verification"
        counts[s["verified"]] += 1
    header = ["domain", "math", "code", *VERDICTS, "rejected by the gate"]
    table = [[d, c["math"], c["code"], *(c[v] for v in VERDICTS), c["rejected"]] for d, c in sorted(by_domain.items())]
    series = {v: [by_domain[d][v] for d in sorted(by_domain)] for v in VERDICTS}
    plot = figures.bars(sorted(by_domain), series, "verification verdicts per domain", "samples")
    notes = [
        "Math responses were checked against programs a reviewer wrote to compute the answer; code was run on"
        " the examples its task states and against reviewers' reference solutions, in the sandbox."
    ]
    notes += [f"{s['id']}: {s['evidence']}" for s in rows if s["verdict"] == "contradicts"][:5]
    return Section("verification", "Verification: the code and the math, run", notes, [(header, table)], [plot])


def calibration_section(pack: Pack | None) -> Section | None:
    """Each calibrated member's cut, the instructions it flagged in training, its score map's reliability diagram."""
    if pack is None or not pack.spec.calibration:
        return None
    header = ["member", "model", "check cut", "sound flagged", "broken caught", "score AUROC", "verifier"]
    rows, curves = [], {}
    for member, c in sorted(pack.spec.calibration.items()):
        shown = [c.check_cut, c.sound_flagged, c.broken_flagged, c.score_auroc, c.verifier]
        rows.append([member, c.model, *("-" if v is None else f"{v:.2f}" for v in shown)])
        if c.reliability_bins and c.fitted_on == member:
            curves[member] = [(said, right) for said, right, _ in c.reliability_bins]
    notes = [
        f"From the prompt pack {pack.path}: each member flags an instruction when P(fail) of a check exceeds its"
        " cut, and its sheet is read through a monotone map to P(right), both fitted on labelled training rows"
        " (gra calibrate). Shares are of those training rows; held-out figures are in the judge benchmark."
    ]
    plots = [figures.reliability(curves, "reliability of calibrated sheets (training rows)")] if curves else []
    return Section("calibration", "Calibration of the committee", notes, [(header, rows)], plots)
