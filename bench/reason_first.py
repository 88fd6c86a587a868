"""Reason first? A short analysis field before the checks' and scores' numbers, measured against none.

    python bench/reason_first.py [--instructions 50] [--answers 30] [--figures-only]

The paper's prompt asks a reviewer to "analyze … then score", and with JSON-schema decoding a
field written before the numbers is generated before them. Whether that helps the numbers read
from token probabilities is measured here, one member of each model of the ``cpu`` pool, on
labelled rows of ``../shared/judge/`` that nothing was fitted on (no demos, no calibration):

- **checks**: ``instructions_labelled.jsonl`` (a seeded sample of ``--instructions`` rows):
  AUROC of P(some check fails) for flagging broken instructions, and the share of sound
  instructions the sampled 0/1 checks turn away;
- **scores**: ``gsm8k_train_planted.jsonl`` (a seeded sample of ``--answers`` rows of its
  second half): AUROC of the sheet's expected average and of its sampled average, right vs wrong;

each with the analysis field and without it (the three checks in one answer, as gra asked them
then, ``bench/check_forms.py``'s ``ThreeInOne``, and the shipped ``ScoreResponse``), and the
seconds per call. Writes ``bench/results/reason_first.json``; the raw read-outs stay in
``bench/results/reason_first-run/raw.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402

from bench.check_forms import ThreeInOne, three_in_one_passes  # noqa: E402
from gra_agents.reviewer import PROBABILITIES, read_scores  # noqa: E402
from runtime.analysis.calibration import auroc  # noqa: E402
from runtime.calls.adapter import StructuredAdapter  # noqa: E402
from runtime.config import load_pool  # noqa: E402
from runtime.engines.supervisor import Supervisor  # noqa: E402
from runtime.pipeline.team import member_lm  # noqa: E402
from signatures import CHECK_DIMENSIONS, ScoreResponse  # noqa: E402
from signatures.vocabulary import REVIEW_CHARS  # noqa: E402

JUDGE = ROOT.parent / "shared" / "judge"
#: One member of each model of the cpu pool (members of a model differ only in their seed).
MEMBERS = {"qwen2.5-coder-0.5b": "qwen05-a", "qwen2.5-coder-1.5b": "qwen15-a"}
ANALYSIS = dspy.OutputField(desc="at most 40 words", min_length=1, max_length=REVIEW_CHARS)


def _analyzed(base: type[dspy.Signature], old: str, new: str) -> type[dspy.Signature]:
    """``base`` with an ``analysis`` output field first and its instructions asking for it."""
    fields = {name: (f.annotation, f) for name, f in base.input_fields.items()}
    fields["analysis"] = (str, ANALYSIS)
    fields |= {name: (f.annotation, f) for name, f in base.output_fields.items()}
    assert old in base.__doc__, f"{base.__name__}'s instructions changed: update bench/reason_first.py"
    return dspy.Signature(fields, base.__doc__.replace(old, new))


CHECK_ANALYZED = _analyzed(
    ThreeInOne,
    "Give 1 (pass) or 0 (fail) for each check:",
    "First write a short analysis of the instruction (at most 40 words), then give 1 (pass) or 0 (fail) for each"
    " check:",
)
SCORE_ANALYZED = _analyzed(
    ScoreResponse,
    "Analyze the requirements of the instruction,\n    then score",
    "First write a short analysis (at most 40 words) of the requirements of the instruction and of\n    whether the"
    " response meets them, then score",
)
WAYS = (
    ("check", ThreeInOne, "check"),
    ("check+analysis", CHECK_ANALYZED, "check"),
    ("score", ScoreResponse, "score"),
    ("score+analysis", SCORE_ANALYZED, "score"),
)


def rows(name: str, n: int, second_half: bool = False) -> list[dict]:
    """A seeded sample of ``n`` rows of a labelled set (of its second half, if asked)."""
    data = [json.loads(line) for line in (JUDGE / name).read_text().splitlines() if line.strip()]
    data = data[len(data) // 2 :] if second_half else data
    random.Random(3).shuffle(data)
    return data[:n]


async def read_one(lm, sig, kind: str, row: dict) -> dict:
    """One call, read out: the sampled values and the probability view, or the error."""
    inputs = {"instruction": row["instruction"], "input": row["input"]}
    if kind == "score":
        inputs["response"] = row["output"]
    t = time.perf_counter()
    try:
        with dspy.context(lm=lm, adapter=StructuredAdapter()):
            out = await dspy.Predict(sig).acall(**inputs, demos=[], config=PROBABILITIES)
    except Exception as e:  # an unparseable answer is counted, never scored
        return {"error": str(e)[:200], "t": time.perf_counter() - t}
    if kind == "check":
        sampled = [getattr(out, c) for c in CHECK_DIMENSIONS]
        return {"sampled": sampled, "passes": three_in_one_passes(out), "t": time.perf_counter() - t}
    s = read_scores(out)
    return {"sampled": s.scores, "expected": s.expected, "t": time.perf_counter() - t}


async def probe(lms: dict, instructions: list[dict], answers: list[dict]) -> dict:
    """Every way on every row, the members at once (each on its own engine), rows one at a time."""

    async def member(lm) -> dict:
        out: dict = {}
        for label, sig, kind in WAYS:
            data = instructions if kind == "check" else answers
            out[label] = [[r["id"], await read_one(lm, sig, kind, r)] for r in data]
        return out

    results = await asyncio.gather(*(member(lm) for lm in lms.values()))
    return dict(zip(lms, results, strict=True))


def figures(raw: dict) -> dict:
    """AUROC and cost of each way, per model."""
    sound, right = raw["instructions"], raw["answers"]
    out: dict = {}
    for model, res in raw["results"].items():
        mine: dict = {}
        for label, _, kind in WAYS:
            done = [(rid, x) for rid, x in res[label] if "error" not in x]
            entry = {"rows": len(res[label]), "errors": len(res[label]) - len(done)}
            entry["seconds_per_call"] = round(sum(x["t"] for _, x in res[label]) / max(1, len(res[label])), 1)
            if kind == "check":
                ok = [(rid, x) for rid, x in done if None not in x["passes"]]
                fail = {rid: 1 - min(x["passes"]) for rid, x in ok}
                entry["auroc_broken_flagged"] = _round(
                    auroc([v for r, v in fail.items() if not sound[r]], [v for r, v in fail.items() if sound[r]])
                )
                flagged = [0 in x["sampled"] for rid, x in done if sound[rid]]
                entry["sampled_turns_away_sound"] = round(sum(flagged) / max(1, len(flagged)), 3)
            else:
                exp = {rid: sum(x["expected"]) / 6 for rid, x in done if None not in x["expected"]}
                smp = {rid: sum(x["sampled"]) / 6 for rid, x in done}
                entry["auroc_expected"] = _round(
                    auroc([v for r, v in exp.items() if right[r]], [v for r, v in exp.items() if not right[r]])
                )
                entry["auroc_sampled"] = _round(
                    auroc([v for r, v in smp.items() if right[r]], [v for r, v in smp.items() if not right[r]])
                )
            mine[label] = entry
        out[model] = mine
    return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instructions", type=int, default=50)
    ap.add_argument("--answers", type=int, default=30)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--figures-only", action="store_true", help="re-read reason_first-run/raw.json")
    args = ap.parse_args()
    work = args.out / "reason_first-run"
    if not args.figures_only:
        instructions = rows("instructions_labelled.jsonl", args.instructions)
        answers = rows("gsm8k_train_planted.jsonl", args.answers, second_half=True)
        pool, _ = load_pool("cpu")
        with Supervisor(pool, log_dir=work / "logs") as sup:
            engine = {m.name: m.engine for m in pool.members}
            lms = {model: member_lm(pool, name, sup.endpoints[engine[name]]) for model, name in MEMBERS.items()}
            results = asyncio.run(probe(lms, instructions, answers))
        raw = {
            "instructions": {r["id"]: r["sound"] for r in instructions},
            "answers": {r["id"]: r["correct"] for r in answers},
            "results": results,
        }
        work.mkdir(parents=True, exist_ok=True)
        (work / "raw.json").write_text(json.dumps(raw))
    raw = json.loads((work / "raw.json").read_text())
    result = {
        "pool": "cpu",
        "instructions": {"rows": len(raw["instructions"]), "sound": sum(raw["instructions"].values())},
        "answers": {"rows": len(raw["answers"]), "right": sum(raw["answers"].values())},
        "models": figures(raw),
    }
    (args.out / "reason_first.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
