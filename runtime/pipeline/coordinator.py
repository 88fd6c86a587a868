"""The GRA loop: annotate seeds, then per round generate → review → adjudicate → dedup → summarize.

Many samples are in flight at once (asyncio); each advances through its own stages and
every transition is written to the run database before the next begins. Calls to one
engine are limited to its slot count, so a pool of servers stays busy without queueing
unboundedly. The role draw of a sample depends only on (run seed, sample id), and is
balanced over each block of candidates (:func:`gra_agents.assignment.round_roles`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402

from gra_agents import (  # noqa: E402
    Adjudicator,
    Generator,
    Reviewer,
    RoleAssignment,
    SeedAnnotator,
    Summarizer,
    adjudication_accepts,
    round_roles,
    sample_rng,
    steering,
    verdict,
)
from gra_agents.demos import adjudicate_demos, check_demos, demo_refs, score_demos  # noqa: E402
from runtime.calls import record as call_log  # noqa: E402
from runtime.pipeline.copies import copied_from  # noqa: E402
from runtime.pipeline.embedding import embed, embedder_pids, sample_text, warm_up  # noqa: E402
from runtime.pipeline.dedup import deduplicate  # noqa: E402
from runtime.pipeline.job_queue import drain  # noqa: E402
from runtime.pipeline.limiter import AdaptiveLimit  # noqa: E402
from runtime.calls.member_lm import MemberLM  # noqa: E402
from runtime.engines.placement import Placement  # noqa: E402
from runtime.config import Pool  # noqa: E402
from runtime.pipeline.recovery import verified_index  # noqa: E402
from runtime.storage.seeds import Seed  # noqa: E402
from runtime.storage.store import Store  # noqa: E402
from runtime.calls.adapter import RetryPolicy, StructuredAdapter  # noqa: E402
from runtime.engines.supervisor import Endpoint  # noqa: E402


@dataclass
class SynthConfig:
    """Everything that shapes a run (stored in ``runs.config``)."""

    rounds: int = 1
    per_round: int = 10
    max_candidates: int | None = None  # per round; default 4 × per_round
    n_reviewers: int = 3
    tau: float = 8.0
    delta: float = 1.5
    dedup_threshold: float = 0.9
    seed: int = 0
    concurrency: int | None = None  # samples in flight; default 2 × total engine slots + 4
    screen: bool = True  # reject text that steers its judges before any judge reads it (gra_agents.steering)

    @property
    def budget(self) -> int:
        return self.max_candidates if self.max_candidates is not None else 4 * self.per_round


#: Times one role call waits for a restarting engine before it fails like any engine error.
ENGINE_WAITS = 3


class NothingToGenerateFrom(RuntimeError):
    """No annotated seed and no kept sample: a round has no examples to draw from."""


class MembersDown(RuntimeError):
    """Too few members are up to fill the roles without breaking the exclusion rules."""


class RoleFailed(Exception):
    """A role's call ended without a valid answer (its calls are in ``lm_calls``)."""

    def __init__(self, role: str, member: str, status: str, detail: str | None):
        super().__init__(f"{role} {member}: {status}" + (f" ({detail})" if detail else ""))
        self.status = status


@dataclass
class Team:
    """The pool's members as DSPy LMs, plus one instance of each role module.

    Swap in compiled modules (``team.reviewer = my_compiled_reviewer``) to run the loop
    with optimized prompts.
    """

    lms: dict[str, MemberLM]
    engine_of: dict[str, str]
    slots: dict[str, int]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    health: Callable[[str], str] | None = None  # engine -> "up" | "restarting" | "failed" (Supervisor.engine_state)
    annotator: SeedAnnotator = field(default_factory=SeedAnnotator)
    generator: Generator = field(default_factory=Generator)
    reviewer: Reviewer = field(default_factory=Reviewer)
    adjudicator: Adjudicator = field(default_factory=Adjudicator)
    summarizer: Summarizer = field(default_factory=Summarizer)
    cpus: dict[str, frozenset[int]] = field(default_factory=dict)  # engine -> the cores its local server is pinned to

    @classmethod
    def from_pool(cls, pool: Pool, endpoints: dict[str, Endpoint], health: Callable[[str], str] | None = None) -> Team:
        lms, engine_of = {}, {}
        for m in pool.members:
            ep = endpoints[m.engine]
            lms[m.name] = MemberLM(
                m.name,
                api_base=ep.base_url,
                api_key=ep.api_key,
                dialect=ep.dialect,
                replicas=ep.replicas,  # an engine with several servers spreads its members' calls over them
                num_retries=2,
                timeout=pool.timeout_s,
                repetition_span=pool.repetition_span,  # a looping answer is stopped where the loop is found
                **pool.sampling_for(m),
            )
            engine_of[m.name] = m.engine
        return cls(
            lms,
            engine_of,
            {name: ep.slots for name, ep in endpoints.items()},
            RetryPolicy(**pool.retry.model_dump()),
            health,
            cpus={name: ep.cpus for name, ep in endpoints.items() if ep.cpus},
        )

    @property
    def names(self) -> list[str]:
        return list(self.lms)


