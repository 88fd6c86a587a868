"""``gra optimize`` as a function: compile a role's prompts with a DSPy optimizer into a prompt pack.

The labelled rows are checked before anything starts (one line naming the file and line),
split into train and a held-out val split (or ``--valset``), and one program is compiled per
model of the pool (or for ``--member`` alone), each on its own engine at the same time. Every
model call goes through the project's recorded, typed, retried path into ``PACK/gra.db``,
with ``lm_calls.program`` naming the program and the phase (``before``, ``compile``,
``after``). The pack gets each program (DSPy's ``save``) and its record in ``pack.toml``.

``--role team`` compiles the reviewers of every model and also writes each member's judging
reliability (its model's agreement with the val labels, with the program it will run) into
the pack's ``[reliability]`` table, for ``--roles reliability``.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import dspy
from rich.console import Console
from rich.table import Table

from gra_agents import Reviewer
from gra_agents.metrics import DEFAULT_METRICS, judged_accepts, with_feedback
from gra_agents.training import (
    adjudication_example,
    annotation_example,
    generation_example,
    judge_example,
    labeled_adjudication,
    labeled_sheet,
)
from runtime.calls import record
from runtime.calls.adapter import StructuredAdapter
from runtime.config import ConfigError, Pool, load_pool
from runtime.engines.supervisor import Supervisor
from runtime.pipeline import Team
from runtime.pipeline.compiler import NEEDS_TEACHER, OPTIMIZERS, Compilation
from runtime.pipeline.copies import copied_from
from runtime.storage.pack import (
    PACK_FILE,
    ROLE_MODULES,
    Program,
    data_file,
    model_slug,
    read_pack,
    write_program,
    write_reliability,
)
from runtime.storage.run_dir import member_rows
from runtime.storage.seeds import Seed, SeedFileError, load_seeds
from runtime.storage.store import Store
from signatures.vocabulary import DOMAINS

ROLES: tuple[str, ...] = ("reviewer", "adjudicator", "annotator", "generator", "team")
#: Model calls one example costs the role's program (a reviewer checks, then scores).
CALLS_PER_ROW = {"reviewer": 2, "team": 2, "adjudicator": 1, "annotator": 1, "generator": 5}
#: The module each role compiles (``team`` compiles the reviewers).
MODULE_ROLE = {"team": "reviewer"}


@dataclass
class OptimizeRequest:
    """What ``gra optimize`` was asked: the role, data, pool, optimizer and its budget."""

    role: str
    train: Path
    out: Path
    pool: str = "cpu"
    optimizer: str = "bootstrap"
    metric: str | None = None
    member: str | None = None
    valset: Path | None = None
    val_share: float = 0.3
    budget: int | None = None
    teacher: str | None = None
    teacher_model: str = "default"
    seed: int = 0
    rows: int | None = None  # use only this many rows of --train (drawn with the seed), for a quick compile

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigError(f"--role must be one of {', '.join(ROLES)}, got {self.role!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.optimizer in NEEDS_TEACHER and not self.teacher:
            raise ConfigError(
                f"--optimizer {self.optimizer} needs --teacher MEMBER|URL: a model that proposes instructions"
                " (on the CPU pool only its own small members are there; a stronger endpoint is better)"
            )
        if self.optimizer == "labeled" and self.role == "generator":
            raise ConfigError("--optimizer labeled has no labelled generator outputs; use bootstrap or bootstrap-rs")
        if not 0 < self.val_share < 1:
            raise ConfigError(f"--val-share must be between 0 and 1, got {self.val_share}")


@dataclass
class Split:
    """Train and val examples, with their labelled (complete-demo) forms and the files they came from."""

    train: list[dspy.Example]
    val: list[dspy.Example]
    labeled: list[dspy.Example] = field(default_factory=list)


# -- the labelled rows ----------------------------------------------------------------------


def _need(seed: Seed, path: Path, key: str, ok: Callable[[Any], bool], what: str) -> Any:
    value = seed.extra.get(key)
    if not ok(value):
        raise SeedFileError(f"{path}:{seed.line}: field {key!r} must be {what}, got {value!r}")
    return value


def _row(seed: Seed) -> dict[str, Any]:
    return {"id": seed.id, "instruction": seed.instruction, "input": seed.input, "output": seed.output} | seed.extra


def examples_of(role: str, path: Path) -> list[dspy.Example]:
    """The role's examples from a labelled file; :class:`SeedFileError` names the first unusable line."""
    seeds = load_seeds(path)
    out = []
    for s in seeds:
        if role in ("reviewer", "team", "adjudicator"):
            _need(s, path, "correct", lambda v: isinstance(v, bool), "true or false")
        if role == "adjudicator":
            e = adjudication_example(_row(s))
            if e is not None:  # a row its committee never scored has nothing to adjudicate
                out.append(e)
            continue
        if role in ("reviewer", "team"):
            out.append(judge_example(_row(s)))
        if role == "annotator":
            _need(s, path, "domain", lambda v: v in DOMAINS, f"one of {', '.join(DOMAINS)}")
            out.append(annotation_example(_row(s)))
    if role == "generator":
        out = generation_examples(seeds, path)
    if role == "adjudicator" and not out:
        raise SeedFileError(f"{path}: no row has two scored reviews (use a gra curate curated.jsonl of a judge set)")
    return out


