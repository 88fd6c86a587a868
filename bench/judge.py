"""Judging alone, measured against truth on held-out labelled rows: members, the verifier and the committee.

    python bench/judge.py [--share 0.5] [--seed 0] [--pool cpu] [--per-set N] [--figures-only]

Four labelled sets: GSM8K with planted errors, Self-Instruct with swapped or cut responses,
real small-model solutions to HumanEval problems labelled by their tests (``correct``), and
sound versus broken instructions (``sound``). Each is split with ``--seed`` into a training
share (``--share``) and a held-out rest, each label in proportion
(:func:`runtime.calibrate.split`); ``--per-set`` caps the held-out rows per set (the first
of them, in the split's own random order). Then:

1. ``gra calibrate`` on the training rows: one member of each model probed, its check cut
   and score map fitted, into a prompt pack (``judge-run/pack``);
2. every held-out row probed by one member of each model (every check and sheet it would
   give): each **single member** under each reading (sampled, expected, calibrated), and
   the **verifier alone** (its verdict: agrees 1, undecided ½, contradicts 0);
3. the **committee** (``gra curate`` with the calibrated pack) on the held-out rows under
   ``--verify gate`` (the default), ``evidence`` and ``off``, and ``--scores sampled`` and
   ``expected``; requests one run already made are served from its database, so each
   variant pays only for the calls it changes.

For each: AUROC of the final score against the label (a row turned away by its checks ranks
below one the verifier rejected, which ranks below every scored one), accept rates on right
and wrong rows, balanced accuracy and calls per row; for instructions, the share of sound
ones turned away and of broken ones caught. Writes ``bench/results/judge.json``;
``--figures-only`` recomputes it from the runs already in ``bench/results/judge-run/``.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from judge_figures import committee_figures, probe_figures  # noqa: E402
from rich.console import Console  # noqa: E402

from runtime.calibrate import calibrate, split, write_rows  # noqa: E402
from runtime.config import load_pool  # noqa: E402
from runtime.curate import curate, judge_rows  # noqa: E402
from runtime.pipeline.probe import Prober  # noqa: E402
from runtime.settings import SynthConfig

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "judge"
SETS = {
    "gsm8k": SHARED / "gsm8k_train_planted.jsonl",
    "self_instruct": SHARED / "self_instruct_perturbed.jsonl",
    "code": ROOT / "bench" / "data" / "judge" / "code_humaneval_solutions.jsonl",
    "instructions": SHARED / "instructions_labelled.jsonl",
}
#: The committee variants run on the held-out rows: (name, switches); the first is gra's default.
VARIANTS = (
    ("default", {}),
    ("verify_evidence", {"verify": "evidence"}),
    ("verify_off", {"verify": "off"}),
    ("scores_expected", {"scores": "expected"}),
    ("paper", {"verify": "off", "scores": "sampled"}),
)


def held_out(args) -> dict[str, list[dict]]:
    """Each set's held-out rows (capped at ``--per-set``), tagged with their set."""
    return {
        name: [r | {"set": name} for r in split(path, args.share, args.seed)[1][: args.per_set]]
        for name, path in SETS.items()
    }


def run(args, console: Console) -> None:
    work = args.out / "judge-run"
    base = SynthConfig(seed=args.seed)
    pack = work / "pack"
    calibrate(list(SETS.values()), pack, args.pool, base, out=work / "calibration", share=args.share, console=console)
    rows = [r for rs in held_out(args).values() for r in rs]
    data = write_rows(rows, work / "held_out.jsonl")
    pool, _ = load_pool(args.pool)
    for model in dict.fromkeys(pool.model_of(m.name) for m in pool.members):
        member = next(m.name for m in pool.members if pool.model_of(m.name) == model)
        probe = replace(base, reviewer_member=member, n_reviewers=1, early_exit=False, prompts=str(pack))
        judge_rows(data, work / f"probe-{member}", args.pool, probe, worker=Prober, console=console)
    default = work / "committee-default"
    for name, switches in VARIANTS:
        config = replace(base, prompts=str(pack), **switches)
        answered = default if name != "default" else None
        curate(data, work / f"committee-{name}", args.pool, config, fresh=True, console=console, answers_from=answered)


def figures(args) -> dict:
    work = args.out / "judge-run"
    rows = [json.loads(line) for line in (work / "held_out.jsonl").read_text().splitlines()]
    result = {"pool": args.pool, "seed": args.seed, "share": args.share, "per_set": args.per_set}
    result["held_out"] = {s: sum(r["set"] == s for r in rows) for s in SETS}
    result["members"] = probe_figures(work, rows)
    result["committee"] = {name: committee_figures(work / f"committee-{name}", rows) for name, _ in VARIANTS}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--share", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pool", default="cpu")
    ap.add_argument("--per-set", type=int, default=None, help="cap on held-out rows per set")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--figures-only", action="store_true", help="re-read the runs already in judge-run/")
    args = ap.parse_args()
    console = Console(stderr=True)
    if not args.figures_only:
        run(args, console)
    result = figures(args)
    (args.out / "judge.json").write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"wrote {args.out / 'judge.json'}")


if __name__ == "__main__":
    main()
