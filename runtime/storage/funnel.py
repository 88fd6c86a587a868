"""The funnel of a run: how many candidates survived each gate, read back from the database."""

from __future__ import annotations

from dataclasses import dataclass

from gra_agents import DEFAULT_TAU
from runtime.storage.status import COPY, Status, sql_list
from runtime.storage.store import Store


@dataclass(frozen=True)
class Savings:
    """Calls the saving rules spared, against the paper's order with every review (first attempts)."""

    responses: int  # responses never written: the instruction was settled first (--order check-first)
    checks: int  # instruction checks not asked for after a 0 (--early-exit)
    scores: int  # score sheets not asked for once μ < τ was certain (--early-exit)


#: Where a sample can end before its response is needed: the instruction settled it.
SETTLED_UNANSWERED = (Status.REJECTED_INSTRUCTION, Status.REJECTED_STEERING, Status.DUPLICATE)
#: Per sample: (a response never written, instruction checks skipped, score sheets skipped).
SAVED_SQL = f"""
select
  coalesce(sum(instruction is not null and output is null and (status in {sql_list(SETTLED_UNANSWERED)}
    or failure like 'check:%')), 0),
  coalesce(sum(case when status = 'rejected_instruction' then n - checks end), 0),
  coalesce(sum(case when status = 'rejected_score' and sheets > 0 then n - sheets end), 0)
from (
  select s.*, json_array_length(s.reviewers) as n,
    (select count(*) from reviews r where r.sample_id = s.id and r.kind = 'instruction') as checks,
    (select count(*) from reviews r where r.sample_id = s.id and r.kind = 'response') as sheets
  from samples s {{where}}
)
"""


def savings(store: Store, round_: int | None = None) -> Savings:
    """What check-first and early exit spared in a run (or one round), counted from its samples."""
    where, params = ("where s.round = ?", [round_]) if round_ is not None else ("", [])
    return Savings(*store.db.execute(SAVED_SQL.format(where=where), params).fetchone())


@dataclass(frozen=True)
class Funnel:
    candidates: int
    generated: int
    copies: int  # repeats an example its generator was shown; settled as duplicate before any judge
    relabelled: int  # written in another domain than the one asked for, and labelled with that one
    screened_out: int  # its text steers its judges (gra_agents.steering); no judge was called
    instruction_passed: int
    verified: int  # its code or math was run (runtime.pipeline.verification)
    verdicts: dict  # agrees / contradicts / undecided -> samples
    rejected_verification: int  # contradicted under --verify gate, before any sheet
    score_accepted: int  # μ ≥ τ and σ ≤ δ
    to_adjudication: int  # μ ≥ τ and σ > δ
    adjudicated: int  # accepted by the adjudicator
    duplicates: int
    kept: int
    failed: int
    tau: float
    saved: Savings = Savings(0, 0, 0)

    @property
    def passed_committee(self) -> int:
        return self.score_accepted + self.adjudicated


def funnel(store: Store, round_: int | None = None, tau: float = DEFAULT_TAU) -> Funnel:
    where, params = ("where round = ?", [round_]) if round_ is not None else ("", [])
    rows = store.db.execute(
        f"select status, failure, {COPY}, domain, requested_domain, verdict from samples {where}", params
    ).fetchall()
    verdicts = [r[5] for r in rows if r[5] is not None]
    total = len(rows)
    status = [r[0] for r in rows]
    copies = sum(bool(r[2]) for r in rows)  # caught before the committee
    failed_at = [(r[1] or "").split(":", 1)[0] for r in rows if r[0] == Status.FAILED]
    sent, adj_ok = store.count_adjudicated(round_)
    generated = total - failed_at.count("generate")
    screened = status.count(Status.REJECTED_STEERING)
    instruction_passed = (
        generated - copies - screened - status.count(Status.REJECTED_INSTRUCTION) - failed_at.count("check")
    )
    passed_all = status.count(Status.ACCEPTED) + status.count(Status.DUPLICATE) - copies + status.count(Status.PASSED)
    return Funnel(
        candidates=total,
        generated=generated,
        copies=copies,
        relabelled=sum(r[4] is not None and r[3] != r[4] for r in rows),
        screened_out=screened,
        instruction_passed=instruction_passed,
        verified=len(verdicts),
        verdicts={v: verdicts.count(v) for v in ("agrees", "contradicts", "undecided")},
        rejected_verification=status.count(Status.REJECTED_VERIFICATION),
        score_accepted=passed_all - adj_ok,
        to_adjudication=sent,
        adjudicated=adj_ok,
        duplicates=status.count(Status.DUPLICATE) - copies,
        kept=status.count(Status.ACCEPTED),
        failed=status.count(Status.FAILED),
        tau=tau,
        saved=savings(store, round_),
    )


def plain_summary(f: Funnel) -> str:
    """One honest sentence about the yield."""
    if f.candidates == 0:
        return "No candidates were drawn."
    share = f.kept / f.candidates
    line = f"Kept {f.kept} of {f.candidates} candidates ({share:.0%})."
    if share < 0.2:
        line += (
            f" Few samples pass at τ={f.tau:g}: small models rarely agree on high scores, and the committee"
            " is doing its job. Raise PER_ROUND or the candidate budget, or use a stronger pool."
        )
    return line
