"""Probing one member on labelled rows: every check and every sheet it would give, whatever the others say.

Calibration (``gra calibrate``) and the judge benchmark need each member's own judgement of
every labelled row: its checks of each instruction, and its sheet of each response whether or
not its checks passed (a committee would stop at a failed check, and the sheet would be
missing). So a probed row is never settled by a rule: the member checks it, and a row
labelled ``correct`` is verified (``--verify``) and scored too. The row then ends
``accepted``, which here only says it was probed; its reviews hold what the member said,
with every probability, as a committee run's do.
"""

from __future__ import annotations

import json

from gra_agents import RoleAssignment
from runtime.pipeline.curation import Curator
from runtime.pipeline.domains import classify
from runtime.pipeline.reading import Reading
from runtime.pipeline.team import RoleFailed
from runtime.pipeline.verification import Verification
from runtime.storage.seeds import Seed
from runtime.storage.status import Status


class Prober(Curator):
    """Has ``config.reviewer_member`` check every row, and verify and score every row labelled ``correct``."""

    label = "probing rows"
    command = "probe"

    def __init__(self, members, config, console):
        super().__init__(members, config, console)
        self.verification = Verification(members, config)
        self.reading = Reading("expected")

    async def judge_row(self, ordinal: int, row: Seed, *, restart: bool = False) -> Status:
        """Probe one row (stored): ``accepted`` when every call answered, else ``failed``."""
        member = self.config.reviewer_member
        roles = RoleAssignment(generator=None, reviewers=(member,), adjudicator=member)
        (domain,) = classify([(row.instruction, row.input)])
        sample = {"id": row.id, "round": 0, "ordinal": ordinal, "status": Status.REVIEWING, "domain": domain}
        sample |= {"instruction": row.instruction, "input": row.input, "output": row.output}
        sample |= {"reviewers": json.dumps(roles.reviewers), "adjudicator": member}
        (self.store.restart_sample if restart else self.store.new_sample)(sample)
        reviewer = self.members.roles_of(member).reviewer
        try:
            checks = await self._call(row, member, lambda: reviewer.checks.acall(row.instruction, row.input))
            self._keep(row.id, member, "instruction", checks.checks, None, checks.passes, checks.distributions)
            if "correct" in row.extra:
                task = (row.instruction, row.input)
                found = await self.verification.evidence(row.id, roles, domain, task, row.output)
                evidence = found.line if found is not None else None
                make = lambda: reviewer.scores.acall(row.instruction, row.input, row.output, None, evidence)  # noqa: E731
                s = await self._call(row, member, make)
                self._keep(row.id, member, "response", s.scores, s.review, s.expected, s.distributions)
        except RoleFailed as exc:
            self.store.update_sample(row.id, status=Status.FAILED, failure=f"probe: {exc}")
            return Status.FAILED
        self.store.update_sample(row.id, status=Status.ACCEPTED)
        return Status.ACCEPTED

    async def _call(self, row: Seed, member: str, make):
        return await self.members.call("reviewer", member, make, sample_id=row.id)

    def _keep(self, sid, member, kind, sampled, review, read, probabilities) -> None:
        how = self.reading.how(member, read)
        self.store.add_review(sid, member, kind, sampled, review, reading=how, read=read, probabilities=probabilities)
