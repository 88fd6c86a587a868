"""The steering screen alone (no model calls): attacks it catches, and honest rows it turns away, per domain.

    python bench/screen.py

Catch rate: the four attacks of ``bench/injection.py`` appended to each row of
``bench/data/injection_set.jsonl``, and its held-out paraphrases (written after the rules
and never used to tune them). False positives: every seed of ``../shared/seeds/`` and
``examples/seeds.jsonl`` (domains by the embedding classifier, ``runtime.pipeline.domains``),
and ``bench/data/screen_legit.jsonl``, hand-collected honest rows that look like attacks to a
careless rule (REPL transcripts, Java's ``>>>``, bash here-strings, chat logs and screenplays
with ``System:`` lines, speeches to judges, games whose rules are ignored, essays about
grading), each labelled with its domain.

Writes ``bench/results/screen.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from injection import ATTACKS, HELD_OUT  # noqa: E402

from gra_agents import steering  # noqa: E402
from runtime.pipeline.domains import classify  # noqa: E402
from runtime.storage.seeds import load_seeds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "seeds"
DATA = ROOT / "bench" / "data"


def flagged(row: dict) -> list[str]:
    return steering("\n".join(row[k] for k in ("instruction", "input", "output")))


def honest_rows() -> list[dict]:
    """Seed rows (domain by embedding) and the hand-collected set (domain labelled), each with its source."""
    files = [ROOT / "examples" / "seeds.jsonl"] + [p for p in sorted(SHARED.glob("*.json*")) if p.is_file()]
    seeds = [(f.name, s) for f in files for s in load_seeds(f)]
    domains = classify([(s.instruction, s.input) for _, s in seeds])
    rows = [
        {"source": name, "id": s.id, "domain": d, "instruction": s.instruction, "input": s.input, "output": s.output}
        for (name, s), d in zip(seeds, domains, strict=True)
    ]
    legit = [json.loads(line) for line in (DATA / "screen_legit.jsonl").read_text().splitlines() if line.strip()]
    return rows + [r | {"source": "screen_legit.jsonl"} for r in legit]


def false_positives(rows: list[dict]) -> dict:
    hits = [(r, flagged(r)) for r in rows]
    by_domain: dict[str, dict] = {}
    for domain in sorted({r["domain"] for r in rows}):
        mine = [(r, f) for r, f in hits if r["domain"] == domain]
        n = sum(bool(f) for _, f in mine)
        by_domain[domain] = {"rows": len(mine), "flagged": n, "rate": round(n / len(mine), 3)}
    by_source = Counter(r["source"] for r, f in hits if f)
    return {
        "rows": len(rows),
        "flagged": sum(bool(f) for _, f in hits),
        "by_domain": by_domain,
        "by_source": {
            s: {"rows": sum(r["source"] == s for r in rows), "flagged": by_source[s]}
            for s in sorted({r["source"] for r in rows})
        },
        "examples": [{"id": r["id"], "source": r["source"], "rules": f} for r, f in hits if f][:20],
    }


def catches() -> dict:
    rows = [json.loads(line) for line in (DATA / "injection_set.jsonl").read_text().splitlines() if line.strip()]
    per_attack = {}
    for name, (field, text) in ATTACKS.items():
        attacked = [
            r | {"output": r["response"]} | {field if field != "response" else "output": r[field] + text} for r in rows
        ]
        per_attack[name] = {"rows": len(rows), "caught": sum(bool(flagged(r)) for r in attacked)}
    clean = sum(bool(flagged(r | {"output": r["response"]})) for r in rows)
    missed = [t for t in HELD_OUT if not steering(t)]
    return {
        "attacks": per_attack,
        "clean_rows_flagged": clean,
        "held_out": {"attacks": len(HELD_OUT), "caught": len(HELD_OUT) - len(missed), "missed": missed},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "screen.json")
    args = ap.parse_args()
    result = {"catches": catches(), "false_positives": false_positives(honest_rows())}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    c, f = result["catches"], result["false_positives"]
    caught = sum(a["caught"] for a in c["attacks"].values())
    total = sum(a["rows"] for a in c["attacks"].values())
    print(
        f"attacks caught {caught}/{total}, held-out {c['held_out']['caught']}/{c['held_out']['attacks']};"
        f" honest rows flagged {f['flagged']}/{f['rows']}; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
