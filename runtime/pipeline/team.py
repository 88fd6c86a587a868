"""The team: the pool's members as DSPy LMs, the role modules they run, and one recorded call.

:class:`Roles` is what a user scripts or compiles (five DSPy modules). :class:`Team` adds the
members that play them. :class:`Members` puts the team to work: it knows which members
are up, keeps each engine within its slot limit, and makes one role call with every
attempt recorded in ``lm_calls``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import dspy
from rich.console import Console

from gra_agents import Adjudicator, Generator, Refiner, Reviewer, SeedAnnotator, Summarizer
from gra_agents.calibration import MemberCalibration
from gra_agents.verifier import Verifier
from runtime.calls import record
from runtime.calls.adapter import StructuredAdapter
from runtime.calls.member_lm import MemberLM
from runtime.config import Pool, Retry
from runtime.engines.placement import Placement
from runtime.engines.supervisor import Endpoint
from runtime.errors import GraError
from runtime.pipeline import programs
from runtime.pipeline.embedding import embedder_pids
from runtime.pipeline.job_queue import drain
from runtime.pipeline.limiter import AdaptiveLimit
from runtime.progress.watchdog import WATCHDOG
from runtime.settings import SynthConfig
from runtime.storage.pack import Pack, read_pack
from runtime.storage.status import RECORDED
from runtime.storage.store import Store

#: Times one role call waits for a restarting engine before it fails like any engine error.
ENGINE_WAITS = 3


class MembersDown(GraError, RuntimeError):
    """Too few members are up to fill the roles without breaking the exclusion rules."""


class RoleFailed(Exception):
    """A role's call ended without a valid answer (its calls are in ``lm_calls``)."""

    def __init__(self, role: str, member: str, status: str, detail: str | None):
        super().__init__(f"{role} {member}: {status}" + (f" ({detail})" if detail else ""))
        self.status = status


@dataclass
class Roles:
    """One instance of each role module: swap in your own or compiled ones to run the loop with them."""

    annotator: SeedAnnotator = field(default_factory=SeedAnnotator)
    generator: Generator = field(default_factory=Generator)
    reviewer: Reviewer = field(default_factory=Reviewer)
    adjudicator: Adjudicator = field(default_factory=Adjudicator)
    summarizer: Summarizer = field(default_factory=Summarizer)
    refiner: Refiner = field(default_factory=Refiner)  # gra refine: rewrites a seed's response
    verifier: Verifier = field(default_factory=Verifier)  # writes the programs the verification stage runs


@dataclass
class Team:
    """The pool's members as DSPy LMs (with their engines and slots), and the roles they play."""

    lms: dict[str, MemberLM]
    engine_of: dict[str, str]
    slots: dict[str, int]
    retry: Retry = field(default_factory=Retry)
    health: Callable[[str], str] | None = None  # engine -> "up" | "restarting" | "failed" (Supervisor.engine_state)
    roles: Roles = field(default_factory=Roles)
    cpus: dict[str, frozenset[int]] = field(default_factory=dict)  # engine -> the cores its local server is pinned to
    model_of: dict[str, str] = field(default_factory=dict)  # member -> the model it runs (a pack keys programs by it)
    pack: Pack | None = None  # compiled prompts: a member plays a role with its model's program where the pack has one
    pid_of: Callable[[str], int | None] | None = None  # engine -> its server's pid (Supervisor.pid), for stall lines
    _packed: dict[str, Roles] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        modules = programs.modules(self.pack) if self.pack else {}
        self._packed = {model: replace(self.roles, **by_role) for model, by_role in modules.items()}

    @classmethod
    def from_pool(
        cls,
        pool: Pool,
        endpoints: dict[str, Endpoint],
        health: Callable[[str], str] | None = None,
        roles: Roles | None = None,
        prompts: Pack | str | Path | None = None,
        pid: Callable[[str], int | None] | None = None,
    ) -> Team:
        """The pool's members on their engines' ``endpoints``; ``prompts`` is a prompt pack (or its folder);
        ``health`` and ``pid`` say how each engine is (``Supervisor.engine_state``, ``Supervisor.pid``)."""
        lms = {m.name: member_lm(pool, m.name, endpoints[m.engine]) for m in pool.members}
        return cls(
            lms,
            {m.name: m.engine for m in pool.members},
            {name: ep.slots for name, ep in endpoints.items()},
            pool.retry,
            health,
            roles or Roles(),
            cpus={name: ep.cpus for name, ep in endpoints.items() if ep.cpus},
            model_of={m.name: pool.model_of(m.name) for m in pool.members},
            pack=prompts if isinstance(prompts, Pack) or prompts is None else read_pack(prompts),
            pid_of=pid,
        )

    @property
    def names(self) -> list[str]:
        return list(self.lms)

    def roles_of(self, member: str) -> Roles:
        """The role modules ``member`` plays with: its model's compiled programs where the pack has them."""
        return self._packed.get(self.model_of.get(member, ""), self.roles)

    def program_of(self, role: str, member: str) -> str | None:
        """Which pack program makes ``member``'s ``role`` calls (``role/model@pack``), or None for the default demos."""
        model = self.model_of.get(member)
        if self.pack is None or model is None or self.pack.program(role, model) is None:
            return None
        return f"{role}/{model}@{self.pack.digest()}"

    @property
    def calibration(self) -> dict[str, MemberCalibration]:
        """Each member's check cut and score map, from the pack (``gra calibrate``)."""
        return self.pack.calibration() if self.pack else {}

    @property
    def reliability(self) -> dict[str, float]:
        """Each member's judging agreement with labels, from the pack (``gra optimize --role team``)."""
        return self.pack.reliability if self.pack else {}


