"""One candidate sample, from generation to the committee's outcome.

The generator writes keywords, an instruction and a response from the sample's drawn
examples; a copy of what it was shown is settled before any judge is called; an
instruction that landed in another domain than the one asked for takes that domain's
label (``SynthConfig.domain_check``); then the committee judges it: the screen, three
instruction checks per reviewer, six scores per reviewer, the σ rule, and the adjudicator
when the reviewers disagree. Every transition is written to the store before the next
stage begins.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from gra_agents import (
    RoleAssignment,
    adjudication_accepts,
    fixed_roles,
    parse_role_draw,
    round_roles,
    sample_rng,
    single_member_roles,
    single_reviewer_roles,
    steering,
    verdict,
)
from gra_agents.demos import adjudicate_demos, check_demos, demo_refs, score_demos
from runtime.config import SynthConfig
from runtime.pipeline.copies import copied_from
from runtime.pipeline.domains import classify
from runtime.pipeline.team import Members, RoleFailed
from runtime.storage.status import Status


class Sampler:
    """Takes candidates through their stages, each role call made by :class:`Members`."""

    def __init__(self, members: Members, config: SynthConfig):
        self.members, self.config, self.store = members, config, members.store

    async def run(self, round_: int, ordinal: int, pool: dict[str, list], *, restart: bool = False) -> Status:
        """Take one candidate from generation to a committee outcome; return its status.

        With ``restart`` the sample was cut off by a crash: it starts over under the same
        draw, and the calls it had already finished are served from the replay cache.
        """
        cfg, sid = self.config, f"r{round_}-{ordinal:05d}"
        rng = sample_rng(cfg.seed, sid)
        roles = self.roles(round_, ordinal)
        domain = rng.choice(sorted(pool))
        drawn = rng.sample(pool[domain], min(len(pool[domain]), rng.randint(2, 4)))
        examples = self.store.pool_rows([e[2] for e in drawn])
        shown = self.store.pool_rows(demo_refs(pool, domain, drawn, rng))
        row = {"id": sid, "round": round_, "ordinal": ordinal, "status": Status.GENERATING, "domain": domain}
        row["requested_domain"] = domain
        row |= {"examples": json.dumps([e["ref"] for e in examples]), "demos": json.dumps([e["ref"] for e in shown])}
        row |= {
            "generator": roles.generator,
            "reviewers": json.dumps(roles.reviewers),
            "adjudicator": roles.adjudicator,
        }
        (self.store.restart_sample if restart else self.store.new_sample)(row)
        try:
            g = await self.members.call(
                "generator",
                roles.generator,
                lambda: self.members.roles.generator.acall(domain=domain, examples=examples, demos=shown),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return self._fail(sid, "generate", exc)
        generated = dict(keywords=json.dumps(g.keywords), instruction=g.instruction, input=g.input, output=g.response)
        copy = copied_from(g.instruction, g.input, examples + shown, cfg.dedup_threshold)
        if copy is not None:  # a copy of what its generator was shown: settled before any judge is called
            ref, similarity = copy
            self.store.update_sample(sid, status=Status.DUPLICATE, duplicate_of=ref, similarity=similarity, **generated)
            return Status.DUPLICATE
        if cfg.domain_check:  # its judges' demos, its label and the next rounds' pool follow the domain it is in
            generated["domain"] = domain = classify([(g.instruction, g.input)])[0]
        if cfg.n_reviewers == 0:  # the paper's no-review ablation: every generated sample goes to dedup
            self.store.update_sample(sid, status=Status.PASSED, **generated)
            return Status.PASSED
        self.store.update_sample(sid, status=Status.REVIEWING, **generated)
        return await self.judge(sid, roles, g.instruction, g.input, g.response, domain=domain)

    def roles(self, round_: int, ordinal: int) -> RoleAssignment:
        """Who generates, reviews and adjudicates candidate ``ordinal`` of ``round_`` (drawn per sample)."""
        cfg = self.config
        mode, member = parse_role_draw(cfg.roles)
        if mode == "single":
            self.members.check_up([member])
            return single_member_roles(member, cfg.n_reviewers)
        if mode == "fixed":
            roles = fixed_roles(self.members.team.names, cfg.n_reviewers)
            self.members.check_up([roles.generator, *roles.reviewers, roles.adjudicator])
            return roles
        if cfg.reviewer_member:
            names = self.members.drawable(3)
            return single_reviewer_roles(names, cfg.reviewer_member, cfg.seed, round_, ordinal)
        return round_roles(self.members.drawable(), cfg.n_reviewers, cfg.seed, round_, ordinal)

    async def judge(
        self, sid: str, roles: RoleAssignment, instruction: str, input: str, response: str, domain: str | None = None
    ) -> Status:
        """The committee on one sample already in the store: screen, checks, scores, the σ rule, adjudication.

        Its judges' demos are drawn for this sample from ``domain`` (every reviewer of the
        sample sees the same ones, so engines with a prompt cache compute them once).
        Returns (and stores) ``rejected_steering`` (screened out, no judge called),
        ``rejected_instruction``, ``rejected_score``, ``passed``, ``rejected_adjudication`` or ``failed``.
        """
        rng = sample_rng(self.config.seed, f"{sid}:judges")
        demos = {"check": check_demos(domain, rng), "score": score_demos(domain, rng)}
        demos["adjudicate"] = adjudicate_demos(domain, rng)
        if self.config.screen and (broken := self._steering(instruction, input, response)):
            self.store.update_sample(sid, status=Status.REJECTED_STEERING, failure=f"steering: {', '.join(broken)}")
            return Status.REJECTED_STEERING
        status = await self._checks(sid, roles, instruction, input, demos["check"])
        if status is not None:
            return status
        scored, status = await self._scores(sid, roles, instruction, input, response, demos["score"])
        if status != Status.ADJUDICATING:
            return status
        return await self._adjudicate(sid, roles, (instruction, input, response), scored, demos["adjudicate"])

    @staticmethod
    def _steering(*texts: str) -> list[str]:
        """The steering rules the sample's text breaks (:func:`gra_agents.steering`), each once."""
        return list(dict.fromkeys(rule for text in texts for rule in steering(text)))

    async def _each_reviewer(self, sid: str, roles: RoleAssignment, make: Callable[[], Awaitable[Any]]) -> list:
        """One call per reviewer, at once; a reviewer's failed call comes back as its RoleFailed.

        A member seated more than once (``--roles single:MEMBER``) answers once per seat.
        """
        seats = [roles.reviewers[:i].count(r) for i, r in enumerate(roles.reviewers)]
        results = await asyncio.gather(
            *(
                self.members.call("reviewer", r, make, sample_id=sid, seat=seat)
                for r, seat in zip(roles.reviewers, seats, strict=True)
            ),
            return_exceptions=True,
        )
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, RoleFailed):
                raise r
        return results

    async def _checks(self, sid, roles, instruction, input, demos) -> Status | None:
        """The three instruction checks by every reviewer: a failure or any 0 settles the sample."""
        reviewer = self.members.roles.reviewer
        checks = await self._each_reviewer(sid, roles, lambda: reviewer.acheck(instruction, input, demos))
        failed = next((c for c in checks if isinstance(c, RoleFailed)), None)
        with self.store.transaction():  # the reviews and the transition they cause: one write
            for name, c in zip(roles.reviewers, checks, strict=True):
                if not isinstance(c, RoleFailed):
                    self.store.add_review(sid, name, "instruction", c.checks, None)
            if failed:
                return self._fail(sid, "check", failed)
            if not all(all(c.checks) for c in checks):
                self.store.update_sample(sid, status=Status.REJECTED_INSTRUCTION)
                return Status.REJECTED_INSTRUCTION
        return None

    async def _scores(self, sid, roles, instruction, input, response, demos) -> tuple[list, Status]:
        """Six scores by every reviewer, then the σ rule: rejected, passed or sent to the adjudicator."""
        reviewer = self.members.roles.reviewer
        scored = await self._each_reviewer(sid, roles, lambda: reviewer.ascore(instruction, input, response, demos))
        failed = next((s for s in scored if isinstance(s, RoleFailed)), None)
        with self.store.transaction():
            for name, s in zip(roles.reviewers, scored, strict=True):
                if not isinstance(s, RoleFailed):
                    self.store.add_review(sid, name, "response", s.scores, s.review)
            if failed:
                return scored, self._fail(sid, "score", failed)
            cfg = self.config
            v = verdict([s.scores for s in scored], tau=cfg.tau, delta=cfg.delta, vote=cfg.vote)
            status = {"reject": Status.REJECTED_SCORE, "accept": Status.PASSED, "adjudicate": Status.ADJUDICATING}
            self.store.update_sample(sid, status=status[v.decision], mean=v.mean, std=v.std)
        return scored, status[v.decision]

    async def _adjudicate(self, sid, roles, text: tuple[str, str, str], scored: list, demos) -> Status:
        """The adjudicator rescores with the reviews in view; its average against τ decides."""
        instruction, input, response = text
        try:
            a = await self.members.call(
                "adjudicator",
                roles.adjudicator,
                lambda: self.members.roles.adjudicator.acall(
                    instruction=instruction,
                    input=input,
                    response=response,
                    scores=[s.scores for s in scored],
                    reviews=[s.review for s in scored],
                    demos=demos,
                ),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return self._fail(sid, "adjudicate", exc)
        accepted = adjudication_accepts(a.scores, self.config.tau)
        a_mean = sum(a.scores) / len(a.scores)
        status = Status.PASSED if accepted else Status.REJECTED_ADJUDICATION
        with self.store.transaction():
            self.store.add_adjudication(sid, roles.adjudicator, a.scores, a_mean, accepted, a.review)
            self.store.update_sample(sid, status=status, adjudicated_mean=a_mean)
        return status

    def _fail(self, sid: str, stage: str, exc: RoleFailed) -> Status:
        self.store.update_sample(sid, status=Status.FAILED, failure=f"{stage}: {exc}")
        return Status.FAILED
