"""Judging alone, measured against truth: `gra curate` on the labelled sets of ``../shared/judge/``.

    python bench/judge.py [--rows 40] [--pool cpu] [--seed 0] [--figures-only]

``--rows`` labelled rows (half right, half wrong, split evenly over the two sets, drawn with
``--seed``) are curated by:

- full GRA (3 reviewers, σ rule, adjudicator), one ``gra curate`` run;
- the 3-reviewer mean and the majority vote: the same run's reviews decided by
  ``verdict(..., vote="mean" | "majority")``, so the three committees saw the very same
  reviews and differ only in their rule (their calls per row leave the adjudicator out);
- a single reviewer of each model of the pool, one ``gra curate --reviewer-member`` run each.

For each: AUROC of the final score against the label (a row turned away before scoring
ranks below every scored one), accept rates on right and on wrong rows, balanced accuracy,
calls per row; for full GRA, how often the adjudicator overturned the mean and whether the
label says it was right to. Each figure is given for all rows and per labelled set
(``by_set``: GSM8K with planted errors, Self-Instruct with swapped or cut responses).
Writes ``bench/results/judge.json``; ``--figures-only`` recomputes it from the curations
already in ``bench/results/judge-run/``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rich.console import Console  # noqa: E402

from gra_agents import verdict  # noqa: E402
from runtime.config import SynthConfig, load_pool  # noqa: E402
from runtime.curate import curate  # noqa: E402
from runtime.storage.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JUDGE = ROOT.parent / "shared" / "judge"
SETS = ("gsm8k_train_planted.jsonl", "self_instruct_perturbed.jsonl")


def labelled_rows(n: int, seed: int) -> list[dict]:
    """``n`` rows, half right and half wrong, split evenly over the two sets, shuffled."""
    rng, picked = random.Random(seed), []
    for name in SETS:
        rows = [json.loads(line) for line in (JUDGE / name).read_text().splitlines() if line.strip()]
        for correct in (True, False):
            picked += rng.sample([r for r in rows if r["correct"] is correct], n // 4)
    rng.shuffle(picked)
    return picked


def auroc(right: list[float], wrong: list[float]) -> float | None:
    """P(a right row's score > a wrong row's), ties counting half."""
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return round(wins / (len(right) * len(wrong)), 3)


def figures(rows: list[dict], label: dict[str, bool], calls: int) -> dict:
    """AUROC, accept rates and balanced accuracy of ``rows`` (dicts with id, accepted, score; failed ones left out)."""
    judged = [r for r in rows if r["status"] != "failed"]
    right = [r for r in judged if label[r["id"]]]
    wrong = [r for r in judged if not label[r["id"]]]

    def rate(rs):
        return round(sum(r["accepted"] for r in rs) / len(rs), 3) if rs else None

    a_right, a_wrong = rate(right), rate(wrong)
    return {
        "rows": len(rows),
        "failed": len(rows) - len(judged),
        "auroc": auroc([r["score"] for r in right], [r["score"] for r in wrong]),
        "accept_rate_right": a_right,
        "accept_rate_wrong": a_wrong,
        "balanced_accuracy": round((a_right + 1 - a_wrong) / 2, 3) if right and wrong else None,
        "calls_per_row": round(calls / len(rows), 2) if rows else None,
    }


def set_of(row_id: str) -> str:
    """Which labelled set a row comes from, by its id (``gsm-train-0001``, ``si-0001``)."""
    return "gsm8k" if row_id.startswith("gsm") else "self_instruct"


def with_sets(rows: list[dict], label: dict[str, bool], calls: int) -> dict:
    """:func:`figures` of all ``rows``, and of each labelled set's rows (calls shared out by rows)."""
    result = figures(rows, label, calls)
    result["by_set"] = {}
    for name in ("gsm8k", "self_instruct"):
        mine = [r for r in rows if set_of(r["id"]) == name]
        result["by_set"][name] = figures(mine, label, round(calls * len(mine) / len(rows)))
    return result


