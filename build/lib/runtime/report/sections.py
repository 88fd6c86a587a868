"""The sections of ``report.html``, each built from the run's database (and the analyses beside it).

A section is a title, a few sentences, tables and plots. A section with nothing to show
(no adjudication, nothing verified) is left out; one whose analysis was not run says how to run it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.analysis.agreement import agreement
from runtime.analysis.coverage import Coverage
from runtime.report import figures
from runtime.storage.accounting import STAGES, per_kept_sample, usage_by
from runtime.storage.export import adjudication, reviews
from runtime.storage.funnel import Funnel, funnel
from runtime.storage.review_stats import (
    adjudication_outcomes,
    check_failure_shares,
    domain_shares,
    examples,
    score_sheets,
    sigmas,
)
from runtime.storage.store import Store
from signatures import SCORE_DIMENSIONS


@dataclass
class Section:
    id: str
    title: str
    notes: list[str] = field(default_factory=list)
    tables: list[tuple[list[str], list[list[Any]]]] = field(default_factory=list)  # (header, rows)
    figures: list[str] = field(default_factory=list)  # base64 PNG
    samples: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # the data table (runtime.report.rows), filterable


@dataclass(frozen=True)
class Run:
    """What every section reads: the run's directory, database and thresholds."""

    dir: Path
    store: Store
    tau: float
    delta: float

    def rounds(self) -> list[int]:
        return [r for (r,) in self.store.db.execute("select distinct round from samples order by round")]


#: Funnel stages, as the report's table and plot name them.
STAGE_ROWS: list[tuple[str, Callable[[Funnel], int]]] = [
    ("candidates", lambda f: f.candidates),
    ("generated", lambda f: f.generated),
    ("instruction checks passed", lambda f: f.instruction_passed),
    ("passed the committee", lambda f: f.passed_committee),
    ("kept (after dedup)", lambda f: f.kept),
]


def funnel_section(run: Run) -> Section:
    per_round = {f"round {r}": funnel(run.store, r, run.tau) for r in run.rounds()}
    header = ["stage", *per_round]
    rows = [[name, *(get(f) for f in per_round.values())] for name, get in STAGE_ROWS]
    total = funnel(run.store, None, run.tau)
    detail = [
        ["copied an example (no judge)", total.copies],
        ["screened out (steers its judges)", total.screened_out],
        [f"score gate: accepted (μ ≥ {run.tau:g}, σ ≤ {run.delta:g})", total.score_accepted],
        ["sent to the adjudicator", total.to_adjudication],
        ["adjudicated: accepted", total.adjudicated],
        ["deduplicated: dropped", total.duplicates],
        ["failed (unusable model answer)", total.failed],
    ]
    series = {r: [get(f) for _, get in STAGE_ROWS] for r, f in per_round.items()}
    plot = figures.bars([n for n, _ in STAGE_ROWS], series, "candidates left after each gate", "samples")
    share = f"{total.kept / total.candidates:.0%}" if total.candidates else "no"
    note = f"Kept {total.kept} of {total.candidates} candidates ({share})."
    return Section("funnel", "Funnel per round", [note], [(header, rows), (["all rounds", "samples"], detail)], [plot])


def cost_section(run: Run) -> Section:
    per = per_kept_sample(run.store)
    kept = run.store.count_samples(("accepted",))
    notes = ["Every model call of the run (seed annotation included) divided by the samples it kept."]
    tables, plots = [], []
    if per is not None:
        tables.append(
            (
                ["per kept sample", "value"],
                [
                    ["calls", per.calls],
                    ["prompt tokens", per.prompt_tokens],
                    ["output tokens", per.completion_tokens],
                    ["call-seconds", f"{per.call_seconds:.0f}"],
                ],
            )
        )
        stages = usage_by(run.store, "signature")
        names = [s for s in STAGES if s in stages]
        calls = [stages[s].calls / kept for s in names]
        plots.append(figures.bars([STAGES[s] for s in names], {"calls": calls}, "calls per kept sample", "calls"))
    else:
        notes.append("The run kept no sample.")
    return Section("cost", "Calls, tokens and time per kept sample", notes, tables, plots)


def scores_section(run: Run) -> Section:
    sheets = score_sheets(run.store)
    if not sheets:
        return Section("scores", "Score histograms", ["No response was scored."])
    by_member: dict[str, list[float]] = {}
    for reviewer, sheet in sheets:
        by_member.setdefault(reviewer, []).append(round(statistics.fmean(sheet.values())))
    by_dimension = {d: [sheet[d] for _, sheet in sheets] for d in SCORE_DIMENSIONS}
    notes = [f"{len(sheets)} score sheets; per member, the mean of each sheet's six scores (rounded)."]
    plots = [
        figures.score_histograms(dict(sorted(by_member.items())), "sheet means per member"),
        figures.score_histograms(by_dimension, "scores per dimension"),
    ]
    return Section("scores", "Score histograms per member and per dimension", notes, figures=plots)


def sigma_section(run: Run) -> Section:
    values = sigmas(run.store)
    if not values:
        return Section("sigma", "Disagreement (σ)", ["No sample was scored by its reviewers."])
    over = sum(v > run.delta for v in values)
    note = f"σ of the reviewers' means; above δ = {run.delta:g} a sample with μ ≥ τ goes to the adjudicator."
    plot = figures.histogram(values, "reviewers' disagreement", "σ", run.delta, f"δ = {run.delta:g}")
    return Section("sigma", "Disagreement (σ) with δ marked", [note, f"{over} of {len(values)} above δ."], [], [plot])


