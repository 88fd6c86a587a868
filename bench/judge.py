"""Judging alone, measured against truth on held-out labelled rows: members, the verifier and the committee.

    python bench/judge.py [--share 0.5] [--seed 0] [--pool cpu] [--train-rows N] [--per-set N]
                          [--sets a,b] [--steps calibrate,committee[,probe]] [--variants a,b]
                          [--prompts fitted|PACK] [--full-reviews] [--result NAME] [--figures-only]

Four labelled sets: GSM8K with planted errors, Self-Instruct with swapped or cut responses,
real small-model solutions to HumanEval problems labelled by their tests (``correct``), and
sound versus broken instructions (``sound``). Each is split with ``--seed`` into a training
share (``--share``) and a held-out rest, each label in proportion
(:func:`runtime.calibrate.split`); ``--train-rows`` caps the rows fitted on and ``--per-set``
the held-out rows measured, per set (the first of them, labels kept in proportion). Then:

1. ``calibrate``: ``gra calibrate`` on the training rows: one member of each model probed,
   its check cut, score map and verifier accuracy fitted into a prompt pack (``NAME-run/pack``);
2. ``committee``: ``gra curate`` with the calibrated pack on the held-out rows under the default
   switches (``--verify gate --scores calibrated``), then ``--verify evidence``, ``--verify off``,
   ``--scores expected`` and the paper (``--verify off --scores sampled``); a request one run
   already made is served from the default run's database, so each variant pays only for the
   calls it changes (the paper's runs replay ``--verify off``'s). The runs exit early as a user's
   run does; ``--full-reviews`` asks every reviewer instead (early exit decides the same, a
   property test proves it), for the exact μ of rejected rows and each member's sheet on every
   row it was drawn to review. The **single members** under each reading (sampled, expected,
   calibrated, on the sheets they wrote) and the **verification stage alone** (its verdict:
   agrees 1, undecided ½, contradicts 0) come from the default run;
3. ``probe`` (not run unless asked): every held-out row probed by one member of each model;
   on the instructions, also the flag of both models together (a row flagged when either
   model's calibrated check flags it: what a committee that seats both models decides, as the
   CPU pool's draw of three reviewers from five does 9 times in 10).

``--prompts`` names the pack the committee and the probe run with: ``fitted`` (the default), the pack step 1
fits on the training rows, or a pack folder or a shipped pack's name, such as ``cpu-checks``, the CPU pool's own
default (so ``--prompts cpu-checks --steps committee --variants default`` measures gra as a user runs it; that pack
was fitted on the instructions' training share of the same split, and holds no score maps).

``--sets`` measures some of the sets only (``--sets instructions --steps calibrate,probe``
fits and measures the checks alone, on every labelled instruction, in about half an hour).

For each: AUROC of the final score against the label (a row turned away by its checks ranks
below one the verifier rejected, which ranks below every scored one), accept rates on right
and wrong rows, balanced accuracy and calls per row; for instructions, the share of sound
ones turned away and of broken ones caught. Writes ``bench/results/NAME.json`` (``--result``,
default ``judge``); ``--figures-only`` recomputes it from the runs already in
``bench/results/NAME-run/``.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from judge_figures import (  # noqa: E402
    both_models_checks,
    committee_figures,
    member_figures,
    probe_figures,
    verification_figures,
)
from rich.console import Console  # noqa: E402

from runtime.calibrate import calibrate, first, split, write_rows  # noqa: E402
from runtime.curate import curate, judge_rows  # noqa: E402
from runtime.pipeline.probe import Prober  # noqa: E402
from runtime.settings import SynthConfig  # noqa: E402
from runtime.storage.pack import pack_folder  # noqa: E402

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
STEPS = ("calibrate", "probe", "committee")
#: What a run does by default: the held-out probe is optional, since the full-review committee runs show each member.
DEFAULT_STEPS = ("calibrate", "committee")


def held_out(args) -> dict[str, list[dict]]:
    """Each set's held-out rows (at most ``--per-set``), tagged with their set."""
    return {
        name: [r | {"set": name} for r in first(split(path, args.share, args.seed)[1], args.per_set)]
        for name, path in args.sets.items()
    }


def probe_members(args, data: Path, pack: Path, console: Console) -> None:
    """Every held-out row probed by the first member of each model, at once, with the calibrated pack."""
    probe = SynthConfig(seed=args.seed, prompts=str(pack), n_reviewers=1, early_exit=False)
    judge_rows(data, args.work / "probe", args.pool, probe, worker=Prober, console=console)


