"""The GRA loop's rounds: annotate the seeds, then per round generate → judge → dedup → summarize.

Many samples are in flight at once (asyncio); each advances through its own stages
(:class:`runtime.pipeline.sample.Sampler`) and every transition is written to the run
database before the next begins. Calls to one engine are limited to its slot count, so a
pool of servers stays busy without queueing unboundedly. The role draw of a sample
depends only on (run seed, sample id), and is balanced over each block of candidates
(:func:`gra_agents.assignment.round_roles`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console

from gra_agents import sample_rng
from runtime.errors import GraError
from runtime.pipeline.annotation import annotate_seeds
from runtime.progress.bars import progress_bars
from runtime.pipeline.run_index import RunIndex
from runtime.pipeline.sample import Sampler
from runtime.pipeline.team import Members, RoleFailed, Team
from runtime.progress.watchdog import WATCHDOG
from runtime.settings import SynthConfig
from runtime.storage.export import append_accepted, rewrite_accepted, write_data
from runtime.storage.seeds import Seed
from runtime.storage.status import Status
from runtime.storage.store import Store


class NothingToGenerateFrom(GraError, RuntimeError):
    """No annotated seed and no kept sample: a round has no examples to draw from."""


class Coordinator:
    """One run directory's loop: its members at work, its samples, its index and its rounds."""

    def __init__(
        self,
        team: Team,
        store: Store,
        out: Path,
        config: SynthConfig,
        console: Console | None = None,
        members: Members | None = None,
    ):
        self.team, self.store, self.out, self.config = team, store, out, config
        self.console = console or Console(stderr=True)
        self.members = members or Members(team, store, config, out, self.console)
        self.sampler = Sampler(self.members, config)
        self.index = RunIndex(store, out / "index" / "dedup.bin")

    @property
    def samples_in_flight(self) -> int:
        """How many candidates a round works on at once (:attr:`Members.samples_in_flight`)."""
        return self.members.samples_in_flight

    async def annotate(self, seeds: list[Seed], source: str) -> None:
        """Annotate every seed not yet settled (domain, keywords, summary), then index them for dedup."""
        with self.members.placed():
            await annotate_seeds(self.members, self.index, seeds, source, self.console)

    async def run_round(self, round_: int) -> None:
        """Generate and judge candidates until ``per_round`` pass or the budget is spent; then
        deduplicate, summarize and rewrite ``data.jsonl``.

        A round cut off by a crash picks up where it stopped: unfinished samples start over
        (their finished calls come from the replay cache), then new candidates follow under
        the same stopping rule, so the outcome is as if the run had never stopped.
        """
        if self.store.round_finished(round_):
            return
        pool = self.store.example_pool()
        if not pool:
            raise NothingToGenerateFrom(
                f"{self.out / 'gra.db'}: no seed was annotated and no sample kept, so there is nothing to generate"
                " from (see the annotator's calls in lm_calls)"
            )
        with self.members.placed():
            self.store.start_round(round_)
            await self._candidates(round_, pool)
            with self.store.transaction(), progress_bars(self.console) as bars:  # the round's decisions land at once
                self.index.dedup_round(round_, self.config.dedup_threshold, bars)
            await self.summarize_round(round_)
        self.write_data()
        self.store.finish_round(round_)

    async def _candidates(self, round_: int, pool: dict[str, list]) -> None:
        """Candidates in flight until ``per_round`` pass or ``budget`` are launched (unfinished ones first)."""
        cfg = self.config
        so_far = self.store.round_progress(round_)
        redo = list(so_far["unfinished"])
        launched, passed, next_ordinal = so_far["launched"], so_far["passed"], so_far["next_ordinal"]
        with progress_bars(self.console) as progress:
            task = progress.add_task(f"round {round_}: candidates", total=cfg.budget, completed=launched - len(redo))
            passed_task = progress.add_task(f"round {round_}: passed committee", total=cfg.per_round, completed=passed)

            async def worker() -> None:
                nonlocal launched, passed, next_ordinal
                while True:
                    if redo:
                        ordinal, restart = redo.pop(0), True
                    elif launched < cfg.budget and passed < cfg.per_round:
                        ordinal, restart = next_ordinal, False
                        next_ordinal, launched = next_ordinal + 1, launched + 1
                    else:
                        return
                    outcome = await self.sampler.run(round_, ordinal, pool, restart=restart)
                    WATCHDOG.progressed()
                    if outcome == Status.PASSED:  # the user sees it now, not when the round ends
                        append_accepted(self.store, f"r{round_}-{ordinal:05d}", self.out / "accepted.jsonl")
                    passed += outcome == Status.PASSED
                    progress.advance(task)
                    progress.advance(passed_task, outcome == Status.PASSED)

            await asyncio.gather(*(worker() for _ in range(self.samples_in_flight)))

    async def summarize_round(self, round_: int) -> None:
        """A summary for each kept sample of the round, so it can seed the rounds after it."""
        rows = self.store.samples("round = ? and status = ? and summarizer is null", [round_, Status.ACCEPTED])
        pool = self.store.example_pool()

        async def one(r: dict, member: str) -> None:
            seeds = [e for e in pool.get(r["domain"], []) if e[2].startswith("seed:")]
            shown = sample_rng(self.config.seed, f"{r['id']}:summary").sample(seeds, min(2, len(seeds)))
            examples = self.store.pool_rows([e[2] for e in shown])
            try:
                p = await self.members.call(
                    "summarizer",
                    member,
                    lambda: self.team.roles_of(member).summarizer.acall(
                        instruction=r["instruction"], input=r["input"], examples=examples
                    ),
                    sample_id=r["id"],
                )
                self.store.update_sample(r["id"], summary=p.summary, summarizer=member)
            except RoleFailed:
                self.store.update_sample(r["id"], summarizer=member)  # kept, but it cannot seed later rounds

        with progress_bars(self.console) as bars:
            task = bars.add_task(f"round {round_}: summaries", total=len(rows))

            async def counted(r: dict, member: str) -> None:
                await one(r, member)
                bars.advance(task)

            left = await self.members.drain(rows, counted)  # any member may summarize: the engine free first does
        if left:
            self.members.drawable()  # every engine was given up: stop here (MembersDown) so a resume summarizes them

    def write_data(self) -> Path:
        """Rewrite ``data.jsonl`` from the database: every accepted sample, once."""
        return write_data(self.store, self.out / "data.jsonl")

    def rewrite_accepted(self) -> Path:
        """Rewrite ``accepted.jsonl`` (every sample the committee passed so far) from the database."""
        return rewrite_accepted(self.store, self.out / "accepted.jsonl")
