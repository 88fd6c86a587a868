"""``gra calibrate`` as a function: fit each member's check cut and score map on labelled rows, into a prompt pack.

Labelled files hold rows in the seed format plus a label: ``sound`` (the instruction is fit
to answer; for the checks) or ``correct`` (the response is right; for the scores). Each
file is split with ``seed`` into a training share and a held-out rest, each label in the
same proportion (:func:`split`); only the training rows are probed, and the held-out ones
stay untouched for measuring the result (``bench/judge.py`` measures on exactly that rest).

Members of one model differ only in their sampling seed, and the probabilities read from
their answers hardly at all: so one member of each model is probed (every check and sheet it
would give, :class:`runtime.pipeline.probe.Prober`), and its fit is recorded for every member
of that model, with the member it was fitted on.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from runtime.analysis.calibration import (
    auroc,
    check_cut,
    probed,
    reliability_bins,
    score_map,
    verdict_accuracy,
)
from runtime.config import load_pool
from runtime.curate import judge_rows
from runtime.pipeline.probe import Prober
from runtime.settings import SynthConfig
from runtime.storage.pack import Calibration, data_file, write_calibration, write_reliability
from runtime.storage.seeds import SeedFileError, load_seeds

LABELS = ("sound", "correct")


def _label(row, path: Path) -> str:
    found = [k for k in LABELS if isinstance(row.extra.get(k), bool)]
    if not found:
        raise SeedFileError(f"{path}:{row.line}: a labelled row needs 'sound' or 'correct' (true or false)")
    return found[0]


def split(path: Path, share: float, seed: int) -> tuple[list[dict], list[dict]]:
    """(training rows, held-out rows) of a labelled file: ``share`` of each label value for training, by ``seed``."""
    rows = load_seeds(path)
    groups: dict[tuple[str, bool], list[dict]] = {}
    for r in rows:
        key = _label(r, path)
        row = {"id": r.id, "instruction": r.instruction, "input": r.input, "output": r.output} | r.extra
        groups.setdefault((key, r.extra[key]), []).append(row)
    train, held = [], []
    rng = random.Random(f"{seed}:{path.name}")
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        cut = round(share * len(members))
        train += members[:cut]
        held += members[cut:]
    return train, held


def first(rows: list[dict], n: int | None) -> list[dict]:
    """The first ``n`` rows of a split (all of them without ``n``), keeping each label's share: the split's own
    random order, taken a label at a time in turn."""
    if n is None or n >= len(rows):
        return rows
    by_label: dict[tuple, list[dict]] = {}
    for r in rows:
        by_label.setdefault((r.get("sound"), r.get("correct")), []).append(r)
    picked: list[dict] = []
    while len(picked) < n:
        for group in by_label.values():
            if group and len(picked) < n:
                picked.append(group.pop(0))
    return picked


def write_rows(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def fit(store, member: str, model: str, rows: list[dict], train: Path) -> Calibration:
    """One member's calibration from its probe run's reviews of ``rows``."""
    labels = {r["id"]: r for r in rows}
    checks, sheets = probed(store, member, labels)
    calibration = Calibration(model=model, fitted_on=member, train=[data_file(train, len(rows))])
    calibration.verifier, calibration.verified_rows = verdict_accuracy(store, member, labels)
    calibration.score_auroc = auroc(sheets[True], sheets[False])
    if checks[True] or checks[False]:
        cut = calibration.check_cut = check_cut(checks[True], checks[False])
        calibration.check_rows = len(checks[True]) + len(checks[False])
        calibration.sound_flagged = share(p > cut for p in checks[True])
        calibration.broken_flagged = share(p > cut for p in checks[False])
    if sheets[True] and sheets[False]:
        calibration.score_x, calibration.score_y = score_map(
            sheets[True] + sheets[False], [True] * len(sheets[True]) + [False] * len(sheets[False])
        )
        calibration.score_rows = len(sheets[True]) + len(sheets[False])
        member_map = calibration.member()
        said = [member_map.p_right(x) for x in sheets[True] + sheets[False]]
        calibration.reliability_bins = reliability_bins(said, [True] * len(sheets[True]) + [False] * len(sheets[False]))
    return calibration


def share(flags) -> float | None:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4) if flags else None


def calibrate(
    data: list[Path],
    pack: Path,
    pool_name: str,
    config: SynthConfig,
    *,
    out: Path,
    share: float = 0.5,
    rows_per_file: int | None = None,
    console: Console | None = None,
) -> dict[str, Calibration]:
    """Probe one member of each model on the training rows of ``data`` (at most ``rows_per_file`` of each file,
    each label in proportion), fit, and write every member's calibration into ``pack``; the probe runs (with all
    their calls) land in ``out``."""
    console = console or Console(stderr=True)
    rows = [r for path in data for r in first(split(path, share, config.seed)[0], rows_per_file)]
    train = write_rows(rows, out / "train.jsonl")
    pool, _ = load_pool(pool_name)
    probe = replace(config, early_exit=False, n_reviewers=1, reviewer_member=None)
    store, _, _ = judge_rows(train, out / "probe", pool_name, probe, worker=Prober, console=console)
    fitted: dict[str, Calibration] = {}
    for model in dict.fromkeys(pool.model_of(m.name) for m in pool.members):
        members = [m.name for m in pool.members if pool.model_of(m.name) == model]
        calibration = fit(store, members[0], model, rows, train)
        fitted |= dict.fromkeys(members, calibration)
        console.print(
            f"{model}: check cut {calibration.check_cut} on {calibration.check_rows} instructions, score map of"
            f" {len(calibration.score_x)} knots on {calibration.score_rows} sheets (probed as {members[0]})"
        )
    write_calibration(pack, fitted)
    reliable = {m: c.score_auroc for m, c in fitted.items() if c.score_auroc is not None}
    if reliable:  # --roles reliability seats the members that tell right from wrong best
        write_reliability(pack, reliable)
    return fitted