#: The run whose database answers a variant's requests: the one that asked the most of the same prompts.
REPLAYS = {"paper": "verify_off"}


def committees(args, data: Path, pack: Path, console: Console) -> None:
    """The committee on the held-out rows under each variant, the default first (the others replay its calls)."""
    work, base = args.work, SynthConfig(seed=args.seed, prompts=str(pack))
    for name, switches in VARIANTS:
        if args.variants and name not in args.variants:
            continue
        source = work / f"committee-{REPLAYS.get(name, 'default')}"
        answered = source if name != "default" and (source / "gra.db").exists() else None
        out = work / f"committee-{name}"
        config = replace(base, early_exit=not args.full_reviews, **switches)
        curate(data, out, args.pool, config, console=console, answers_from=answered)


def pack_of(args) -> Path:
    """The pack folder the held-out runs use (``--prompts``): the one fitted in this run, or a named one."""
    return args.work / "pack" if args.prompts == "fitted" else pack_folder(args.prompts)


def run(args, console: Console) -> None:
    work = args.work
    pack = pack_of(args)
    if "calibrate" in args.steps:
        config = SynthConfig(seed=args.seed)
        calibrate(
            list(args.sets.values()), pack, args.pool, config, out=work / "calibration", share=args.share,
            rows_per_file=args.train_rows, console=console,
        )  # fmt: skip
    data = write_rows([r for rs in held_out(args).values() for r in rs], work / "held_out.jsonl")
    if "probe" in args.steps:
        probe_members(args, data, pack, console)
    if "committee" in args.steps:
        committees(args, data, pack, console)


def figures(args) -> dict:
    work = args.work
    rows = [json.loads(line) for line in (work / "held_out.jsonl").read_text().splitlines()]
    train_file = work / "calibration" / "train.jsonl"
    train = train_file.read_text().splitlines() if train_file.exists() else []
    result = {"pool": args.pool, "seed": args.seed, "share": args.share, "full_reviews": args.full_reviews}
    result["prompts"] = args.prompts
    result["trained_on"] = len(train)
    result["held_out"] = {s: sum(r["set"] == s for r in rows) for s in args.sets}
    if (work / "probe" / "gra.db").exists():
        result["probed_members"] = probe_figures(work, rows)
        if any(r["set"] == "instructions" for r in rows):
            result["probed_both_models"] = both_models_checks(work, rows)
    default = work / "committee-default"
    if (default / "gra.db").exists():
        result["members"] = member_figures(default, pack_of(args), rows)
        result["verification"] = verification_figures(default, rows)
    committee = {
        name: committee_figures(work / f"committee-{name}", rows)
        for name, _ in VARIANTS
        if (work / f"committee-{name}" / "gra.db").exists()
    }
    return result | ({"committee": committee} if committee else {})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--share", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pool", default="cpu")
    ap.add_argument("--train-rows", type=int, default=None, help="cap on training rows per set")
    ap.add_argument("--per-set", type=int, default=None, help="cap on held-out rows per set")
    ap.add_argument("--sets", default=",".join(SETS), help=f"which of {', '.join(SETS)} to measure")
    ap.add_argument("--steps", default=",".join(DEFAULT_STEPS), help=f"which of {', '.join(STEPS)} to run")
    ap.add_argument("--prompts", default="fitted", help="the pack the held-out runs use: fitted here, or a pack")
    ap.add_argument("--full-reviews", action="store_true", help="every reviewer's sheet (no early exit)")
    ap.add_argument("--variants", default="", help="committee variants to run (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--result", default="judge", help="writes NAME.json, with its runs in NAME-run/")
    ap.add_argument("--figures-only", action="store_true", help="re-read the runs already in NAME-run/")
    args = ap.parse_args()
    args.steps = [s for s in args.steps.split(",") if s]
    args.variants = [v for v in args.variants.split(",") if v]
    unknown = [s for s in args.sets.split(",") if s not in SETS]
    if unknown:
        ap.error(f"unknown set {unknown[0]!r}: choose from {', '.join(SETS)}")
    args.sets = {s: SETS[s] for s in args.sets.split(",") if s}
    args.work = args.out / f"{args.result}-run"
    console = Console(stderr=True)
    if not args.figures_only:
        run(args, console)
    result = figures(args)
    (args.out / f"{args.result}.json").write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"wrote {args.out / f'{args.result}.json'}")


if __name__ == "__main__":
    main()
