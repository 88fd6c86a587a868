"""Compiling the team on the embedded pool, measured on held-out labelled rows.

    python bench/optimize.py [--train 24] [--val 16] [--test 24] [--optimizers bootstrap,labeled] [--figures-only]

From ``../shared/judge/`` three disjoint splits are drawn (half right, half wrong, both sets
alike, seed 0): ``train`` (what the optimizers see), ``val`` (each program's held-out metric
before and after, and the members' reliability) and ``test`` (the judge benchmark below).

1. ``gra optimize --role team`` with each optimizer: the reviewer of each model of the pool
   is compiled on train and scored on val before and after (agreement with the label).
2. ``pack-best``: for each model, the program with the best val metric after compiling, and
   only if it beats the default demos there (else that model keeps the default demos), with
   each member's reliability (its model's val agreement with the prompts it will run).
3. The judge benchmark on test, three committees: the default demos (``--prompts none``),
   ``pack-best``, and ``pack-best`` with ``--roles reliability``. AUROC and balanced accuracy
   as in ``bench/judge.py``.

Writes ``bench/results/optimize.json``; the packs and curations stay in
``bench/results/optimize-run/``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from judge import JUDGE, SETS, calls, run_rows, with_sets  # noqa: E402
from rich.console import Console  # noqa: E402

from runtime.config import load_pool  # noqa: E402
from runtime.curate import curate  # noqa: E402
from runtime.optimize import OptimizeRequest, optimize  # noqa: E402
from runtime.pipeline.programs import module  # noqa: E402
from runtime.settings import SynthConfig  # noqa: E402
from runtime.storage.pack import read_pack, write_program, write_reliability  # noqa: E402
from runtime.storage.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def splits(sizes: dict[str, int], seed: int) -> dict[str, list[dict]]:
    """Disjoint splits, each half right and half wrong and split evenly over the two judge sets."""
    rng, out = random.Random(seed), {name: [] for name in sizes}
    for name in SETS:
        rows = [json.loads(line) for line in (JUDGE / name).read_text().splitlines() if line.strip()]
        for correct in (True, False):
            pool = [r for r in rows if r["correct"] is correct]
            rng.shuffle(pool)
            for split, n in sizes.items():
                out[split] += [pool.pop() for _ in range(n // 4)]
    for rows in out.values():
        rng.shuffle(rows)
    return out


def best_pack(packs: list[Path], out: Path) -> dict:
    """Per model, the program whose val metric after compiling is highest, if it beats the default; and reliability."""
    shutil.rmtree(out, ignore_errors=True)
    best, default = {}, {}
    for path in packs:
        pack = read_pack(path)
        for p in pack.programs:
            default[p.model] = p.before
            if p.after > p.before and p.after > best.get(p.model, (None, p.before))[1]:
                best[p.model] = ((pack, p), p.after)
    for (pack, p), _ in best.values():
        write_program(out, p, module(pack, p))
    pool, _ = load_pool("cpu")
    reliability = {
        m.name: best.get(pool.model_of(m.name), (None, default[pool.model_of(m.name)]))[1] for m in pool.members
    }
    write_reliability(out, reliability)
    return {
        "programs": {model: p.optimizer for model, ((_, p), _) in best.items()},
        "default_demos_kept_for": sorted(set(default) - set(best)),
        "reliability": reliability,
    }


def committee(work: Path, test: Path, label: dict, name: str, console: Console, figures_only: bool, **cfg) -> dict:
    """One curation of the test rows (full reviews) and its judge-benchmark figures."""
    config = SynthConfig(seed=0, early_exit=False, **cfg)
    if not figures_only:
        curate(test, work / name, "cpu", config, fresh=True, console=console)
    store = Store(work / name / "gra.db")
    return with_sets(run_rows(store, config), label, calls(store))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=24)
    ap.add_argument("--val", type=int, default=16)
    ap.add_argument("--test", type=int, default=24)
    ap.add_argument("--optimizers", default="bootstrap,labeled")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--figures-only", action="store_true", help="re-read the packs and curations already there")
    ap.add_argument("--reuse-packs", action="store_true", help="keep the compiled packs there; run the committees")
    args = ap.parse_args()
    console = Console(stderr=True)
    work = args.out / "optimize-run"
    work.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, rows in splits({"train": args.train, "val": args.val, "test": args.test}, seed=0).items():
        files[name] = ROOT / "bench" / "data" / "optimize" / f"{name}.jsonl"  # committed: the shipped pack names them
        files[name].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    label = {json.loads(line)["id"]: json.loads(line)["correct"] for line in files["test"].read_text().splitlines()}

    result: dict = {"pool": "cpu", "rows": {k: len(v.read_text().splitlines()) for k, v in files.items()}}
    result["programs"] = {}
    optimizers = args.optimizers.split(",")
    for i, name in enumerate(optimizers):
        pack = work / f"pack-{name}"
        if not (args.figures_only or args.reuse_packs):
            shutil.rmtree(pack, ignore_errors=True)
            if i:  # the default program's val calls are the same requests: served from the first pack's database
                pack.mkdir()
                shutil.copy(work / f"pack-{optimizers[0]}" / "gra.db", pack / "gra.db")
            request = OptimizeRequest("team", files["train"], pack, optimizer=name, valset=files["val"])
            optimize(request, console=console)
        spec = read_pack(pack)
        result["programs"][name] = [
            {"role": p.role, "model": p.model, "before": p.before, "after": p.after, "calls": p.calls}
            for p in spec.programs
        ]
        result["programs"][name + "_reliability"] = spec.reliability

    best = work / "pack-best"
    result["pack_best"] = best_pack([work / f"pack-{name}" for name in optimizers], best)
    result["judge"] = {
        "default_demos": committee(
            work, files["test"], label, "test-default", console, args.figures_only, prompts="none"
        ),
        "compiled_pack": committee(
            work, files["test"], label, "test-pack", console, args.figures_only, prompts=str(best)
        ),
        "compiled_pack_reliability": committee(
            work,
            files["test"],
            label,
            "test-reliability",
            console,
            args.figures_only,
            prompts=str(best),
            roles="reliability",
        ),
    }
    (args.out / "optimize.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, f in result["judge"].items():
        console.print(
            f"{key}: AUROC {f['auroc']}, balanced accuracy {f['balanced_accuracy']}, accepts right"
            f" {f['accept_rate_right']} / wrong {f['accept_rate_wrong']}"
        )
    console.print(f"wrote {args.out / 'optimize.json'}")


if __name__ == "__main__":
    main()
