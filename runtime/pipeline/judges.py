"""The committee at work on one sample already in the store (paper §3.2).

The screen, three instruction checks per reviewer, six scores per reviewer, the σ rule
(or the chosen vote), and the adjudicator when the reviewers disagree. With
``SynthConfig.early_exit`` the reviewers are called one after another, and the next one
only while its review can still change the decision: a 0 in any check rejects, and so does
a μ that even 10s from the rest could not lift to τ (:func:`gra_agents.rejected_already`).
The checks ask first the reviewers on another model than the generator's, strictest first
(:class:`StrictestFirst`), the scores the harshest (:class:`HarshestFirst`); the score
sheets are stored in the drawn order.
Reviews never called are absent, never made up. Every transition is written to the store
before the next stage begins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from gra_agents import RoleAssignment, adjudication_accepts, rejected_already, sample_rng, steering, verdict
from gra_agents.demos import adjudicate_demos, score_demos
from runtime.pipeline.check_order import StrictestFirst
from runtime.pipeline.reading import Reading
from runtime.pipeline.score_order import HarshestFirst
from runtime.pipeline.team import Members, RoleFailed
from runtime.pipeline.verification import Verification
from runtime.settings import SynthConfig
from runtime.storage.review_stats import first_checks, score_sheets
from runtime.storage.status import Status

#: Writes the response of a sample whose instruction passed (``--order check-first``); None when it failed.
Answer = Callable[[], Awaitable[str | None]]


class Judges:
    """Screens, checks, scores and adjudicates one sample, each call made by :class:`Members`."""

    def __init__(self, members: Members, config: SynthConfig):
        self.members, self.config, self.store = members, config, members.store
        team = members.team
        model_of = {m: team.model_of.get(m) or team.engine_of.get(m, m) for m in team.lms}
        self.check_order = StrictestFirst(first_checks(self.store), model_of)
        self.score_order = HarshestFirst(((r, list(s.values())) for r, s in score_sheets(self.store)), config.tau)
        self.reading = Reading(config.scores, team.calibration)
        self.verification = Verification(members, config)

    async def judge(
        self,
        sid: str,
        roles: RoleAssignment,
        instruction: str,
        input: str,
        response: str | None,
        domain: str | None = None,
        answer: Answer | None = None,
    ) -> Status:
        """The committee on one sample already in the store: screen, checks, scores, the σ rule, adjudication.

        With ``response`` None, ``answer`` writes it once the instruction has passed the
        checks (and the screen then reads it before any score).

        Its scorers' and adjudicator's demos are drawn for this sample from ``domain`` (every
        reviewer of the sample sees the same ones, so engines with a prompt cache compute them
        once); the checks are asked with none (:class:`gra_agents.reviewer.InstructionChecks`).
        A math or coding response is verified before any sheet (:mod:`runtime.pipeline.verification`):
        the scorers read the evidence, and under ``--verify gate`` a contradicted one is rejected.
        Returns (and stores) ``rejected_steering`` (screened out, no judge called),
        ``rejected_instruction``, ``rejected_verification``, ``rejected_score``, ``passed``,
        ``rejected_adjudication`` or ``failed``.
        """
        rng = sample_rng(self.config.seed, f"{sid}:judges")
        demos = {"check": [], "score": score_demos(domain, rng)}  # a check's question is asked alone (reviewer.py)
        demos["adjudicate"] = adjudicate_demos(domain, rng)
        if status := self._screened(sid, instruction, input, response or ""):
            return status
        status = await self._checks(sid, roles, instruction, input, demos["check"])
        if status is not None:
            return status
        if response is None:
            if (response := await answer()) is None:
                return Status.FAILED
            if status := self._screened(sid, response):
                return status
        found = await self.verification.evidence(sid, roles, domain, (instruction, input), response)
        if found is not None and found.verdict == "contradicts" and self.config.verify == "gate":
            self.store.update_sample(sid, status=Status.REJECTED_VERIFICATION)
            return Status.REJECTED_VERIFICATION
        evidence = found.line if found is not None else None
        text = (instruction, input, response, evidence)
        scored, status = await self._scores(sid, roles, text, demos["score"])
        if status != Status.ADJUDICATING:
            return status
        return await self._adjudicate(sid, roles, text, scored, demos["adjudicate"])

    def _screened(self, sid: str, *texts: str) -> Status | None:
        """``rejected_steering`` (stored) when the text breaks a steering rule (:func:`gra_agents.steering`)."""
        broken = list(dict.fromkeys(rule for text in texts for rule in steering(text))) if self.config.screen else []
        if not broken:
            return None
        self.store.update_sample(sid, status=Status.REJECTED_STEERING, failure=f"steering: {', '.join(broken)}")
        return Status.REJECTED_STEERING

    async def _each_reviewer(
        self, sid: str, reviewers: list[str], make: Callable[[str], Awaitable[Any]], settled: Callable[[list], bool]
    ) -> list:
        """One call per reviewer, in the order given (``make(member)`` makes it); a failed call returns its RoleFailed.

        With early exit, one reviewer after another, stopping at a failure or once
        ``settled(results so far)``; else all at once. A member seated more than once
        (``--roles single:MEMBER``) answers once per seat.
        """
        seats = [reviewers[:i].count(r) for i, r in enumerate(reviewers)]
        calls = [
            lambda r=r, seat=seat: self.members.call("reviewer", r, lambda: make(r), sample_id=sid, seat=seat)
            for r, seat in zip(reviewers, seats, strict=True)
        ]
        if not self.config.early_exit:
            results = await asyncio.gather(*(c() for c in calls), return_exceptions=True)
        else:
            results = []
            for call in calls:
                results.append(await self._failed_or(call))
                if isinstance(results[-1], RoleFailed) or settled(results):
                    break
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, RoleFailed):
                raise r
        return results

    @staticmethod
    async def _failed_or(call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await call()
        except RoleFailed as exc:
            return exc

    async def _checks(self, sid, roles, instruction, input, demos) -> Status | None:
        """The three instruction checks by every reviewer (or until one flags): a failure or any flag settles it.

        A reviewer flags as the run reads its checks (:class:`Reading`): a sampled 0, or a P(fail) above its cut.
        """
        early = self.config.early_exit
        reviewers = self.check_order.order(roles.reviewers, roles.generator) if early else list(roles.reviewers)
        checks = await self._each_reviewer(
            sid,
            reviewers,
            lambda r: self.members.roles_of(r).reviewer.checks.acall(instruction, input, demos),
            lambda done: self.reading.flags(reviewers[len(done) - 1], done[-1]),
        )
        flagged = [
            not isinstance(c, RoleFailed) and self.reading.flags(r, c) for r, c in zip(reviewers, checks, strict=False)
        ]
        if not isinstance(checks[0], RoleFailed):
            self.check_order.record(reviewers[0], flagged[0])
        failed = next((c for c in checks if isinstance(c, RoleFailed)), None)
        with self.store.transaction():  # the reviews and the transition they cause: one write
            for name, c in zip(reviewers, checks, strict=False):
                if not isinstance(c, RoleFailed):
                    how = self.reading.how(name, c.passes)
                    self.store.add_review(
                        sid,
                        name,
                        "instruction",
                        c.checks,
                        None,
                        reading=how,
                        read=c.passes,
                        probabilities=c.distributions,
                    )
            if failed:
                return self._fail(sid, "check", failed)
            if any(flagged):
                self.store.update_sample(sid, status=Status.REJECTED_INSTRUCTION)
                return Status.REJECTED_INSTRUCTION
        return None

    async def _scores(self, sid, roles, text: tuple, demos) -> tuple[list, Status]:
        """Six scores by every reviewer (or until μ < τ is certain), then the σ rule: rejected, passed or disputed.

        Each sheet is read as the run reads sheets (:class:`Reading`). Under early exit the
        harshest reviewer is asked first (:class:`HarshestFirst`); the sheets come back, are
        stored and reach the adjudicator in the drawn order.
        """
        instruction, input, response, evidence = text
        cfg, n = self.config, len(roles.reviewers)
        asked = self.score_order.order(roles.reviewers) if cfg.early_exit else list(roles.reviewers)
        made = await self._each_reviewer(
            sid,
            asked,
            lambda r: self.members.roles_of(r).reviewer.scores.acall(instruction, input, response, demos, evidence),
            lambda done: rejected_already(
                [self.reading.sheet(r, s) for r, s in zip(asked, done, strict=False)], n, cfg.tau
            ),
        )
        names, scored = in_drawn_order(list(roles.reviewers), asked, made)
        failed = next((s for s in scored if isinstance(s, RoleFailed)), None)
        sheets = [self.reading.sheet(r, s) for r, s in zip(names, scored, strict=True) if not isinstance(s, RoleFailed)]
        with self.store.transaction():
            for name, s in zip(names, scored, strict=True):
                if not isinstance(s, RoleFailed):
                    how, read = self.reading.how(name, s.expected), self.reading.sheet(name, s)
                    self.store.add_review(
                        sid, name, "response", s.scores, s.review, reading=how, read=read, probabilities=s.distributions
                    )
                    self.score_order.record(name, s.scores)
            if failed:
                return scored, self._fail(sid, "score", failed)
            if len(scored) < n:  # μ < τ whatever the rest would give: rejected, μ and σ left unknown
                self.store.update_sample(sid, status=Status.REJECTED_SCORE)
                return scored, Status.REJECTED_SCORE
            v = verdict(sheets, tau=cfg.tau, delta=cfg.delta, vote=cfg.vote)
            status = {"reject": Status.REJECTED_SCORE, "accept": Status.PASSED, "adjudicate": Status.ADJUDICATING}
            self.store.update_sample(sid, status=status[v.decision], mean=v.mean, std=v.std)
        return scored, status[v.decision]

    async def _adjudicate(self, sid, roles, text: tuple, scored: list, demos) -> Status:
        """The adjudicator rescores with the reviews (and the evidence) in view; its sheet, read as the run reads
        sheets, against τ decides."""
        instruction, input, response, evidence = text
        judge = roles.adjudicator
        try:
            a = await self.members.call(
                "adjudicator",
                judge,
                lambda: self.members.roles_of(judge).adjudicator.acall(
                    instruction=instruction,
                    input=input,
                    response=response,
                    scores=[s.scores for s in scored],
                    reviews=[s.review for s in scored],
                    demos=demos,
                    evidence=evidence,
                ),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return self._fail(sid, "adjudicate", exc)
        sheet = self.reading.sheet(judge, a)
        accepted = adjudication_accepts(sheet, self.config.tau)
        a_mean = sum(sheet) / len(sheet)
        status = Status.PASSED if accepted else Status.REJECTED_ADJUDICATION
        with self.store.transaction():
            how = self.reading.how(judge, a.expected)
            self.store.add_adjudication(
                sid, judge, a.scores, a_mean, accepted, a.review, reading=how, probabilities=a.distributions
            )
            self.store.update_sample(sid, status=status, adjudicated_mean=a_mean)
        return status

    def _fail(self, sid: str, stage: str, exc: RoleFailed) -> Status:
        self.store.update_sample(sid, status=Status.FAILED, failure=f"{stage}: {exc}")
        return Status.FAILED


def in_drawn_order(drawn: list[str], asked: list[str], made: list) -> tuple[list[str], list]:
    """The reviews ``made`` (in the ``asked`` order, maybe fewer) put back in the ``drawn`` order, with their reviewers.

    A member seated more than once keeps its seats in turn: its k-th review asked is its k-th seat drawn.

    >>> in_drawn_order(["a", "b", "c"], ["c", "a", "b"], ["C", "A"])
    (['a', 'c'], ['A', 'C'])
    """
    by_seat: dict[int, Any] = {}
    for name, review in zip(asked, made, strict=False):
        by_seat[next(i for i, d in enumerate(drawn) if d == name and i not in by_seat)] = review
    seats = sorted(by_seat)
    return [drawn[i] for i in seats], [by_seat[i] for i in seats]