def generation_examples(seeds: list[Seed], path: Path, per_domain: int = 4) -> list[dspy.Example]:
    """Generator inputs from annotated seeds: per domain, ``per_domain`` draws of 2-3 examples and 2 shown rows."""
    rows = []
    for s in seeds:
        _need(s, path, "domain", lambda v: v in DOMAINS, f"one of {', '.join(DOMAINS)}")
        _need(s, path, "keywords", lambda v: isinstance(v, list) and v, "a non-empty list")
        _need(s, path, "summary", lambda v: isinstance(v, str) and v, "a non-empty string")
        rows.append(_row(s))
    out, rng = [], random.Random(0)
    for domain in DOMAINS:
        mine = [r for r in rows if r["domain"] == domain]
        for _ in range(per_domain if len(mine) >= 4 else 0):
            drawn = rng.sample(mine, min(len(mine), 5))
            examples, shown = drawn[:-2], drawn[-2:]
            out.append(generation_example(domain, examples, shown))
    if not out:
        raise SeedFileError(f"{path}: no domain has 4 annotated rows (gra annotate writes them)")
    return out


def split(role: str, request: OptimizeRequest) -> Split:
    """Train and val: ``--valset``, else a held-out share of ``--train`` (stratified by label, fixed seed)."""
    rows = examples_of(role, request.train)
    rng = random.Random(request.seed)
    if request.rows is not None and request.rows < len(rows):
        rows = _stratified(rows, request.rows, rng)
    if request.valset is not None:
        train, val = rows, examples_of(role, request.valset)
    else:
        val = _stratified(rows, max(1, round(len(rows) * request.val_share)), rng)
        held = {id(e) for e in val}
        train = [e for e in rows if id(e) not in held]
    if not train or not val:
        raise ConfigError(f"{request.train}: {len(rows)} usable rows cannot be split into train and val")
    return Split(train, val, [labeled_form(role, e) for e in train])


def _label(e: dspy.Example) -> Any:
    return e.get("correct", e.get("domain"))


def _stratified(rows: list[dspy.Example], n: int, rng: random.Random) -> list[dspy.Example]:
    """``n`` rows drawn so that each label keeps its share."""
    by_label: dict[Any, list] = {}
    for e in rows:
        by_label.setdefault(_label(e), []).append(e)
    picked = []
    for label in sorted(by_label, key=str):
        group = by_label[label]
        picked += rng.sample(group, min(len(group), round(n * len(group) / len(rows))))
    rng.shuffle(picked)
    return picked[:n]


def labeled_form(role: str, e: dspy.Example) -> dspy.Example:
    """A training example as the complete demo ``LabeledFewShot`` shows."""
    if role in ("reviewer", "team"):
        return labeled_sheet(e)
    if role == "adjudicator":
        return labeled_adjudication(e)
    return e


# -- metrics ---------------------------------------------------------------------------------


def metric_for(role: str, name: str | None) -> tuple[Callable[..., float], Callable[..., Any], str]:
    """The metric, its GEPA form and its name: the role's default, or ``module:function`` (a DSPy metric of yours)."""
    if name is None or name == "default":
        if role == "generator":
            raise ValueError("the generator's metric needs a judge; see generator_metric")
        metric, explain = DEFAULT_METRICS[role]
        return metric, with_feedback(metric, explain), metric.__name__
    module, _, attr = name.partition(":")
    try:
        metric = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(f"--metric {name!r}: not an importable module:function") from None
    return metric, metric, name


def generator_metric(judge: Callable[[str, str, str], bool], threshold: float) -> Callable[..., float]:
    """The committee's verdict plus distinctness: 0 for a copy of a shown row, 0.5 for a new one, 1 if judged good."""

    def metric(example, prediction, trace=None, *_):
        shown = [
            {"ref": str(i), "instruction": r["instruction"], "input": r.get("input", "")}
            for i, r in enumerate(example.demos)
        ]
        if copied_from(prediction.instruction, prediction.input, shown, threshold) is not None:
            return 0.0
        return 1.0 if judge(prediction.instruction, prediction.input, prediction.response) else 0.5

    return metric