def run_rows(store: Store, config: SynthConfig, vote: str | None = None) -> list[dict]:
    """Each curated row's outcome; with ``vote``, re-decided from its recorded reviews under that rule."""
    out = []
    for s in store.samples(order_by="ordinal"):
        score = s["adjudicated_mean"] if s["adjudicated_mean"] is not None else s["mean"]
        accepted = s["status"] == "accepted"
        if vote is not None:
            sheets = [json.loads(r["scores"]) for r in store.reviews_of(s["id"]) if r["kind"] == "response"]
            if sheets and s["status"] != "failed":
                v = verdict(sheets, config.tau, config.delta, vote=vote)
                score, accepted = v.mean, v.decision == "accept"
        out.append({"id": s["id"], "status": s["status"], "accepted": accepted, "score": score or 0.0})
    return out


def calls(store: Store, roles: tuple[str, ...] = ("reviewer", "adjudicator")) -> int:
    marks = ", ".join("?" * len(roles))
    return store.db.execute(f"select count(*) from lm_calls where role in ({marks})", roles).fetchone()[0]


def overturns(store: Store, label: dict[str, bool], config: SynthConfig) -> dict:
    """Disputed rows (μ ≥ τ, σ > δ): how often the adjudicator rejected what the mean accepts, and was right to."""
    adjudicated = store.db.execute("select sample_id, accepted from adjudications").fetchall()
    overturned = [sid for sid, accepted in adjudicated if not accepted]  # a dispute has μ ≥ τ: the mean accepts it
    return {
        "disputed": len(adjudicated),
        "overturned": len(overturned),
        "overturned_rightly": sum(not label[sid] for sid in overturned),
        "upheld_wrong": sum(not label[sid] for sid, accepted in adjudicated if accepted),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--pool", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--figures-only", action="store_true", help="re-read the curations already in judge-run/")
    args = ap.parse_args()
    console = Console(stderr=True)
    rows = labelled_rows(args.rows, args.seed)
    label = {r["id"]: r["correct"] for r in rows}
    work = args.out / "judge-run"
    work.mkdir(parents=True, exist_ok=True)
    data = work / "rows.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))

    config = SynthConfig(seed=args.seed, early_exit=False)  # every review: mean and majority re-decide them
    if not args.figures_only:
        curate(data, work / "gra", args.pool, config, fresh=True, console=console)
    gra = Store(work / "gra" / "gra.db")
    result = {"pool": args.pool, "rows": len(rows), "seed": args.seed, "tau": config.tau, "delta": config.delta}
    result["full_gra"] = with_sets(run_rows(gra, config), label, calls(gra)) | {
        "adjudicator": overturns(gra, label, config)
    }
    for vote in ("mean", "majority"):
        result[f"vote_{vote}"] = with_sets(run_rows(gra, config, vote), label, calls(gra, ("reviewer",)))
    pool, _ = load_pool(args.pool)
    models = {}
    for m in pool.members:  # the first member of each model
        models.setdefault(getattr(pool.engines[m.engine], "model", m.engine), m.name)
    for model, name in models.items():
        single = SynthConfig(seed=args.seed, reviewer_member=name, early_exit=False)
        if not args.figures_only:
            curate(data, work / f"single-{name}", args.pool, single, fresh=True, console=console)
        store = Store(work / f"single-{name}" / "gra.db")
        result[f"single_{name}"] = with_sets(run_rows(store, single), label, calls(store)) | {"model": model}
    (args.out / "judge.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, f in result.items():
        if isinstance(f, dict):
            console.print(
                f"{key}: AUROC {f['auroc']}, accepts right {f['accept_rate_right']} / wrong {f['accept_rate_wrong']},"
                f" {f['calls_per_row']} calls per row"
            )
    console.print(f"wrote {args.out / 'judge.json'}")


if __name__ == "__main__":
    main()