def adjudication_section(run: Run) -> Section | None:
    outcomes = adjudication_outcomes(run.store)
    if not any(outcomes.values()):
        return None
    plot = figures.bars(list(outcomes), {"samples": list(outcomes.values())}, "adjudicator's verdicts", "samples")
    table = (["verdict", "samples"], [[k, v] for k, v in outcomes.items()])
    return Section("adjudication", "Adjudication outcomes", [], [table], [plot])


def checks_section(run: Run) -> Section:
    shares = check_failure_shares(run.store)
    if not shares:
        return Section("checks", "Instruction-check failures", ["No instruction was checked."])
    plot = figures.bars(list(shares), {"share": list(shares.values())}, "check sheets answering 0", "share")
    table = (["check", "share of sheets that failed it"], [[k, f"{v:.0%}"] for k, v in shares.items()])
    return Section("checks", "Instruction-check failures per check", [], [table], [plot])


def domains_section(run: Run) -> Section:
    shares = domain_shares(run.store)
    domains = sorted({d for group in shares.values() for d in group})
    series = {g: [s.get(d, 0.0) for d in domains] for g, s in shares.items()}
    plot = figures.bars(domains, series, "domains: seeds against kept samples", "share", horizontal=True)
    rows = [[d, *(f"{s.get(d, 0.0):.0%}" for s in shares.values())] for d in domains]
    return Section("domains", "Domains per round against the seeds", [], [(["domain", *shares], rows)], [plot])


def sheet_text(sheet: dict[str, int] | None) -> str:
    """``correctness 9, clarity 8, ...`` (empty for a stage not reached)."""
    return ", ".join(f"{k} {v}" for k, v in (sheet or {}).items())


def example(run: Run, s: dict[str, Any]) -> dict[str, Any]:
    """One sample as the report shows it: its text, every review, the adjudication, its ``gra inspect`` line."""
    sheets = [
        r | {"checks": sheet_text(r.get("checks")), "scores": sheet_text(r.get("scores"))}
        for r in reviews(run.store, s["id"])
    ]
    verdict = adjudication(run.store, s["id"])
    if verdict is not None:
        verdict = verdict | {"scores": sheet_text(verdict["scores"])}
    inspect = f"gra inspect {run.dir} {s['id']}"
    s = s | {k: None if s[k] is None else round(s[k], 2) for k in ("mean", "std")}
    return s | {
        "inspect": inspect,
        "reviews": [r | {"review": r.get("review", "")} for r in sheets],
        "adjudication": verdict,
    }


def examples_section(run: Run) -> Section:
    picked = [example(run, s) for s in examples(run.store)]
    note = "The best kept samples, one disputed and one rejected on its scores; `gra inspect` tells each one's story."
    return Section("examples", "Example samples with their reviews", [note], samples=picked)


def coverage_section(cov: Coverage) -> Section:
    title = "Coverage map (t-SNE of the instruction embeddings)"
    if len(cov.kept) == 0 or len(cov.seeds) < 2:
        return Section("coverage", title, ["Nothing to compare: the run has fewer than two seeds or no kept sample."])
    share = cov.share_beyond
    notes = [
        f"{share:.0%} of kept samples lie beyond the seeds: their nearest seed is farther (cosine distance) than"
        f" the median seed-to-nearest-seed distance m = {cov.seed_spacing:.3f}. About half would, were they drawn"
        " like the seeds; near 0 means the run paraphrases its seeds.",
        f"Median distance of a kept sample to its nearest seed: {statistics.median(cov.nearest_seed):.3f}.",
    ]
    return Section("coverage", title, notes, figures=[figures.coverage_map(cov.seeds, cov.kept, "seeds and kept")])


def agreement_section(result: dict[str, Any] | None) -> Section:
    title = "Agreement with another judge"
    if result is None:
        return Section("agreement", title, ["Not run: `gra report RUN_DIR --judge MEMBER|URL` re-scores the samples."])
    a = agreement(result)
    tau = a.tau
    notes = [
        f"Judge {result['judge']} ({result['model']}) re-scored {a.judged + a.unanswered} samples with the"
        f" reviewers' six-dimension score sheet ({a.unanswered} gave no usable sheet).",
        f"Above τ = {tau:g}: committee {a.committee_share:.0%}, judge {a.judge_share:.0%}."
        if a.judged
        else "No usable sheet.",
    ]
    if a.kept_agreement is not None:
        notes.append(f"Of the kept samples, {a.kept_agreement:.0%} also score ≥ τ with the judge.")
    own = sum(bool(r.get("judge_reviewed")) for r in result["rows"])
    if own:
        notes.append(f"The judge was one of the reviewers of {own} of these samples (never their writer).")
    header = ["", f"judge ≥ {tau:g}", f"judge < {tau:g}"]
    rows = [
        ["committee kept", a.table[(True, True)], a.table[(True, False)]],
        ["committee rejected (score)", a.table[(False, True)], a.table[(False, False)]],
    ]
    return Section("agreement", title, notes, [(header, rows)])


def ifd_section(result: dict[str, Any] | None) -> Section:
    title = "Instruction-following difficulty (IFD)"
    if result is None:
        return Section("ifd", title, ["Not run: `gra report RUN_DIR --ifd` scores seeds and kept samples."])
    groups = {g: [r["ifd"] for r in result["rows"] if r["group"] == g] for g in ("seed", "kept")}
    notes = [
        f"IFD = PPL(response | instruction) / PPL(response) with {result['model']}; lower: the instruction"
        " explains more of the response."
    ]
    rows = [
        [g, len(v), f"{statistics.median(v):.3f}" if v else "", f"{statistics.fmean(v):.3f}" if v else ""]
        for g, v in groups.items()
    ]
    plot = figures.two_distributions(groups["seed"], groups["kept"], "IFD: seeds against kept samples", "IFD")
    return Section("ifd", title, notes, [(["group", "samples", "median", "mean"], rows)], [plot])
