"""Labelled rows from a file, as the training and held-out examples of the role being compiled.

Judge sets (``correct``) train the reviewer and, as ``gra curate``'s ``curated.jsonl`` with
the committee's reviews, the adjudicator; seeds with a ``domain`` train the annotator;
annotated seeds (``domain``, ``keywords``, ``summary``) give the generator its inputs. A row
that lacks what its role needs is refused with one line naming the file and the line.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dspy

from gra_agents.training import (
    adjudication_example,
    annotation_example,
    generation_example,
    judge_example,
    labeled_adjudication,
    labeled_sheet,
)
from runtime.storage.seeds import Seed, SeedFileError, load_seeds
from signatures.vocabulary import DOMAINS


@dataclass
class Split:
    """Train and val examples, with their labelled (complete-demo) forms and the files they came from."""

    train: list[dspy.Example]
    val: list[dspy.Example]
    labeled: list[dspy.Example] = field(default_factory=list)


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


def split(
    role: str, train: Path, valset: Path | None, val_share: float, rows: int | None = None, seed: int = 0
) -> Split:
    """Train and val: ``valset``, else a held-out ``val_share`` of ``train`` (stratified by label, fixed seed).

    With ``rows``, only that many rows of ``train`` are used (drawn with ``seed``, stratified).
    """
    examples = examples_of(role, train)
    rng = random.Random(seed)
    if rows is not None and rows < len(examples):
        examples = _stratified(examples, rows, rng)
    if valset is not None:
        train_rows, val = examples, examples_of(role, valset)
    else:
        val = _stratified(examples, max(1, round(len(examples) * val_share)), rng)
        held = {id(e) for e in val}
        train_rows = [e for e in examples if id(e) not in held]
    if not train_rows or not val:
        raise SeedFileError(f"{train}: {len(examples)} usable rows cannot be split into train and val")
    return Split(train_rows, val, [labeled_form(role, e) for e in train_rows])


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
