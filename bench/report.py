"""The paper's analyses of one real run: coverage, agreement with another judge, IFD (``gra report``).

    python bench/report.py [RUN_DIR] [--judge qwen15-a] [--judge-sample 10] [--ifd]

RUN_DIR defaults to ``bench/results/quality-run`` (``bench/quality.py``'s run). ``--judge``
and ``--ifd`` run those analyses first (they call models: minutes on the CPU pool); without
them the results already under ``RUN_DIR/analysis/`` are used. Writes ``RUN_DIR/report.html``
and the figures to ``bench/results/report.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console  # noqa: E402

from runtime.analysis.agreement import agreement  # noqa: E402
from runtime.analysis.ifd import DEFAULT_MODEL  # noqa: E402
from runtime.report import judge_of, read_analysis, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def coverage_figures(run_dir: Path) -> dict:
    c = read_analysis(run_dir, "coverage")
    return {k: c[k] for k in ("seeds", "kept", "seed_spacing", "share_beyond_seeds")} | {
        "median_nearest_seed_distance": statistics.median(c["nearest_seed_distance"]) if c["kept"] else None
    }


def agreement_figures(run_dir: Path) -> dict | None:
    result = read_analysis(run_dir, "judge")
    if result is None:
        return None
    a = agreement(result)
    table = {
        f"committee_{'kept' if c else 'rejected'}/judge_{'above' if j else 'below'}": n for (c, j), n in a.table.items()
    }
    return {
        "judge": result["judge"],
        "model": result["model"],
        "tau": a.tau,
        "judged": a.judged,
        "unanswered": a.unanswered,
        "judge_was_a_reviewer": sum(bool(r.get("judge_reviewed")) for r in result["rows"]),
        "committee_above_tau": a.committee_share,
        "judge_above_tau": a.judge_share,
        "kept_also_above_tau_for_judge": a.kept_agreement,
        "table": table,
    }


def ifd_figures(run_dir: Path) -> dict | None:
    result = read_analysis(run_dir, "ifd")
    if result is None:
        return None
    out = {"model": result["model"]}
    for group in ("seed", "kept"):
        values = [r["ifd"] for r in result["rows"] if r["group"] == group]
        out[group] = {"n": len(values), "median": statistics.median(values), "mean": statistics.fmean(values)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", nargs="?", type=Path, default=ROOT / "bench/results/quality-run")
    ap.add_argument("--judge")
    ap.add_argument("--judge-sample", type=int)
    ap.add_argument("--ifd", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/report.json")
    args = ap.parse_args()
    path = report(
        args.run_dir,
        judge=judge_of(args.judge),
        judge_sample=args.judge_sample,
        ifd_model=DEFAULT_MODEL if args.ifd else None,
        console=Console(stderr=True),
    )
    result = {
        "run": os.path.relpath(args.run_dir, ROOT),
        "report": os.path.relpath(path, ROOT),
        "coverage": coverage_figures(args.run_dir),
        "agreement": agreement_figures(args.run_dir),
        "ifd": ifd_figures(args.run_dir),
    }
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
