"""One role program compiled with a DSPy optimizer on one member, every call recorded.

:func:`teleprompter` builds the optimizer a DSPy user knows (``BootstrapFewShot``,
``BootstrapFewShotWithRandomSearch``, ``MIPROv2``, ``GEPA``, ``LabeledFewShot``) with a call
budget; :class:`Compilation` runs it inside the member's LM and the project's
:class:`~runtime.calls.adapter.StructuredAdapter`, scores the program on the held-out split
before and after, and hands every call to ``sink`` with the phase that made it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dspy
from dspy.teleprompt import GEPA, BootstrapFewShot, BootstrapFewShotWithRandomSearch, LabeledFewShot, MIPROv2

from runtime.calls import record

#: The optimizers ``gra optimize --optimizer`` offers, and those that need a teacher (proposer or reflection) LM.
OPTIMIZERS: tuple[str, ...] = ("bootstrap", "bootstrap-rs", "mipro", "gepa", "labeled")
NEEDS_TEACHER: frozenset[str] = frozenset({"mipro", "gepa"})
#: Demos a compiled predictor may hold: few, because a CPU engine pays for every demo token in every call.
MAX_DEMOS = 3


class Recorded(dspy.Module):
    """A role module whose every call lands in ``sink(calls, phase)``; the optimizer compiles the module inside.

    Each call of the module is one :func:`runtime.calls.record.recording` scope named by the
    role and a hash of its inputs, so a replayed request (same inputs, same demos) is
    answered from the database instead of the engine.
    """

    def __init__(self, program: dspy.Module, role: str, sink: Callable[[list, str], None]):
        super().__init__()
        self.program = program
        self.role, self.sink, self.phase = role, sink, "compile"

    def forward(self, **inputs: Any) -> dspy.Prediction:
        key = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:16]
        with record.recording(scope=f"optimize:{self.role}:{key}") as log:
            try:
                return self.program(**inputs)
            finally:
                self.sink(log.calls, self.phase)


def teleprompter(
    name: str,
    metric: Callable[..., Any],
    budget: int | None,
    *,
    val_rows: int,
    calls_per_row: int,
    teacher=None,
    task=None,
    seed=0,
):
    """The DSPy optimizer ``name`` with settings that keep it near ``budget`` model calls (None: its defaults)."""
    per_pass = max(1, val_rows * calls_per_row)
    if name == "labeled":
        return LabeledFewShot(k=MAX_DEMOS)
    if name == "bootstrap":
        return BootstrapFewShot(metric=metric, max_bootstrapped_demos=MAX_DEMOS, max_labeled_demos=0, max_rounds=1)
    if name == "bootstrap-rs":
        candidates = 4 if budget is None else max(1, budget // per_pass - 3)  # it adds 3 baselines of its own
        return BootstrapFewShotWithRandomSearch(
            metric=metric,
            max_bootstrapped_demos=MAX_DEMOS,
            max_labeled_demos=0,
            num_candidate_programs=candidates,
            num_threads=1,
        )
    if teacher is None:
        raise ValueError(f"--optimizer {name} needs --teacher (a proposer / reflection model)")
    if name == "mipro":
        return MIPROv2(
            metric=metric,
            prompt_model=teacher,
            task_model=task,
            auto=None,
            num_candidates=3,
            max_bootstrapped_demos=MAX_DEMOS,
            max_labeled_demos=0,
            num_threads=1,
            seed=seed,
            verbose=False,
        )
    if name == "gepa":
        return GEPA(
            metric=metric,
            reflection_lm=teacher,
            max_metric_calls=budget or 4 * per_pass,
            num_threads=1,
            seed=seed,
            use_merge=False,
            track_stats=False,
        )
    raise ValueError(f"unknown optimizer {name!r} (one of {', '.join(OPTIMIZERS)})")


@dataclass
class Compilation:
    """One (role, member) compilation: its inputs, its optimizer, and what it measured."""

    role: str
    module: dspy.Module
    lm: dspy.LM
    adapter: dspy.Adapter
    metric: Callable[..., float]
    optimizer: str
    sink: Callable[[list, str], None]
    budget: int | None = None
    teacher: dspy.LM | None = None
    gepa_metric: Callable[..., Any] | None = None
    calls_per_row: int = 1
    seed: int = 0
    before: float | None = None
    after: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def evaluate(self, program: Recorded, rows: list[dspy.Example], phase: str) -> float:
        """The mean metric of ``program`` on ``rows`` (a call that fails to parse scores 0, as in DSPy)."""
        program.phase = phase
        with dspy.context(lm=self.lm, adapter=self.adapter):
            result = dspy.Evaluate(
                devset=rows, metric=self.metric, num_threads=1, max_errors=len(rows) + 1, display_progress=False
            )(program)
        return round(result.score / 100, 4)

    def run(self, trainset: list[dspy.Example], valset: list[dspy.Example], labeled: list[dspy.Example]):
        """Score the default program on ``valset``, compile it on ``trainset``, score the result; the compiled module.

        ``labeled`` is ``trainset`` as complete demos (what ``LabeledFewShot`` shows).
        """
        student = Recorded(self.module, self.role, self.sink)
        self.before = self.evaluate(student, valset, "before")
        metric = self.gepa_metric if self.optimizer == "gepa" and self.gepa_metric else self.metric
        opt = teleprompter(
            self.optimizer,
            metric,
            self.budget,
            val_rows=len(valset),
            calls_per_row=self.calls_per_row,
            teacher=self.teacher,
            task=self.lm,
            seed=self.seed,
        )
        plain = (int, float, str, bool)
        self.settings = {k: v for k, v in vars(opt).items() if isinstance(v, plain) and k != "error_count"}
        student.phase = "compile"
        with dspy.context(lm=self.lm, adapter=self.adapter):
            compiled = self._compile(opt, student, trainset, valset, labeled)
        self.after = self.evaluate(compiled, valset, "after")
        return compiled.program

    def _compile(self, opt, student, trainset, valset, labeled) -> Recorded:
        if self.optimizer == "labeled":
            return opt.compile(student, trainset=labeled)
        if self.optimizer == "bootstrap":
            return opt.compile(student, trainset=trainset)
        if self.optimizer == "bootstrap-rs":
            return opt.compile(student, trainset=trainset, valset=valset)
        if self.optimizer == "mipro":
            trials = max(1, (self.budget or 0) // max(1, len(valset) * self.calls_per_row)) if self.budget else 3
            return opt.compile(
                student,
                trainset=trainset,
                valset=valset,
                num_trials=trials,
                minibatch=False,
                requires_permission_to_run=False,
            )
        return opt.compile(student, trainset=trainset, valset=valset)