class Coordinator:
    def __init__(self, team: Team, store: Store, out: Path, config: SynthConfig, console: Console | None = None):
        self.team, self.store, self.out, self.config = team, store, out, config
        self.console = console or Console(stderr=True)
        self.adapter = StructuredAdapter(retry=team.retry, replay=store.recorded_call)
        self.limits = {e: AdaptiveLimit(n) for e, n in team.slots.items()}
        # Its own CPU work (streaming, SQLite, the embedding worker) goes where an engine has slack.
        self.placement = Placement(team.cpus, helpers=embedder_pids)
        self.index_path = out / "index" / "dedup.bin"
        self.index, self.index_report = verified_index(store, self.index_path)
        self.replayed = 0  # calls served from the database on resume instead of the engines

    @property
    def samples_in_flight(self) -> int:
        """How many candidates a round works on at once: ``--concurrency``, else 2 × every engine slot + 4.

        A sample waits on one engine at a time (its generator, then its reviewers), so an engine
        stays busy only while some sample in flight needs it. On the CPU pool (two one-slot
        engines, seven members) 4 samples in flight left the engines idle for 18 s and 20 s of a
        167 s run (busy 89% and 88%); 8 kept them busy 98% and 95%.
        """
        return self.config.concurrency or (2 * sum(self.team.slots.values()) + 4)

    # -- members' health ------------------------------------------------------------------
    def engine_state(self, engine: str) -> str:
        return self.team.health(engine) if self.team.health else "up"

    def member_state(self, member: str) -> str:
        return self.engine_state(self.team.engine_of[member])

    def drawable_members(self) -> list[str]:
        """The members a new sample's roles are drawn from: all but those whose engine was given up.

        With every member up this is the pool's list, so the draw depends only on (run
        seed, sample id); with fewer than N_R + 2 left the run stops instead of bending
        the rule that generator, reviewers and adjudicator are all different.
        """
        names = self.team.names
        up = [n for n in names if self.member_state(n) != "failed"]
        if len(up) < self.config.n_reviewers + 2:
            down = ", ".join(n for n in names if n not in up)
            raise MembersDown(
                f"only {len(up)} of {len(names)} members are up ({down}: their engine was given up, see"
                f" {self.out / 'logs'}); the roles need {self.config.n_reviewers + 2}. The run stopped here;"
                f" run gra synth on {self.out} again to resume it"
            )
        return up

    async def _came_back(self, member: str) -> bool:
        """Wait while the member's engine is being restarted; whether it is up again."""
        if self.member_state(member) != "restarting":
            return False
        self.console.print(f"[yellow]engine {self.team.engine_of[member]!r} is restarting; {member}'s calls wait")
        while (state := self.member_state(member)) == "restarting":
            await asyncio.sleep(0.5)
        return state == "up"

    # -- one role call, recorded ------------------------------------------------------
    async def call(
        self,
        role: str,
        member: str,
        fn: Callable[[], Awaitable[Any]],
        *,
        sample_id: str | None = None,
        seed_id: str | None = None,
    ) -> Any:
        """One role call with its retries, every attempt recorded in ``lm_calls``.

        A call that ends in ``engine_error`` while its engine is being restarted waits for
        the engine and is made again (a bounded number of times), instead of failing the sample.
        """
        for _ in range(ENGINE_WAITS):
            try:
                return await self._call_once(role, member, fn, sample_id, seed_id)
            except RoleFailed as exc:
                if exc.status != "engine_error" or not await self._came_back(member):
                    raise
        return await self._call_once(role, member, fn, sample_id, seed_id)

    async def _call_once(self, role, member, fn, sample_id, seed_id) -> Any:
        limit = self.limits[self.team.engine_of[member]]
        await limit.acquire()
        with call_log.recording(scope=f"{role}:{sample_id or seed_id}") as log:
            try:
                with dspy.context(lm=self.team.lms[member], adapter=self.adapter):
                    result, error = await fn(), None
            except Exception as exc:  # recorded below with its typed status; never a score
                result, error = None, exc
            finally:  # an engine that errors or times out gets fewer calls at once
                await limit.release(ok=not any(c.parse_status == "engine_error" for c in log.calls))
        self.store.add_calls(log.calls, role, member, sample_id=sample_id, seed_id=seed_id)
        self.replayed += sum(c.replay_of is not None for c in log.calls)
        if error is not None:
            last = log.calls[-1] if log.calls else None
            status = last.parse_status if last else "engine_error"
            raise RoleFailed(role, member, status, last.parse_detail if last else str(error)[:200])
        return result

    # -- seeds ---------------------------------------------------------------------------
    async def annotate(self, seeds: list[Seed], source: str) -> None:
        """Annotate every seed not yet settled (domain, keywords, summary), then index them for dedup."""
        with self._placed():
            await self._annotate(seeds, source)

    async def _annotate(self, seeds: list[Seed], source: str) -> None:
        done = {r["id"] for r in self.store.db["seeds"].rows_where(select="id")}  # annotated or failed: settled
        todo = [s for s in seeds if s.id not in done]
        if todo:  # the seeds are embedded next: load the model while the engines annotate
            warm_up()
        with self._progress() as progress:
            task = progress.add_task("annotating seeds", total=len(todo))

            async def one(seed: Seed, member: str) -> None:
                row = {
                    "id": seed.id,
                    "source": source,
                    "line": seed.line,
                    "instruction": seed.instruction,
                    "input": seed.input,
                    "output": seed.output,
                    "annotator": member,
                }
                try:
                    p = await self.call(
                        "annotator",
                        member,
                        lambda: self.team.annotator.acall(
                            instruction=seed.instruction, input=seed.input, output=seed.output
                        ),
                        seed_id=seed.id,
                    )
                    row.update(domain=p.domain, keywords=json.dumps(p.keywords), summary=p.summary, status="annotated")
                except RoleFailed:
                    row.update(status="failed")
                self.store.put_seed(row)
                progress.advance(task)

            # Any member may annotate: each seed goes to the engine with a slot free first.
            if await self._drain(todo, one):  # every engine was given up: the seeds left stay unsettled
                self.drawable_members()  # and the run stops here (MembersDown), to annotate them on resume
        self._index_seeds()

    def _index_seeds(self) -> None:
        indexed = {r["ref"] for r in self.store.db["index_items"].rows_where("kind = 'seed'", select="ref")}
        annotated = self.store.db["seeds"].rows_where("status = 'annotated'", select="id, instruction, input")
        rows = [r for r in annotated if r["id"] not in indexed]
        if not rows:
            return
        vectors = embed([sample_text(r["instruction"], r["input"]) for r in rows])
        start = self.store.next_label()
        labels = list(range(start, start + len(rows)))
        self.index.add(vectors, labels)
        self.store.add_index_items(
            [{"label": lb, "kind": "seed", "ref": r["id"]} for lb, r in zip(labels, rows, strict=True)]
        )
        self.index.save(self.index_path)

    def example_pool(self) -> dict[str, list[tuple[list[str], str, str]]]:
        """Domain → (keywords, summary, ref) of every annotated seed and every kept, summarized sample.

        Reads only those columns, row by row: the pool never holds whole samples.
        """
        pool: dict[str, list] = defaultdict(list)
        columns = "id, domain, keywords, summary"
        for r in self.store.db["seeds"].rows_where("status = 'annotated'", select=columns):
            pool[r["domain"]].append((json.loads(r["keywords"]), r["summary"], f"seed:{r['id']}"))
        kept = "status = 'accepted' and summary is not null"
        for r in self.store.db["samples"].rows_where(kept, select=columns, order_by="id"):
            pool[r["domain"]].append((json.loads(r["keywords"]), r["summary"], f"sample:{r['id']}"))
        return dict(pool)

    # -- one candidate sample ------------------------------------------------------------
    async def run_sample(self, round_: int, ordinal: int, pool: dict[str, list], *, restart: bool = False) -> str:
        """Take one candidate from generation to a committee outcome; return its status.

        With ``restart`` the sample was cut off by a crash: it starts over under the same
        draw, and the calls it had already finished are served from the replay cache.
        """
        cfg, sid = self.config, f"r{round_}-{ordinal:05d}"
        rng = sample_rng(cfg.seed, sid)
        roles = round_roles(self.drawable_members(), cfg.n_reviewers, cfg.seed, round_, ordinal)
        domain = rng.choice(sorted(pool))
        entries = pool[domain]
        drawn = rng.sample(entries, min(len(entries), rng.randint(2, 4)))
        examples = self.store.pool_rows([e[2] for e in drawn])
        shown = self.store.pool_rows(demo_refs(pool, domain, drawn, rng))
        (self.store.restart_sample if restart else self.store.new_sample)(
            {
                "id": sid,
                "round": round_,
                "ordinal": ordinal,
                "status": "generating",
                "domain": domain,
                "examples": json.dumps([e["ref"] for e in examples]),
                "demos": json.dumps([e["ref"] for e in shown]),
                "generator": roles.generator,
                "reviewers": json.dumps(roles.reviewers),
                "adjudicator": roles.adjudicator,
            }
        )

        try:
            g = await self.call(
                "generator",
                roles.generator,
                lambda: self.team.generator.acall(domain=domain, examples=examples, demos=shown),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return self._fail(sid, "generate", exc)
        generated = dict(keywords=json.dumps(g.keywords), instruction=g.instruction, input=g.input, output=g.response)
        copy = copied_from(g.instruction, g.input, examples + shown, self.config.dedup_threshold)
        if copy is not None:  # a copy of what its generator was shown: settled before any judge is called
            ref, similarity = copy
            self.store.update_sample(sid, status="duplicate", duplicate_of=ref, similarity=similarity, **generated)
            return "duplicate"
        self.store.update_sample(sid, status="reviewing", **generated)
        return await self.judge(sid, roles, g.instruction, g.input, g.response, domain=domain)

    def _fail(self, sid: str, stage: str, exc: RoleFailed) -> str:
        self.store.update_sample(sid, status="failed", failure=f"{stage}: {exc}")
        return "failed"

    async def judge(
        self, sid: str, roles: RoleAssignment, instruction: str, input: str, response: str, domain: str | None = None
    ) -> str:
        """The committee on one sample already in the store: checks, scores, the σ rule, adjudication.

        Its judges' demos are drawn for this sample from ``domain`` (every reviewer of the
        sample sees the same ones, so engines with a prompt cache compute them once).

        Returns (and stores) ``rejected_steering`` (screened out, no judge called),
        ``rejected_instruction``, ``rejected_score``, ``passed``, ``rejected_adjudication`` or ``failed``.
        """
        cfg = self.config
        rng = sample_rng(cfg.seed, f"{sid}:judges")
        demos = {"check": check_demos(domain, rng), "score": score_demos(domain, rng)}
        demos["adjudicate"] = adjudicate_demos(domain, rng)
        if cfg.screen:
            broken = list(dict.fromkeys(r for text in (instruction, input, response) for r in steering(text)))
            if broken:
                self.store.update_sample(sid, status="rejected_steering", failure=f"steering: {', '.join(broken)}")
                return "rejected_steering"

        async def each_reviewer(make: Callable[[str], Callable[[], Awaitable[Any]]]) -> list[Any]:
            results = await asyncio.gather(
                *(self.call("reviewer", r, make(r), sample_id=sid) for r in roles.reviewers), return_exceptions=True
            )
            for r in results:
                if isinstance(r, BaseException) and not isinstance(r, RoleFailed):
                    raise r
            return results

        checks = await each_reviewer(lambda r: lambda: self.team.reviewer.acheck(instruction, input, demos["check"]))
        failed = next((c for c in checks if isinstance(c, RoleFailed)), None)
        with self.store.transaction():  # the reviews and the transition they cause: one write
            for reviewer, c in zip(roles.reviewers, checks, strict=True):
                if not isinstance(c, RoleFailed):
                    self.store.add_review(sid, reviewer, "instruction", c.checks, None)
            if failed:
                return self._fail(sid, "check", failed)
            if not all(all(c.checks) for c in checks):
                self.store.update_sample(sid, status="rejected_instruction")
                return "rejected_instruction"

        scored = await each_reviewer(
            lambda r: lambda: self.team.reviewer.ascore(instruction, input, response, demos["score"])
        )
        failed = next((s for s in scored if isinstance(s, RoleFailed)), None)
        with self.store.transaction():
            for reviewer, s in zip(roles.reviewers, scored, strict=True):
                if not isinstance(s, RoleFailed):
                    self.store.add_review(sid, reviewer, "response", s.scores, s.review)
            if failed:
                return self._fail(sid, "score", failed)
            v = verdict([s.scores for s in scored], tau=cfg.tau, delta=cfg.delta)
            status = {"reject": "rejected_score", "accept": "passed", "adjudicate": "adjudicating"}[v.decision]
            self.store.update_sample(sid, status=status, mean=v.mean, std=v.std)
        if status != "adjudicating":
            return status

        try:
            a = await self.call(
                "adjudicator",
                roles.adjudicator,
                lambda: self.team.adjudicator.acall(
                    instruction=instruction,
                    input=input,
                    response=response,
                    scores=[s.scores for s in scored],
                    reviews=[s.review for s in scored],
                    demos=demos["adjudicate"],
                ),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return self._fail(sid, "adjudicate", exc)
        accepted = adjudication_accepts(a.scores, cfg.tau)
        a_mean = sum(a.scores) / len(a.scores)
        with self.store.transaction():
            self.store.add_adjudication(sid, roles.adjudicator, a.scores, a_mean, accepted, a.review)
            status = "passed" if accepted else "rejected_adjudication"
            self.store.update_sample(sid, status=status, adjudicated_mean=a_mean)
        return "passed" if accepted else "rejected_adjudication"

    # -- a round -----------------------------------------------------------------------------
    async def run_round(self, round_: int) -> None:
        """Generate and judge candidates until ``per_round`` pass or the budget is spent; then
        deduplicate, summarize and rewrite ``data.jsonl``.

        A round cut off by a crash picks up where it stopped: unfinished samples start over
        (their finished calls come from the replay cache), then new candidates follow under
        the same stopping rule, so the outcome is as if the run had never stopped.
        """
        with self._placed():
            await self._run_round(round_)

    async def _run_round(self, round_: int) -> None:
        cfg, store = self.config, self.store
        if store.round_finished(round_):
            return
        pool = self.example_pool()
        if not pool:
            raise NothingToGenerateFrom(
                f"{self.out / 'gra.db'}: no seed was annotated and no sample kept, so there is nothing to generate"
                " from (see the annotator's calls in lm_calls)"
            )
        store.start_round(round_)
        progress_so_far = store.round_progress(round_)
        redo = list(progress_so_far["unfinished"])
        launched, passed = progress_so_far["launched"], progress_so_far["passed"]
        next_ordinal = progress_so_far["next_ordinal"]
        with self._progress() as progress:
            task = progress.add_task(f"round {round_}: candidates", total=cfg.budget, completed=launched - len(redo))
            passed_task = progress.add_task(f"round {round_}: passed committee", total=cfg.per_round, completed=passed)

            async def worker() -> None:
                nonlocal launched, passed, next_ordinal
                while True:
                    if redo:
                        ordinal, restart = redo.pop(0), True
                    elif launched < cfg.budget and passed < cfg.per_round:
                        ordinal, restart = next_ordinal, False
                        next_ordinal += 1
                        launched += 1
                    else:
                        return
                    outcome = await self.run_sample(round_, ordinal, pool, restart=restart)
                    passed += outcome == "passed"
                    progress.advance(task)
                    if outcome == "passed":
                        progress.advance(passed_task)

            await asyncio.gather(*(worker() for _ in range(self.samples_in_flight)))
        with store.transaction():  # every keep/drop decision of the round lands at once, or none does
            self.dedup_round(round_)
        await self.summarize_round(round_)
        self.write_data()
        store.finish_round(round_)

    def dedup_round(self, round_: int) -> None:
        passed = "round = ? and status = 'passed'"
        rows = list(self.store.db["samples"].rows_where(passed, [round_], select="id, mean, instruction, input"))
        if not rows:
            return
        vectors = embed([sample_text(r["instruction"], r["input"]) for r in rows])
        next_label = [self.store.next_label()]
        new_items: list[dict] = []

        def label_for(key: str) -> int:
            label = next_label[0]
            next_label[0] += 1
            new_items.append({"label": label, "kind": "sample", "ref": key})
            return label

        decisions = deduplicate(
            self.index,
            [(r["id"], r["mean"], v) for r, v in zip(rows, vectors, strict=True)],
            label_for,
            self.config.dedup_threshold,
        )
        self.store.add_index_items(new_items)
        pending = {i["label"]: f"sample:{i['ref']}" for i in new_items}
        for d in decisions:
            if d.kept:
                self.store.update_sample(d.key, status="accepted", similarity=d.similarity)
            else:
                ref = pending.get(d.nearest) or self.store.index_ref(d.nearest)
                self.store.update_sample(d.key, status="duplicate", duplicate_of=ref, similarity=d.similarity)
        self.index.save(self.index_path)

    async def summarize_round(self, round_: int) -> None:
        rows = self.store.samples("round = ? and status = 'accepted' and summarizer is null", [round_])
        pool = self.example_pool()

        async def one(r: dict, member: str) -> None:
            seeds = [e for e in pool.get(r["domain"], []) if e[2].startswith("seed:")]
            shown = sample_rng(self.config.seed, f"{r['id']}:summary").sample(seeds, min(2, len(seeds)))
            examples = self.store.pool_rows([e[2] for e in shown])
            try:
                p = await self.call(
                    "summarizer",
                    member,
                    lambda: self.team.summarizer.acall(
                        instruction=r["instruction"], input=r["input"], examples=examples
                    ),
                    sample_id=r["id"],
                )
                self.store.update_sample(r["id"], summary=p.summary, summarizer=member)
            except RoleFailed:
                self.store.update_sample(r["id"], summarizer=member)  # kept, but it cannot seed later rounds

        if await self._drain(rows, one):  # any member may summarize: the engine free first does
            self.drawable_members()  # every engine was given up: stop here (MembersDown) so a resume summarizes them

    def _placed(self) -> contextlib.AbstractContextManager[None]:
        """While the engines work, keep this process on the cores of the engine with the most slack."""
        return self.placement.following(lambda: {e: limit.busy_seconds() for e, limit in self.limits.items()})

    async def _drain(self, jobs: list, run: Callable[[Any, str], Awaitable[Any]]) -> list:
        """Jobs any member may do (annotations, summaries), each on the engine with a slot free first."""
        by_engine: dict[str, list[str]] = {}
        for name in self.team.names:
            by_engine.setdefault(self.team.engine_of[name], []).append(name)
        return await drain(
            jobs,
            by_engine,
            self.team.slots,
            run,
            usable=lambda engine: self.engine_state(engine) != "failed",
        )

    def write_data(self) -> Path:
        """Rewrite ``data.jsonl`` from the database: every accepted sample, once."""
        path = self.out / "data.jsonl"
        tmp = path.with_suffix(".jsonl.tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for r in self.store.samples("status = 'accepted'", order_by="round, mean desc, id"):
                f.write(
                    json.dumps(
                        {
                            "id": r["id"],
                            "instruction": r["instruction"],
                            "input": r["input"],
                            "output": r["output"],
                            "domain": r["domain"],
                            "keywords": json.loads(r["keywords"]),
                            "summary": r["summary"],
                            "mean": r["mean"],
                            "round": r["round"],
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        os.replace(tmp, path)
        return path

    def _progress(self) -> Progress:
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
