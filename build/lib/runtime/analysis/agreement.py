"""Agreement with another judge: the committee's verdicts against one model's score sheets (the paper's Figure 7).

The other judge scores samples the committee scored with the reviewers' own call
(:class:`gra_agents.reviewer.ResponseScores`, the six-dimension ``ScoreResponse``), through the
project's adapter, every call recorded in ``analysis/judge.db`` beside the run (a second
report with the same judge replays them instead of asking again). It is a member of the
run's own pool (its engine is started for the occasion) or any OpenAI-compatible endpoint.

The judged samples are the kept ones (the committee said μ ≥ τ) and those rejected on
their scores (μ < τ); ``limit`` takes up to half of them from each side. Agreement is the
share of kept samples the judge also scores at or above τ (the paper reports 87.3% with
Qwen-2.5-72B), with the 2×2 table of committee against judge.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from runtime.calls.member_lm import MemberLM
from runtime.config import Pool
from runtime.engines.supervisor import Supervisor
from runtime.pipeline import Members, RoleFailed, Team
from runtime.settings import ConfigError, SynthConfig
from runtime.storage.card import run_settings
from runtime.storage.status import Status
from runtime.storage.store import Store
from signatures import SCORE_DIMENSIONS

#: The environment variable an outside judge's API key is read from (none needed for a local server).
API_KEY_ENV = "GRA_JUDGE_API_KEY"


@dataclass(frozen=True)
class Judge:
    """Who judges: ``name`` (a pool member, or the endpoint's model), and where it answers."""

    name: str
    endpoint: str | None = None  # an OpenAI-compatible base URL; None: a member of the run's pool
    slots: int = 4


def judged_samples(store: Store, limit: int | None, seed: int = 0, member: str | None = None) -> list[dict[str, Any]]:
    """The samples to judge: kept and rejected-on-score ones, at most ``limit`` (half from each side when both can).

    A judge from the run's own ``member`` never judges a sample it wrote.
    """
    own = "and coalesce(generator, '') != ?"
    kept = store.samples(f"status = ? {own}", [Status.ACCEPTED, member or ""], order_by="id")
    low = store.samples(f"status = ? and mean is not null {own}", [Status.REJECTED_SCORE, member or ""], order_by="id")
    if limit is None or limit >= len(kept) + len(low):
        return kept + low
    rng = random.Random(seed)
    n_low = min(len(low), limit // 2)
    n_kept = min(len(kept), limit - n_low)
    n_low = min(len(low), limit - n_kept)
    return sorted(rng.sample(kept, n_kept), key=lambda r: r["id"]) + sorted(
        rng.sample(low, n_low), key=lambda r: r["id"]
    )


def scored_by(store: Store, sample_id: str) -> set[str]:
    """The members whose score sheet of the sample the run holds."""
    return {r["reviewer"] for r in store.reviews_of(sample_id) if r["kind"] == "response"}


def pool_member(run_store: Store, name: str) -> Pool:
    """The run's pool cut down to member ``name`` and its engine (what ``--judge MEMBER`` starts)."""
    pool = Pool.model_validate(run_settings(run_store)["pool"])
    member = next((m for m in pool.members if m.name == name), None)
    if member is None:
        names = ", ".join(m.name for m in pool.members)
        raise ConfigError(f"--judge {name}: not a member of the run's pool ({names}), nor an http(s) URL")
    return pool.model_copy(update={"members": [member], "engines": {member.engine: pool.engines[member.engine]}})


def endpoint_team(judge: Judge) -> Team:
    """A one-member team on an outside endpoint, asking for the endpoint's own model name."""
    key = os.environ.get(API_KEY_ENV, "none")
    lm = MemberLM(
        judge.name, api_base=judge.endpoint, api_key=key, served_model=judge.name, num_retries=0, temperature=0.0
    )
    return Team({judge.name: lm}, {judge.name: "judge"}, {"judge": judge.slots})


async def rescore(members: Members, judge: str, rows: list[dict], advance: Callable[[], None]) -> list[dict]:
    """The judge's score sheet of each row, at most the engine's slots at once; a failed call scores None."""

    async def one(row: dict) -> dict:
        async def call():
            return await members.roles.reviewer.scores.acall(
                row["instruction"], row["input"] or "", row["output"] or ""
            )

        try:
            sheet = await members.call("judge", judge, call, sample_id=row["id"])
            scores = dict(zip(SCORE_DIMENSIONS, sheet.scores, strict=True))
        except RoleFailed:
            scores = None
        advance()
        committee_mean = row["adjudicated_mean"] if row["adjudicated_mean"] is not None else row["mean"]
        return {
            "id": row["id"],
            "judge_reviewed": judge in row["scored_by"],
            "committee_kept": row["status"] == Status.ACCEPTED,
            "committee_mean": committee_mean,
            "judge_scores": scores,
            "judge_mean": None if scores is None else round(statistics.fmean(scores.values()), 4),
        }

    return list(await asyncio.gather(*(one(r) for r in rows)))


def judge_run(
    run_dir: Path, judge: Judge, limit: int | None, tau: float, console: Console, advance: Callable[[], None]
) -> dict[str, Any]:
    """Have ``judge`` score the run's judged samples; the result as ``analysis/judge.json`` holds it.

    A member that is not in the run's pool is refused before anything is written.
    """
    run_store = Store(run_dir / "gra.db")
    pool = None if judge.endpoint else pool_member(run_store, judge.name)
    rows = [
        r | {"scored_by": scored_by(run_store, r["id"])}
        for r in judged_samples(run_store, limit, member=None if judge.endpoint else judge.name)
    ]
    out = run_dir / "analysis"
    out.mkdir(exist_ok=True)
    store, config = Store(out / "judge.db"), SynthConfig()
    if pool is None:
        members = Members(endpoint_team(judge), store, config, out, console)
        sheets, model = asyncio.run(rescore(members, judge.name, rows, advance)), judge.name
    else:
        with Supervisor(pool, log_dir=out / "logs", source=f"{run_dir / 'gra.db'} (the run's pool)") as sup:
            team = Team.from_pool(pool, sup.endpoints, health=sup.engine_state)
            sheets = asyncio.run(rescore(Members(team, store, config, out, console), judge.name, rows, advance))
        model = getattr(next(iter(pool.engines.values())), "model", judge.name)
    return {"judge": judge.name, "model": model, "endpoint": judge.endpoint, "tau": tau, "rows": sheets}


@dataclass(frozen=True)
class Agreement:
    """The committee's verdicts against the judge's, over the samples both scored."""

    tau: float
    table: dict[tuple[bool, bool], int]  # (committee kept, judge ≥ τ) → samples
    unanswered: int  # samples the judge gave no usable score sheet

    @property
    def judged(self) -> int:
        return sum(self.table.values())

    @property
    def committee_share(self) -> float | None:
        return sum(n for (c, _), n in self.table.items() if c) / self.judged if self.judged else None

    @property
    def judge_share(self) -> float | None:
        return sum(n for (_, j), n in self.table.items() if j) / self.judged if self.judged else None

    @property
    def kept_agreement(self) -> float | None:
        """Of the kept samples, the share the judge also scores ≥ τ (the paper's 87.3%)."""
        kept = self.table[(True, True)] + self.table[(True, False)]
        return self.table[(True, True)] / kept if kept else None


def agreement(result: dict[str, Any]) -> Agreement:
    """Count ``judge.json``'s rows into the 2×2 table.

    >>> rows = [{"committee_kept": True, "judge_mean": 9.0}, {"committee_kept": True, "judge_mean": 7.0},
    ...         {"committee_kept": False, "judge_mean": 5.0}, {"committee_kept": False, "judge_mean": None}]
    >>> a = agreement({"tau": 8.0, "rows": rows})
    >>> a.table[(True, True)], a.table[(True, False)], a.table[(False, False)], a.unanswered, a.kept_agreement
    (1, 1, 1, 1, 0.5)
    """
    table = {(c, j): 0 for c in (True, False) for j in (True, False)}
    unanswered = 0
    for r in result["rows"]:
        if r["judge_mean"] is None:
            unanswered += 1
        else:
            table[(r["committee_kept"], r["judge_mean"] >= result["tau"])] += 1
    return Agreement(result["tau"], table, unanswered)
