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
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import dspy
from rich.console import Console

from gra_agents.metrics import DEFAULT_METRICS, with_feedback
from runtime.calls.adapter import StructuredAdapter
from runtime.config import Pool, load_pool
from runtime.errors import GraError
from runtime.pipeline import Team
from runtime.pipeline.compiler import NEEDS_TEACHER, OPTIMIZERS, Compilation
from runtime.pipeline.generation_metric import generator_metric, judge_of, judge_with
from runtime.pipeline.programs import ROLE_MODULES
from runtime.session import RunSession
from runtime.settings import ConfigError, SynthConfig
from runtime.storage.labelled import Split, split
from runtime.storage.pack import (
    PACK_FILE,
    Program,
    data_file,
    model_slug,
    read_pack,
    write_program,
    write_reliability,
)
from runtime.storage.store import Store
from runtime.tables.run_tables import pack_table

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
    """Each thread's calls into the pack's database, with the program and phase that made them.

    ``since`` is the last call id before this compilation: what it spent is counted after it.
    """

    def __init__(self, path: Path, since: int = 0):
        self.path, self.since, self.local = path, since, threading.local()

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
    data = split(request.role, request.train, request.valset, request.val_share, request.rows, request.seed)
    pool, pool_path = load_pool(request.pool)
    chosen = targets(pool, request.member)
    if request.role == "generator" and len(pool.members) < 2:
        raise ConfigError(f"{pool_path}: the generator's metric needs another member to judge")
    console.print(
        f"[bold]gra optimize[/]: {request.role} with {request.optimizer} on {len(data.train)} train / {len(data.val)}"
        f" val rows; programs for {', '.join(f'{m} ({n})' for m, n in chosen.items())} → {request.out}"
    )
    helpers = [request.teacher] if request.teacher in pool_names(pool) else []
    if request.role == "generator":  # its metric's reviewer: a member of another model
        models = {n: pool.model_of(n) for n in pool_names(pool)}
        helpers += [judge_of(models, model, member) for model, member in chosen.items()]
    serving = serving_pool(pool, [*chosen.values(), *helpers])
    config = SynthConfig(seed=request.seed)
    with RunSession(request.out, (serving, pool_path), config, command="optimize", mode="append") as session:
        session.open({"optimize": json.loads(json.dumps(asdict(request), default=str))})
        since = session.store.last_call_id()
        teacher = teacher_lm(request, session.team)
        jobs = [(request, role, model, member, session.team, data, teacher) for model, member in chosen.items()]
        if len(jobs) == 1:
            compile_one(*jobs[0], Sink(request.out / "gra.db", since))
        else:
            in_parallel(jobs, request.out, since)
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


class CompileFailed(GraError, RuntimeError):
    """A model's compilation ended in an error (its traceback was printed; its calls are in the pack's gra.db)."""

    exit_code = 1  # the compile ran and failed: not a usage error


def in_parallel(jobs: list[tuple], out: Path, since: int) -> None:
    """Compile each model in a process of its own, at once: each drives its own engine.

    Processes, not threads: DSPy's optimizers and evaluators keep progress state that is
    not safe to share between threads. Each child writes its program into the pack itself
    (the pack's lock orders the writes) and its calls into the pack's database.
    """
    ctx = multiprocessing.get_context("fork")
    procs = {job[2]: ctx.Process(target=_child, args=(job, out, since), name=f"compile {job[2]}") for job in jobs}
    for p in procs.values():
        p.start()
    for p in procs.values():
        p.join()
    failed = [model for model, p in procs.items() if p.exitcode != 0]
    if failed:
        raise CompileFailed(f"compiling {', '.join(failed)} failed (the error is printed above; calls in {out}/gra.db)")


def _child(job: tuple, out: Path, since: int) -> None:
    compile_one(*job, Sink(out / "gra.db", since))


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
        judge = judge_of(team.model_of, model, member)
        verdict = judge_with(
            team.lms[judge], lambda: sink.adapter(team), sink.to("reviewer", judge, "generator-metric")
        )
        metric = generator_metric(verdict, threshold=0.9)
        explain = "Scored 0 for a copy of a shown row, 0.5 for a new one, 1 if a reviewer also accepts it."
        gepa_metric = with_feedback(metric, lambda e, p: explain)
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
    spent = "select count(*) from lm_calls where program like ? and id > ?"
    calls = sink.store().db.execute(spent, (f"{key}:%", sink.since)).fetchone()[0]
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


__all__ = ["OptimizeRequest", "optimize", "PACK_FILE"]
