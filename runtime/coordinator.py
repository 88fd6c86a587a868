"""The GRA loop: annotate seeds, then per round generate → review → adjudicate → dedup → summarize.

Many samples are in flight at once (asyncio); each advances through its own stages and
every transition is written to the run database before the next begins. Calls to one
engine are limited to its slot count, so a pool of servers stays busy without queueing
unboundedly. The role draw of a sample depends only on (run seed, sample id).
"""

from __future__ import annotations

import asyncio
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
    SeedAnnotator,
    Summarizer,
    adjudication_accepts,
    assign_roles,
    sample_rng,
    verdict,
)
from runtime import call_log  # noqa: E402
from runtime.embedder import embed, sample_text  # noqa: E402
from runtime.index import DedupIndex, deduplicate
from runtime.limiter import AdaptiveLimit  # noqa: E402
from runtime.member_lm import MemberLM  # noqa: E402
from runtime.pool import Pool  # noqa: E402
from runtime.seeds import Seed  # noqa: E402
from runtime.store import Store  # noqa: E402
from runtime.structured import RetryPolicy, StructuredAdapter  # noqa: E402
from runtime.supervisor import Endpoint  # noqa: E402


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
    concurrency: int | None = None  # samples in flight; default total engine slots + 2

    @property
    def budget(self) -> int:
        return self.max_candidates if self.max_candidates is not None else 4 * self.per_round


class NothingToGenerateFrom(RuntimeError):
    """No annotated seed and no kept sample: a round has no examples to draw from."""


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
    annotator: SeedAnnotator = field(default_factory=SeedAnnotator)
    generator: Generator = field(default_factory=Generator)
    reviewer: Reviewer = field(default_factory=Reviewer)
    adjudicator: Adjudicator = field(default_factory=Adjudicator)
    summarizer: Summarizer = field(default_factory=Summarizer)

    @classmethod
    def from_pool(cls, pool: Pool, endpoints: dict[str, Endpoint]) -> Team:
        lms, engine_of = {}, {}
        for m in pool.members:
            ep = endpoints[m.engine]
            lms[m.name] = MemberLM(
                m.name,
                api_base=ep.base_url,
                api_key=ep.api_key,
                dialect=ep.dialect,
                num_retries=2,
                timeout=pool.timeout_s,
                **pool.sampling_for(m),
            )
            engine_of[m.name] = m.engine
        return cls(
            lms, engine_of, {name: ep.slots for name, ep in endpoints.items()}, RetryPolicy(**pool.retry.model_dump())
        )

    @property
    def names(self) -> list[str]:
        return list(self.lms)