# -- engines and members ---------------------------------------------------------------------


def targets(pool: Pool, member: str | None) -> dict[str, str]:
    """model → the member that compiles it: ``member`` alone, else the first member of each model."""
    if member is not None:
        pool.check_member(member)
        return {pool.model_of(member): member}
    out: dict[str, str] = {}
    for m in pool.members:
        out.setdefault(pool.model_of(m.name), m.name)
    return out


def teacher_lm(request: OptimizeRequest, team: Team) -> dspy.LM | None:
    """The proposer / reflection LM: a member of the pool by name, or an OpenAI-compatible URL."""
    if request.teacher is None:
        return None
    if request.teacher in team.lms:
        return team.lms[request.teacher].copy(temperature=1.0)
    if not request.teacher.startswith(("http://", "https://")):
        raise ConfigError(f"--teacher {request.teacher!r}: not a member of the pool nor an http(s) URL")
    return dspy.LM(
        f"hosted_vllm/{request.teacher_model}",
        api_base=request.teacher,
        api_key=os.environ.get("GRA_TEACHER_API_KEY", "none"),
        temperature=1.0,
        max_tokens=2048,
        cache=False,
        num_retries=2,
    )


class Sink:
    """Each thread's calls into the pack's database, with the program and phase that made them."""

    def __init__(self, path: Path):
        self.path, self.local = path, threading.local()

    def store(self) -> Store:
        if not hasattr(self.local, "store"):
            self.local.store = Store(self.path)
        return self.local.store

    def to(self, role: str, member: str, key: str) -> Callable[[list, str], None]:
        def sink(calls: list, phase: str) -> None:
            self.store().add_calls(calls, role, member, program=f"{key}:{phase}")

        return sink

    def adapter(self, team: Team) -> StructuredAdapter:
        return StructuredAdapter(retry=team.retry, replay=lambda key: self.store().recorded_call(key))


# -- the command -----------------------------------------------------------------------------


def optimize(request: OptimizeRequest, console: Console | None = None) -> Path:
    """Compile ``request.role`` for each target model into the pack at ``request.out``; return the pack path."""
    console = console or Console(stderr=True)
    role = MODULE_ROLE.get(request.role, request.role)
    data = split(request.role, request)
    pool, pool_path = load_pool(request.pool)
    chosen = targets(pool, request.member)
    if request.role == "generator" and len(pool.members) < 2:
        raise ConfigError(f"{pool_path}: the generator's metric needs another member to judge")
    console.print(
        f"[bold]gra optimize[/]: {request.role} with {request.optimizer} on {len(data.train)} train / {len(data.val)}"
        f" val rows; programs for {', '.join(f'{m} ({n})' for m, n in chosen.items())} → {request.out}"
    )
    request.out.mkdir(parents=True, exist_ok=True)
    store = Store(request.out / "gra.db")
    store.start_run(request.seed, {"optimize": json.loads(json.dumps(asdict(request), default=str))}, None)
    store.put_members(member_rows(pool))
    helpers = [request.teacher] if request.teacher in pool_names(pool) else []
    if request.role == "generator":  # its metric's reviewer: a member of another model
        models = {n: pool.model_of(n) for n in pool_names(pool)}
        helpers += [judge_of(models, model, member) for model, member in chosen.items()]
    serving = serving_pool(pool, [*chosen.values(), *helpers])
    with Supervisor(serving, log_dir=request.out / "logs", source=str(pool_path)) as supervisor:
        team = Team.from_pool(serving, supervisor.endpoints)
        teacher = teacher_lm(request, team)
        jobs = [(request, role, model, member, team, data, teacher) for model, member in chosen.items()]
        if len(jobs) == 1:
            compile_one(*jobs[0], Sink(request.out / "gra.db"))
        else:
            in_parallel(jobs, request.out)
    if request.role == "team":
        pack = read_pack(request.out)
        after = {model: pack.program(role, model).after for model in chosen}
        write_reliability(
            request.out, {m.name: after[model] for m in serving.members if (model := pool.model_of(m.name)) in after}
        )
    console.print(pack_table(request.out))
    return request.out


def pool_names(pool: Pool) -> list[str]:
    return [m.name for m in pool.members]


def serving_pool(pool: Pool, members: list[str]) -> Pool:
    """The part of ``pool`` that must run: the engines of ``members``, with every member of those engines."""
    engines = {m.engine for m in pool.members if m.name in members}
    return pool.model_copy(
        update={
            "engines": {name: spec for name, spec in pool.engines.items() if name in engines},
            "members": [m for m in pool.members if m.engine in engines],
        }
    )


class CompileFailed(RuntimeError):
    """A model's compilation ended in an error (its traceback was printed; its calls are in the pack's gra.db)."""


