"""Seed refinement (the paper's §5.3, ``gra refine``): a generator rewrites each seed's response,
and the committee curates the rewrite.

Each row is one sample of round 0: a generator, ``N_R`` reviewers and an adjudicator, all
different, drawn in balanced blocks (:func:`gra_agents.round_roles`). The generator's
rewrite replaces the row's response, then the rewrite is judged as :class:`Curator` judges a
row. A resumed refinement skips settled rows and starts the others over, their finished
calls served from the database.
"""

from __future__ import annotations

import json

from gra_agents import round_roles, single_reviewer_roles
from runtime.pipeline.curation import Curator
from runtime.pipeline.domains import classify
from runtime.pipeline.team import RoleFailed
from runtime.storage.seeds import Seed
from runtime.storage.status import Status


class SeedRefiner(Curator):
    """Rewrites each row's response with a drawn generator, then curates the rewrite."""

    label = "refining rows"
    command = "refine"  # the gra command it serves: part of the run's fingerprint
    writes = True

    async def judge_row(self, ordinal: int, row: Seed, *, restart: bool = False) -> Status:
        """Rewrite one row's response and judge it (stored): ``accepted``, a ``rejected_*`` status or ``failed``."""
        cfg = self.config
        if cfg.reviewer_member:
            names = self.members.drawable(3)
            roles = single_reviewer_roles(names, cfg.reviewer_member, cfg.seed, 0, ordinal)
        else:
            roles = round_roles(self.members.drawable(), cfg.n_reviewers, cfg.seed, 0, ordinal)
        (domain,) = classify([(row.instruction, row.input)])
        sample = {"id": row.id, "round": 0, "ordinal": ordinal, "status": Status.GENERATING, "domain": domain}
        sample |= {"instruction": row.instruction, "input": row.input, "generator": roles.generator}
        sample |= {"reviewers": json.dumps(roles.reviewers), "adjudicator": roles.adjudicator}
        (self.store.restart_sample if restart else self.store.new_sample)(sample)
        refiner = self.members.roles_of(roles.generator).refiner
        try:
            rewrite = await self.members.call(
                "generator",
                roles.generator,
                lambda: refiner.acall(instruction=row.instruction, input=row.input, draft=row.output),
                sample_id=row.id,
                module="refiner",
            )
        except RoleFailed as exc:
            self.store.update_sample(row.id, status=Status.FAILED, failure=f"rewrite: {exc}")
            return Status.FAILED
        self.store.update_sample(row.id, status=Status.REVIEWING, output=rewrite.response)
        status = await self.sampler.judge(row.id, roles, row.instruction, row.input, rewrite.response, domain)
        if status == Status.PASSED:
            self.store.update_sample(row.id, status=Status.ACCEPTED)
            return Status.ACCEPTED
        return status
