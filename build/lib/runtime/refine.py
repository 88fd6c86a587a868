"""``gra refine`` as a function: the paper's seed refinement (§5.3), and its integrated data.

A drawn generator rewrites each seed's response and the committee curates the rewrite
(:class:`runtime.pipeline.refinement.SeedRefiner`), under the same options, rules and
resumption as ``gra curate``. The directory then holds ``curated.jsonl`` (every seed, in
input order, with its rewrite and verdict), ``refined.jsonl`` (the accepted rewrites) and
``gra.db``. With ``integrate``, ``integrated.jsonl`` adds a synth run's kept samples to the
refined seeds, deduplicated with the run's own rule
(:func:`runtime.pipeline.integration.integrate`).
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from runtime.curate import judge_rows, report
from runtime.pipeline import Roles
from runtime.pipeline.integration import integrate
from runtime.pipeline.refinement import SeedRefiner
from runtime.settings import SynthConfig
from runtime.storage.export import write_jsonl, write_refined
from runtime.storage.run_dir import RunDirError

OUTPUTS = ("curated.jsonl", "refined.jsonl", "integrated.jsonl", "integrated.dropped.jsonl")
#: The fields of one ``integrated.jsonl`` line (and ``source``: refined or synth).
INTEGRATED_FIELDS = ("id", "instruction", "input", "output", "domain", "mean")


def synth_rows(run_dir: Path) -> list[dict]:
    """The kept samples of a finished ``gra synth`` run (its ``data.jsonl``); a one-line error when there is none."""
    path = run_dir / "data.jsonl"
    if not path.is_file():
        raise RunDirError(f"{run_dir}: no data.jsonl here (--integrate takes the directory of a gra synth run)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def refine(
    seeds_path: Path,
    out: Path,
    pool_name: str,
    config: SynthConfig,
    *,
    integrate_with: Path | None = None,
    roles: Roles | None = None,
    fresh: bool = False,
    allow_changed: bool = False,
    console: Console | None = None,
) -> Path:
    """Rewrite and curate every seed of ``seeds_path``; return the path of ``refined.jsonl``."""
    console = console or Console(stderr=True)
    synthetic = synth_rows(integrate_with) if integrate_with is not None else None  # checked before any work
    store, rows, wall = judge_rows(
        seeds_path,
        out,
        pool_name,
        config,
        worker=SeedRefiner,
        outputs=OUTPUTS,
        roles=roles,
        fresh=fresh,
        allow_changed=allow_changed,
        console=console,
    )
    curated, refined = write_refined(store, rows, out)
    report(store, rows, wall, console)
    console.print(f"curated: {curated}\nrefined: {refined}\ndatabase: {out / 'gra.db'}")
    if synthetic is not None:
        accepted = [json.loads(line) for line in refined.read_text(encoding="utf-8").splitlines() if line.strip()]
        plain = [[{k: r.get(k) for k in INTEGRATED_FIELDS} for r in rs] for rs in (accepted, synthetic)]
        kept, dropped = integrate(*plain, config.dedup_threshold)
        write_jsonl(out / "integrated.dropped.jsonl", dropped)
        console.print(
            f"integrated: {write_jsonl(out / 'integrated.jsonl', kept)} ({len(accepted)} refined seeds +"
            f" {len(synthetic)} samples of {integrate_with}, {len(dropped)} dropped as duplicates)"
        )
    return refined
