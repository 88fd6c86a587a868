"""Probing the pool's models on labelled rows: every check and every sheet each would give, whatever the others say.

Calibration (``gra calibrate``) and the judge benchmark need each model's own judgement of
every labelled row: its checks of each instruction, and its sheet of each response whether or
not its checks passed (a committee would stop at a failed check, and the sheet would be
missing). So a probed row is never settled by a rule. One member of each model (the first
in the pool file) probes every row, all at once, each on its own engine: it checks the row,
and a row labelled ``correct`` is verified by it alone (``--verify``) and scored with what
that showed. Its verdict is kept with its sheet (``reviews.verdict``). The row then ends
``accepted``, which here only says it was probed; its reviews hold what each member said,
with every probability, as a committee run's do.
"""

from __future__ import annotations

import asyncio
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
    """Has one member of each model check every row, and verify and score every row labelled ``correct``."""

    label = "probing rows"
    command = "probe"

    def __init__(self, members, config, console):
        super().__init__(members, config, console)
        self.verification = Verification(members, config)
        self.reading = Reading("expected")
        firsts: dict[str, str] = {}
        for m in members.team.names:
            firsts.setdefault(members.team.model_of.get(m, m), m)
        self.probers = list(firsts.values())

    async def judge_row(self, ordinal: int, row: Seed, *, restart: bool = False) -> Status:
        """Probe one row with every prober (stored): ``accepted`` when every call answered, else ``failed``."""
        (domain,) = classify([(row.instruction, row.input)])
        sample = {"id": row.id, "round": 0, "ordinal": ordinal, "status": Status.REVIEWING, "domain": domain}
        sample |= {"instruction": row.instruction, "input": row.input, "output": row.output}
        sample |= {"reviewers": json.dumps(self.probers), "adjudicator": None}
        (self.store.restart_sample if restart else self.store.new_sample)(sample)
        done = await asyncio.gather(*(self._probe(row, domain, m) for m in self.probers), return_exceptions=True)
        failed = next((d for d in done if isinstance(d, BaseException)), None)
        if isinstance(failed, RoleFailed):
            self.store.update_sample(row.id, status=Status.FAILED, failure=f"probe: {failed}")
            return Status.FAILED
        if failed is not None:
            raise failed
        self.store.update_sample(row.id, status=Status.ACCEPTED)
        return Status.ACCEPTED

    async def _probe(self, row: Seed, domain: str, member: str) -> None:
        reviewer = self.members.roles_of(member).reviewer
        checks = await self._call(row, member, lambda: reviewer.checks.acall(row.instruction, row.input))
        self._keep(row.id, member, "instruction", checks.checks, None, checks.passes, checks.distributions)
        if "correct" not in row.extra:
            return
        roles = RoleAssignment(generator=None, reviewers=(member,), adjudicator=member)
        found = await self.verification.evidence(row.id, roles, domain, (row.instruction, row.input), row.output, False)
        evidence = found.line if found is not None else None
        make = lambda: reviewer.scores.acall(row.instruction, row.input, row.output, None, evidence)  # noqa: E731
        s = await self._call(row, member, make)
        verdict = found.verdict if found is not None else None
        self._keep(row.id, member, "response", s.scores, s.review, s.expected, s.distributions, verdict)

    async def _call(self, row: Seed, member: str, make):
        return await self.members.call("reviewer", member, make, sample_id=row.id)

    def _keep(self, sid, member, kind, sampled, review, read, probabilities, verdict=None) -> None:
        how = self.reading.how(member, read)
        self.store.add_review(
            sid, member, kind, sampled, review, reading=how, read=read, probabilities=probabilities, verdict=verdict
        )
