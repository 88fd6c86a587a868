"""Which embedded models can judge? One reviewer per model scores labelled responses.

    python bench/pool_choice.py [--models qwen15,qwen05,smollm2,gemma3] [--rows-per-class 4]

Each model serves as a single reviewer (ScoreResponse, with the demos ``gra synth`` draws)
on the same labelled rows of ``../shared/judge/``: ``--rows-per-class`` right and as many
wrong responses from each of the two sets. Models run two at a time, one per core, as in
the pool. Writes ``bench/results/pool_choice.json``: per model, the AUROC of the reviewer's
average against the label, how often an average ≥ τ = 8 would pass a right and a wrong
response, and seconds per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import tomllib
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from gra_agents.demos import score_demos  # noqa: E402
from runtime.config import Pool  # noqa: E402
from runtime.engines.supervisor import Supervisor  # noqa: E402
from runtime.pipeline import Coordinator, RoleFailed, Team
from runtime.settings import SynthConfig  # noqa: E402
from runtime.storage.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JUDGE = ROOT.parent / "shared" / "judge"
MODELS = {  # engine name -> (GGUF key, extra engine settings)
    "qwen15": ("qwen2.5-coder-1.5b-instruct", ""),
    "qwen05": ("qwen2.5-coder-0.5b-instruct", ""),
    "smollm2": ("smollm2-135m-instruct", 'reencode = "f16"\n'),
    "gemma3": ("gemma3-270m", ""),
}
SETS = {"gsm8k_train_planted.jsonl": "Math", "self_instruct_perturbed.jsonl": None}


def labelled_rows(per_class: int, seed: int) -> list[tuple[dict, str | None]]:
    rng = random.Random(seed)
    rows = []
    for name, domain in SETS.items():
        data = [json.loads(line) for line in (JUDGE / name).read_text().splitlines() if line.strip()]
        for correct in (True, False):
            rows += [(r, domain) for r in rng.sample([r for r in data if r["correct"] is correct], per_class)]
    return rows


def pool_of(models: list[str]) -> Pool:
    text = 'name = "probe"\n[sampling]\ntemperature = 0.2\ntop_p = 0.9\nmax_tokens = 1024\n'
    for m in models:
        key, extra = MODELS[m]
        text += f'[engines.{m}]\nkind = "llama.cpp"\nmodel = "{key}"\nslots = 1\ncontext_per_slot = 8192\n{extra}'
    text += "".join(f'[[members]]\nname = "{m}"\nengine = "{m}"\nseed = 1\n' for m in models)
    return Pool.model_validate(tomllib.loads(text))


async def score_all(coordinator: Coordinator, rows) -> dict[str, list[dict]]:
    async def one_member(member: str) -> list[dict]:
        out = []
        for i, (row, domain) in enumerate(rows):
            demos = score_demos(domain, random.Random(i))
            t = time.perf_counter()
            try:
                s = await coordinator.members.call(
                    "reviewer",
                    member,
                    lambda row=row, demos=demos: coordinator.team.roles.reviewer.scores.acall(
                        row["instruction"], row["input"], row["output"], demos
                    ),
                    sample_id=f"{member}-{i}",
                )
                average = sum(s.scores) / len(s.scores)
            except RoleFailed:
                average = None
            out.append({"id": row["id"], "correct": row["correct"], "average": average, "s": time.perf_counter() - t})
        return out

    names = coordinator.team.names
    return dict(zip(names, await asyncio.gather(*(one_member(m) for m in names)), strict=True))


def figures(results: list[dict]) -> dict:
    right = [r["average"] for r in results if r["correct"] and r["average"] is not None]
    wrong = [r["average"] for r in results if not r["correct"] and r["average"] is not None]
    wins = sum((p > n) + 0.5 * (p == n) for p in right for n in wrong)
    return {
        "rows": len(results),
        "failed": sum(r["average"] is None for r in results),
        "auroc": round(wins / (len(right) * len(wrong)), 3) if right and wrong else None,
        "pass_rate_right": round(sum(a >= 8 for a in right) / len(right), 3) if right else None,
        "pass_rate_wrong": round(sum(a >= 8 for a in wrong) / len(wrong), 3) if wrong else None,
        "mean_right": round(sum(right) / len(right), 2) if right else None,
        "mean_wrong": round(sum(wrong) / len(wrong), 2) if wrong else None,
        "seconds_per_call": round(sum(r["s"] for r in results) / len(results), 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="qwen15,qwen05,smollm2,gemma3")
    ap.add_argument("--rows-per-class", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    models = args.models.split(",")
    rows = labelled_rows(args.rows_per_class, args.seed)
    work = args.out / "pool-choice-run"
    per_model = {}
    for pair in (models[i : i + 2] for i in range(0, len(models), 2)):
        with Supervisor(pool_of(pair), log_dir=work / "logs") as sup:
            team = Team.from_pool(pool_of(pair), sup.endpoints)
            db = work / f"{'-'.join(pair)}.db"
            db.unlink(missing_ok=True)
            coordinator = Coordinator(team, Store(db), work, SynthConfig())
            results = asyncio.run(score_all(coordinator, rows))
        per_model |= {m: figures(r) | {"per_row": r} for m, r in results.items()}
        print({m: {k: v for k, v in f.items() if k != "per_row"} for m, f in per_model.items()})
    out = {"rows": len(rows), "seed": args.seed, "run_two_at_a_time": True, "models": per_model}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pool_choice.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
