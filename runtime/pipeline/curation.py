"""Curation: the committee over rows that already have a response (``gra curate``).

There is no generator and no deduplication. Each row is judged as a generated sample is
(:meth:`Sampler.judge`: screen, checks, scores, the vote, adjudication) by ``N_R``
reviewers and an adjudicator drawn per row (:func:`gra_agents.committee_roles`); its judges'
demos come from the row's nearest domain. A row that passes is ``accepted`` at once.

Rows are samples of round 0, their ids the input's ids, so a resumed curation skips
every settled row and starts the unfinished ones over, their finished calls served from
the database.
"""

from __future__ import annotations

import asyncio
import json

from rich.console import Console

from gra_agents import committee_roles, reliability_committee
from runtime.pipeline.domains import classify
from runtime.pipeline.sample import Sampler
from runtime.pipeline.team import Members
from runtime.progress.bars import progress_bars
from runtime.progress.watchdog import WATCHDOG
from runtime.settings import SynthConfig
from runtime.storage.seeds import Seed
from runtime.storage.status import TERMINAL, Status


class Curator:
    """Judges existing rows with the committee, each at most once."""

    label = "curating rows"  # the progress bar's
    command = "curate"  # the gra command it serves: part of the run's fingerprint
    writes = False  # whether a member writes each row first (and so needs a seat apart from the judges)

    def __init__(self, members: Members, config: SynthConfig, console: Console):
        self.members, self.config, self.store, self.console = members, config, members.store, console
        self.sampler = Sampler(members, config)

    async def curate(self, rows: list[Seed]) -> None:
        """Judge every row not yet settled, ``samples_in_flight`` at a time."""
        seen = {r["id"]: r["status"] for r in self.store.db["samples"].rows_where(select="id, status")}
        todo = [(i, r) for i, r in enumerate(rows) if seen.get(r.id) not in TERMINAL]
        gate = asyncio.Semaphore(self.members.samples_in_flight)
        with self.members.placed(), progress_bars(self.console) as progress:
            task = progress.add_task(self.label, total=len(rows), completed=len(rows) - len(todo))

            async def one(ordinal: int, row: Seed) -> None:
                async with gate:
                    await self.judge_row(ordinal, row, restart=row.id in seen)
                WATCHDOG.progressed()
                progress.advance(task)

            await asyncio.gather(*(one(i, r) for i, r in todo))

    async def judge_row(self, ordinal: int, row: Seed, *, restart: bool = False) -> Status:
        """The committee's outcome for one row (stored): ``accepted``, a ``rejected_*`` status or ``failed``."""
        cfg = self.config
        judges = 2 if cfg.reviewer_member else cfg.n_reviewers + 1
        names = self.members.drawable(judges)
        if cfg.roles == "reliability":
            roles = reliability_committee(names, cfg.n_reviewers, self.members.team.reliability, cfg.seed, ordinal)
        else:
            roles = committee_roles(names, cfg.n_reviewers, cfg.seed, ordinal, cfg.reviewer_member)
        (domain,) = classify([(row.instruction, row.input)])
        sample = {"id": row.id, "round": 0, "ordinal": ordinal, "status": Status.REVIEWING, "domain": domain}
        sample |= {"instruction": row.instruction, "input": row.input, "output": row.output}
        sample |= {"reviewers": json.dumps(roles.reviewers), "adjudicator": roles.adjudicator}
        (self.store.restart_sample if restart else self.store.new_sample)(sample)
        status = await self.sampler.judge(row.id, roles, row.instruction, row.input, row.output, domain)
        if status == Status.PASSED:  # nothing to deduplicate against: passing is being kept
            self.store.update_sample(row.id, status=Status.ACCEPTED)
            return Status.ACCEPTED
        return status