class Coordinator:
    def __init__(self, team: Team, store: Store, out: Path, config: SynthConfig, console: Console | None = None):
        self.team, self.store, self.out, self.config = team, store, out, config
        self.console = console or Console(stderr=True)
        self.adapter = StructuredAdapter(retry=team.retry)
        self.limits = {e: AdaptiveLimit(n) for e, n in team.slots.items()}
        self.index_path = out / "index" / "dedup.bin"
        self.index = DedupIndex.load(self.index_path) if self.index_path.exists() else DedupIndex()

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
        limit = self.limits[self.team.engine_of[member]]
        await limit.acquire()
        with call_log.recording() as log:
            try:
                with dspy.context(lm=self.team.lms[member], adapter=self.adapter):
                    result, error = await fn(), None
            except Exception as exc:  # recorded below with its typed status; never a score
                result, error = None, exc
            finally:  # an engine that errors or times out gets fewer calls at once
                await limit.release(ok=not any(c.parse_status == "engine_error" for c in log.calls))
        self.store.add_calls(log.calls, role, member, sample_id=sample_id, seed_id=seed_id)
        if error is not None:
            last = log.calls[-1] if log.calls else None
            status = last.parse_status if last else "engine_error"
            raise RoleFailed(role, member, status, last.parse_detail if last else str(error)[:200])
        return result

    # -- seeds ---------------------------------------------------------------------------
    async def annotate(self, seeds: list[Seed], source: str) -> None:
        done = {r["id"] for r in self.store.db["seeds"].rows_where("status = 'annotated'", select="id")}
        todo = [s for s in seeds if s.id not in done]
        names = self.team.names
        with self._progress() as progress:
            task = progress.add_task("annotating seeds", total=len(todo))

            async def one(i: int, seed: Seed) -> None:
                member = names[i % len(names)]  # members in rotation
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

            await asyncio.gather(*(one(i, s) for i, s in enumerate(todo)))
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
    async def run_sample(self, round_: int, ordinal: int, pool: dict[str, list]) -> str:
        cfg, sid = self.config, f"r{round_}-{ordinal:05d}"
        rng = sample_rng(cfg.seed, sid)
        roles = assign_roles(self.team.names, cfg.n_reviewers, rng)
        domain = rng.choice(sorted(pool))
        entries = pool[domain]
        examples = rng.sample(entries, min(len(entries), rng.randint(2, 4)))
        self.store.new_sample(
            {
                "id": sid,
                "round": round_,
                "ordinal": ordinal,
                "status": "generating",
                "domain": domain,
                "examples": json.dumps([e[2] for e in examples]),
                "generator": roles.generator,
                "reviewers": json.dumps(roles.reviewers),
                "adjudicator": roles.adjudicator,
            }
        )

        def fail(stage: str, exc: RoleFailed) -> str:
            self.store.update_sample(sid, status="failed", failure=f"{stage}: {exc}")
            return "failed"

        try:
            g = await self.call(
                "generator",
                roles.generator,
                lambda: self.team.generator.acall(domain=domain, examples=[(e[0], e[1]) for e in examples]),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return fail("generate", exc)
        self.store.update_sample(
            sid,
            status="reviewing",
            keywords=json.dumps(g.keywords),
            instruction=g.instruction,
            input=g.input,
            output=g.response,
        )

        async def each_reviewer(make: Callable[[str], Callable[[], Awaitable[Any]]]) -> list[Any]:
            results = await asyncio.gather(
                *(self.call("reviewer", r, make(r), sample_id=sid) for r in roles.reviewers), return_exceptions=True
            )
            for r in results:
                if isinstance(r, BaseException) and not isinstance(r, RoleFailed):
                    raise r
            return results

        checks = await each_reviewer(lambda r: lambda: self.team.reviewer.acheck(g.instruction, g.input))
        for reviewer, c in zip(roles.reviewers, checks, strict=True):
            if not isinstance(c, RoleFailed):
                self.store.add_review(sid, reviewer, "instruction", c.checks, None)
        failed = next((c for c in checks if isinstance(c, RoleFailed)), None)
        if failed:
            return fail("check", failed)
        if not all(all(c.checks) for c in checks):
            self.store.update_sample(sid, status="rejected_instruction")
            return "rejected_instruction"

        scored = await each_reviewer(lambda r: lambda: self.team.reviewer.ascore(g.instruction, g.input, g.response))
        for reviewer, s in zip(roles.reviewers, scored, strict=True):
            if not isinstance(s, RoleFailed):
                self.store.add_review(sid, reviewer, "response", s.scores, s.review)
        failed = next((s for s in scored if isinstance(s, RoleFailed)), None)
        if failed:
            return fail("score", failed)
        v = verdict([s.scores for s in scored], tau=cfg.tau, delta=cfg.delta)
        status = {"reject": "rejected_score", "accept": "passed", "adjudicate": "adjudicating"}[v.decision]
        self.store.update_sample(sid, status=status, mean=v.mean, std=v.std)  # one transition, one write
        if status != "adjudicating":
            return status

        try:
            a = await self.call(
                "adjudicator",
                roles.adjudicator,
                lambda: self.team.adjudicator.acall(
                    instruction=g.instruction,
                    input=g.input,
                    response=g.response,
                    scores=[s.scores for s in scored],
                    reviews=[s.review for s in scored],
                ),
                sample_id=sid,
            )
        except RoleFailed as exc:
            return fail("adjudicate", exc)
        accepted = adjudication_accepts(a.scores, cfg.tau)
        a_mean = sum(a.scores) / len(a.scores)
        self.store.add_adjudication(sid, roles.adjudicator, a.scores, a_mean, accepted)
        self.store.update_sample(sid, status="passed" if accepted else "rejected_adjudication", adjudicated_mean=a_mean)
        return "passed" if accepted else "rejected_adjudication"

    # -- a round -----------------------------------------------------------------------------
    async def run_round(self, round_: int) -> None:
        cfg = self.config
        pool = self.example_pool()
        if not pool:
            raise NothingToGenerateFrom(
                f"{self.out / 'gra.db'}: no seed was annotated and no sample kept, so there is nothing to generate"
                " from (see the annotator's calls in lm_calls)"
            )
        launched, passed = 0, 0
        concurrency = cfg.concurrency or (sum(self.team.slots.values()) + 2)
        with self._progress() as progress:
            task = progress.add_task(f"round {round_}: candidates", total=cfg.budget)
            passed_task = progress.add_task(f"round {round_}: passed committee", total=cfg.per_round)

            async def worker() -> None:
                nonlocal launched, passed
                while launched < cfg.budget and passed < cfg.per_round:
                    ordinal = launched
                    launched += 1
                    outcome = await self.run_sample(round_, ordinal, pool)
                    passed += outcome == "passed"
                    progress.advance(task)
                    if outcome == "passed":
                        progress.advance(passed_task)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        self.dedup_round(round_)
        await self.summarize_round(round_)
        self.write_data()

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
        rows = self.store.samples("round = ? and status = 'accepted' and summary is null", [round_])

        async def one(r: dict) -> None:
            member = sample_rng(self.config.seed, f"{r['id']}:summary").choice(self.team.names)
            try:
                p = await self.call(
                    "summarizer",
                    member,
                    lambda: self.team.summarizer.acall(instruction=r["instruction"], input=r["input"]),
                    sample_id=r["id"],
                )
                self.store.update_sample(r["id"], summary=p.summary, summarizer=member)
            except RoleFailed:
                self.store.update_sample(r["id"], summarizer=member)  # kept, but it cannot seed later rounds

        await asyncio.gather(*(one(r) for r in rows))

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
