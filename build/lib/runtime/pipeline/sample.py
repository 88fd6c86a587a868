"""One candidate sample, from generation to the committee's outcome.

The generator writes keywords and an instruction from the sample's drawn examples; a copy
of what it was shown is settled before any judge is called; an instruction that landed in
another domain than the one asked for takes that domain's label
(``SynthConfig.domain_check``); then the committee judges it (:class:`Judges`). Under
``--order check-first`` (the default) the generator writes the response only once the
instruction has passed the checks; under ``--order paper`` it writes it at once, as the
paper does. The prompts and seeds of every call are the same either way, so the sample is
too. Every transition is written to the store before the next stage begins.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from gra_agents import (
    RoleAssignment,
    fixed_roles,
    parse_role_draw,
    reliability_roles,
    round_roles,
    sample_rng,
    single_member_roles,
    single_reviewer_roles,
)
from gra_agents.demos import demo_refs
from runtime.pipeline.copies import copied_from
from runtime.pipeline.domains import classify
from runtime.pipeline.judges import Judges
from runtime.pipeline.team import Members, RoleFailed
from runtime.settings import Order, SynthConfig
from runtime.storage.status import Status


class Sampler:
    """Takes candidates through their stages, each role call made by :class:`Members`."""

    def __init__(self, members: Members, config: SynthConfig):
        self.members, self.config, self.store = members, config, members.store
        self.judges = Judges(members, config)
        self.judge = self.judges.judge  # the committee on a sample already in the store (curate, refine, benches)

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
        generator, paper = self.members.roles_of(roles.generator).generator, cfg.order == Order.PAPER
        draft = generator.acall if paper else generator.adraft  # check-first: the response waits for the checks
        try:
            g = await self.members.call(
                "generator",
                roles.generator,
                lambda: draft(domain=domain, examples=examples, demos=shown),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return self._fail(sid, "generate", exc)
        asked = domain
        answer = functools.partial(
            self._answer, sid, roles.generator, lambda: generator.aanswer(asked, examples, shown, g)
        )
        generated = dict(keywords=json.dumps(g.keywords), instruction=g.instruction, input=g.input)
        generated |= {"output": g.response} if paper else {}
        # The embedder runs at idle priority beside busy engines: waiting for it here would stall every sample.
        copy = await asyncio.to_thread(copied_from, g.instruction, g.input, examples + shown, cfg.dedup_threshold)
        if copy is not None:  # a copy of what its generator was shown: settled before any judge is called
            ref, similarity = copy
            self.store.update_sample(sid, status=Status.DUPLICATE, duplicate_of=ref, similarity=similarity, **generated)
            return Status.DUPLICATE
        if cfg.domain_check:  # its judges' demos, its label and the next rounds' pool follow the domain it is in
            generated["domain"] = domain = (await asyncio.to_thread(classify, [(g.instruction, g.input)]))[0]
        self.store.update_sample(sid, status=Status.REVIEWING, **generated)
        response = g.response if paper else None
        if cfg.n_reviewers == 0:  # the paper's no-review ablation: every generated sample goes to dedup
            if response is None and await answer() is None:
                return Status.FAILED
            self.store.update_sample(sid, status=Status.PASSED)
            return Status.PASSED
        return await self.judge(sid, roles, g.instruction, g.input, response, domain, answer)

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
        if mode == "reliability":
            reliability = self.members.team.reliability
            return reliability_roles(self.members.drawable(), cfg.n_reviewers, reliability, cfg.seed, round_, ordinal)
        if cfg.reviewer_member:
            names = self.members.drawable(3)
            return single_reviewer_roles(names, cfg.reviewer_member, cfg.seed, round_, ordinal)
        return round_roles(self.members.drawable(), cfg.n_reviewers, cfg.seed, round_, ordinal)

    async def _answer(self, sid: str, generator: str, make: Callable[[], Awaitable[Any]]) -> str | None:
        """The response of an instruction that passed its checks (stored); None, and the sample failed, if it fails."""
        try:
            a = await self.members.call("generator", generator, make, sample_id=sid)
        except RoleFailed as exc:
            self._fail(sid, "generate", exc)
            return None
        self.store.update_sample(sid, output=a.response)
        return a.response

    def _fail(self, sid: str, stage: str, exc: RoleFailed) -> Status:
        self.store.update_sample(sid, status=Status.FAILED, failure=f"{stage}: {exc}")
        return Status.FAILED