def in_parallel(jobs: list[tuple], out: Path) -> None:
    """Compile each model in a process of its own, at once: each drives its own engine.

    Processes, not threads: DSPy's optimizers and evaluators keep progress state that is
    not safe to share between threads. Each child writes its program into the pack itself
    (the pack's lock orders the writes) and its calls into the pack's database.
    """
    ctx = multiprocessing.get_context("fork")
    procs = {job[2]: ctx.Process(target=_child, args=(job, out), name=f"compile {job[2]}") for job in jobs}
    for p in procs.values():
        p.start()
    for p in procs.values():
        p.join()
    failed = [model for model, p in procs.items() if p.exitcode != 0]
    if failed:
        raise CompileFailed(f"compiling {', '.join(failed)} failed (the error is printed above; calls in {out}/gra.db)")


def _child(job: tuple, out: Path) -> None:
    compile_one(*job, Sink(out / "gra.db"))


def compile_one(
    request: OptimizeRequest,
    role: str,
    model: str,
    member: str,
    team: Team,
    data: Split,
    teacher: dspy.LM | None,
    sink: Sink,
) -> Compilation:
    """Compile ``role`` for ``model`` on ``member``'s engine and write it into the pack."""
    key = f"{role}/{model}"
    if request.role == "generator":
        metric = generator_metric(judge_with(team, judge_of(team.model_of, model, member), sink), threshold=0.9)
        gepa_metric = with_feedback(metric, lambda e, p: "Scored 0 for a copy of a shown row, 1 if a reviewer accepts.")
        metric_name = "verdict+distinct"
    else:
        metric, gepa_metric, metric_name = metric_for(request.role, request.metric)
    job = Compilation(
        role=role,
        module=ROLE_MODULES[role](),
        lm=team.lms[member],
        adapter=sink.adapter(team),
        metric=metric,
        optimizer=request.optimizer,
        sink=sink.to(role, member, key),
        budget=request.budget,
        teacher=teacher,
        gepa_metric=gepa_metric,
        calls_per_row=CALLS_PER_ROW[request.role],
        seed=request.seed,
    )
    compiled = job.run(data.train, data.val, data.labeled)
    calls = sink.store().db.execute("select count(*) from lm_calls where program like ?", (f"{key}:%",)).fetchone()[0]
    program = Program(
        role=role,
        model=model,
        file=f"{role}/{model_slug(model)}.json",
        optimizer=request.optimizer,
        settings=job.settings | ({"budget": request.budget} if request.budget else {}) | {"member": member},
        metric=metric_name,
        before=job.before,
        after=job.after,
        train=data_file(request.train, len(data.train)),
        val=data_file(request.valset or request.train, len(data.val)),
        calls=calls,
        dspy_version=dspy.__version__,
    )
    write_program(request.out, program, compiled)
    return job


def judge_of(model_of: dict[str, str], model: str, member: str) -> str:
    """Who judges a generator's samples while it compiles: a member of another model, else another member."""
    others = [n for n, m in model_of.items() if m != model] or [n for n in model_of if n != member]
    return others[0]


def judge_with(team: Team, member: str, sink: Sink) -> Callable[[str, str, str], bool]:
    """A verdict of one reviewer (``member``, default demos) on a generated sample: checks and scores."""
    reviewer, record_to = Reviewer(), sink.to("reviewer", member, "generator-metric")

    def judge(instruction: str, input: str, response: str) -> bool:
        with record.recording(scope="optimize:generator-judge") as log:
            try:
                with dspy.context(lm=team.lms[member], adapter=sink.adapter(team)):
                    return judged_accepts(reviewer(instruction=instruction, input=input, response=response))
            except Exception:  # an unparseable verdict counts as not accepted; its call is recorded below
                return False
            finally:
                record_to(log.calls, "judge")

    return judge


def pack_table(path: Path) -> Table:
    """The pack's programs with their held-out metric before and after, and the members' reliability."""
    pack = read_pack(path)
    table = Table(title=f"prompt pack {path} ({pack.digest()})")
    for col in ("role", "model", "optimizer", "metric", "before", "after", "train", "val", "calls"):
        table.add_column(col, justify="right" if col in ("before", "after", "train", "val", "calls") else "left")
    for p in pack.programs:
        fmt = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
        table.add_row(
            p.role,
            p.model,
            p.optimizer,
            p.metric,
            fmt(p.before),
            fmt(p.after),
            str(p.train.rows),
            str(p.val.rows),
            str(p.calls),
        )
    if pack.reliability:
        table.caption = "reliability: " + ", ".join(f"{m} {r:.3f}" for m, r in sorted(pack.reliability.items()))
    return table


__all__ = ["OptimizeRequest", "optimize", "pack_table", "PACK_FILE"]
