"""A prompt pack's programs as DSPy modules: each role's module with its compiled state loaded.

Storage reads and writes the pack (:mod:`runtime.storage.pack`); turning its files into
running modules is the pipeline's, since it needs the role modules themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import dspy

from gra_agents import Adjudicator, Generator, Reviewer, SeedAnnotator
from gra_agents.verifier import Verifier
from runtime.storage.pack import Pack, Program, read_pack

#: The role module of each role a pack may hold programs for.
ROLE_MODULES: dict[str, type[dspy.Module]] = {
    "reviewer": Reviewer,
    "adjudicator": Adjudicator,
    "annotator": SeedAnnotator,
    "generator": Generator,
    "verifier": Verifier,
}
#: Where a predictor of an older pack lives now: the reviewer's stages became modules of their own.
LEGACY_PREDICTORS = {"check_instruction": "checks.check_instruction", "score_response": "scores.score_response"}


def named_as(loaded: type[dspy.Signature], original: type[dspy.Signature]) -> type[dspy.Signature]:
    """The loaded signature under its own name: DSPy rebuilds it as ``StringSignature``, and a run's records, stage
    accounting and engine schemas go by the signature's name. Unchanged instructions give back the original class."""
    if loaded.instructions == original.instructions and list(loaded.fields) == list(original.fields):
        return original
    loaded.__name__ = loaded.__qualname__ = original.__name__
    return loaded


def module(pack: Pack, program: Program) -> dspy.Module:
    """A fresh role module with ``program``'s compiled state loaded (demos, instructions).

    A predictor the role gained after the program was compiled (the reviewer's sheet with
    evidence, say) is not in the file, and keeps its default demos.
    """
    loaded = ROLE_MODULES[program.role]()
    state = json.loads((pack.path / program.file).read_text(encoding="utf-8"))
    state = {LEGACY_PREDICTORS.get(name, name): value for name, value in state.items()}
    for name, predictor in loaded.named_predictors():
        original = predictor.signature
        if name in state:
            predictor.load_state(state[name])
            predictor.signature = named_as(predictor.signature, original)
    return loaded


def modules(pack: Pack) -> dict[str, dict[str, dspy.Module]]:
    """Every program of the pack as a loaded module: model → role → module."""
    out: dict[str, dict[str, dspy.Module]] = {}
    for p in pack.programs:
        out.setdefault(p.model, {})[p.role] = module(pack, p)
    return out


def load_pack(path: str | Path) -> dict[str, dict[str, dspy.Module]]:
    """The compiled role modules of a pack, model → role → module, ready to run with any DSPy LM."""
    return modules(read_pack(path))
