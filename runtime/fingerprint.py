"""A run directory's fingerprint: what must not change between a run and its resumption.

Resuming with another pool, other thresholds or another seed file would mix two
experiments in one ``data.jsonl``. The fingerprint hashes each of the three separately,
so a refusal can say which one changed. ``rounds`` and ``concurrency`` are left out: a
finished 1-round run may be extended to 5, and concurrency does not change any result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from runtime.pipeline.coordinator import SynthConfig
from runtime.config import Pool

#: Fingerprint parts, as named in messages.
PARTS = {
    "settings": "run settings (per-round, budget, reviewers, τ, δ, dedup, seed)",
    "pool": "pool",
    "seeds": "seed file",
}


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def fingerprint(config: SynthConfig, pool: Pool, seeds_path: Path) -> dict[str, str]:
    settings = {k: v for k, v in asdict(config).items() if k not in ("rounds", "concurrency")}
    return {
        "settings": _digest(settings),
        "pool": _digest(pool.model_dump(exclude={"name"})),
        "seeds": hashlib.sha256(Path(seeds_path).read_bytes()).hexdigest()[:16],
    }


def changed_parts(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """The human names of the parts that differ, in a fixed order."""
    return [PARTS[k] for k in PARTS if before.get(k) != now.get(k)]