def member_lm(pool: Pool, name: str, endpoint: Endpoint) -> MemberLM:
    """The DSPy LM of member ``name``, on its engine's endpoint (spread over its replicas)."""
    member = next(m for m in pool.members if m.name == name)
    return MemberLM(
        name,
        api_base=endpoint.base_url,
        api_key=endpoint.api_key,
        dialect=endpoint.dialect,
        replicas=endpoint.replicas,
        num_retries=0,  # the adapter is the one retry layer (runtime.config.Retry)
        timeout=pool.timeout_s,
        repetition_span=pool.repetition_span,  # a looping answer is stopped where the loop is found
        **pool.sampling_for(member),
    )


class Members:
    """The team at work: members' health, engine limits, and recorded role calls."""

    def __init__(self, team: Team, store: Store, config: SynthConfig, out: Path, console: Console):
        self.team, self.store, self.config, self.out, self.console = team, store, config, out, console
        self.adapter = StructuredAdapter(retry=team.retry, replay=store.recorded_call)
        self.limits = {e: AdaptiveLimit(n) for e, n in team.slots.items()}
        # Its own CPU work (streaming, SQLite, the embedding worker) goes where an engine has slack.
        self.placement = Placement(team.cpus, helpers=embedder_pids)
        self.replayed = 0  # calls served from the database on resume instead of the engines

    def answer_from(self, other: Store) -> None:
        """Serve any request ``other`` (an earlier run's database) already answered from it, not from the engines.

        A run re-decided under other switches then pays no model call for a request it shares.
        An engine error there is served too (:data:`RECORDED`), so the retry after it is the
        one that run made, and the texts stay the same.
        """
        own = self.store.recorded_call

        def replay(key: str) -> dict | None:
            if (mine := own(key)) is not None:
                return mine
            theirs = other.recorded_call(key, RECORDED)  # recorded in this run too: its database stays whole
            return None if theirs is None else theirs | {"id": None}

        self.adapter.replay = replay

    @property
    def roles(self) -> Roles:
        return self.team.roles

    def roles_of(self, member: str) -> Roles:
        return self.team.roles_of(member)

    @property
    def samples_in_flight(self) -> int:
        """How many samples are worked on at once: ``--concurrency``, else 2 × every engine slot + 4.

        A sample waits on one engine at a time (its generator, then its reviewers), so an
        engine stays busy only while some sample in flight needs it.
        """
        return self.config.concurrency or (2 * sum(self.team.slots.values()) + 4)

    def engine_state(self, engine: str) -> str:
        return self.team.health(engine) if self.team.health else "up"

    def member_state(self, member: str) -> str:
        return self.engine_state(self.team.engine_of[member])

    def drawable(self, needed: int | None = None) -> list[str]:
        """The members a new sample's roles are drawn from: all but those whose engine was given up.

        With every member up this is the pool's list, so the draw depends only on (run
        seed, sample id); with fewer than ``needed`` (default N_R + 2) left the run stops
        instead of bending the rule that generator, reviewers and adjudicator are all different.
        """
        names = self.team.names
        up = [n for n in names if self.member_state(n) != "failed"]
        needed = needed or self.config.n_reviewers + 2
        if len(up) < needed:
            down = ", ".join(n for n in names if n not in up)
            raise MembersDown(
                f"only {len(up)} of {len(names)} members are up ({down}: their engine was given up, see"
                f" {self.out / 'logs'}); the roles need {needed}. The run stopped here;"
                f" run the same command on {self.out} again to resume it"
            )
        return up

    def check_up(self, names: list[str]) -> None:
        """Stop the run (MembersDown) when a member that must play a fixed seat has lost its engine."""
        down = [n for n in dict.fromkeys(names) if self.member_state(n) == "failed"]
        if down:
            raise MembersDown(
                f"{', '.join(down)}: their engine was given up (see {self.out / 'logs'}), and their seats are fixed"
                f" (--roles {self.config.roles}). The run stopped here; run the same command on {self.out} again"
                " to resume it"
            )

    async def call(
        self,
        role: str,
        member: str,
        fn: Callable[[], Awaitable[Any]],
        *,
        sample_id: str | None = None,
        seed_id: str | None = None,
        seat: int = 0,
        module: str | None = None,
    ) -> Any:
        """One role call with its retries, every attempt recorded in ``lm_calls``.

        ``module`` is the role module the call runs when it is not ``role`` (``gra refine``'s
        rewrite is a generator call made by the refiner): ``lm_calls.program`` names the
        pack program of that module, if one made it.

        ``seat`` tells apart the calls one member makes for one sample in several seats of
        the same role (``--roles single:MEMBER``): each seat is its own request and its own
        sample of the model, never a replay of another seat's answer.

        A call that ends in ``engine_error`` while its engine is being restarted waits for
        the engine and is made again (a bounded number of times), instead of failing the sample.
        """
        program = self.team.program_of(module or role, member)
        for _ in range(ENGINE_WAITS):
            try:
                return await self._call_once(role, member, fn, sample_id, seed_id, seat, program)
            except RoleFailed as exc:
                if exc.status != "engine_error" or not await self._came_back(member):
                    raise
        return await self._call_once(role, member, fn, sample_id, seed_id, seat, program)

    async def _call_once(self, role, member, fn, sample_id, seed_id, seat=0, program=None) -> Any:
        engine = self.team.engine_of[member]
        limit = self.limits[engine]
        await limit.acquire()
        seated = f"{role}#{seat}" if seat else role
        pid = (lambda: self.team.pid_of(engine)) if self.team.pid_of else None
        with record.recording(scope=f"{seated}:{sample_id or seed_id}", seat=seat) as log:
            try:
                with (
                    dspy.context(lm=self.team.lms[member], adapter=self.adapter),
                    WATCHDOG.waiting(f"{member}'s {role} call on engine {engine!r}", pid),
                ):
                    result, error = await fn(), None
            except Exception as exc:  # recorded below with its typed status; never a score
                result, error = None, exc
            finally:  # an engine that errors or times out gets fewer calls at once
                await limit.release(ok=not any(c.parse_status == "engine_error" for c in log.calls))
        self.store.add_calls(log.calls, role, member, sample_id=sample_id, seed_id=seed_id, program=program)
        WATCHDOG.progressed()
        self.replayed += sum(c.replay_of is not None for c in log.calls)
        if error is not None:
            last = log.calls[-1] if log.calls else None
            status = last.parse_status if last else "engine_error"
            raise RoleFailed(role, member, status, last.parse_detail if last else str(error)[:200])
        return result

    async def _came_back(self, member: str) -> bool:
        """Wait while the member's engine is being restarted; whether it is up again."""
        if self.member_state(member) != "restarting":
            return False
        self.console.print(f"[yellow]engine {self.team.engine_of[member]!r} is restarting; {member}'s calls wait")
        while (state := self.member_state(member)) == "restarting":
            await asyncio.sleep(0.5)
        return state == "up"

    async def drain(self, jobs: list, run: Callable[[Any, str], Awaitable[Any]]) -> list:
        """Jobs any member may do (annotations, summaries), each on the engine with a slot free first.

        Returns the jobs left undone because every engine was given up.
        """
        by_engine: dict[str, list[str]] = {}
        for name in self.team.names:
            by_engine.setdefault(self.team.engine_of[name], []).append(name)
        return await drain(
            jobs, by_engine, self.team.slots, run, usable=lambda engine: self.engine_state(engine) != "failed"
        )

    def placed(self) -> contextlib.AbstractContextManager[None]:
        """While the engines work, keep this process on the cores of the engine with the most slack."""
        return self.placement.following(lambda: {e: limit.busy_seconds() for e, limit in self.limits.items()})
