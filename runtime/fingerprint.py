"""The fingerprint that guards a resumption: what must not change between a run and its resumption.

Resuming with another pool, other thresholds, another seed file, another prompt pack, or
after an upgrade of gra that changed its own prompts, would mix two experiments in one output
file; each part is hashed alone so a refusal can say which changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from runtime.config import Pool  #: Fingerprint parts, as named in messages.
from runtime.settings import SynthConfig

FINGERPRINT_PARTS = {
    "settings": "run settings (per-round, budget, reviewers, τ, δ, dedup, seed)",
    "pool": "pool",
    "seeds": "seed file",
    "prompts": "prompt pack",
    "gra_prompts": "gra's own prompts (its signatures, their layout or its demos changed with an upgrade of gra)",
}


def digest_of(value: Any) -> str:
    """16 hex digits of the SHA-256 of ``value`` as sorted JSON: one fingerprint part."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def fingerprint(
    config: SynthConfig,
    pool: Pool,
    seeds_path: Path,
    command: str = "synth",
    prompts: str | None = None,
    gra_prompts: str | None = None,
) -> dict[str, str]:
    """What must not change between a run and its resumption, hashed in parts.

    ``rounds``, ``concurrency`` and ``stall_s`` are left out: a finished 1-round run may be
    extended to 5, and neither of the others changes a result. ``prompts`` is the digest of the
    prompt pack the run uses (None: the default demos), ``gra_prompts`` the digest of the prompts
    gra builds in (:func:`runtime.calls.prompt_digest.prompt_digest`; a run records it).
    """
    settings = {k: v for k, v in asdict(config).items() if k not in ("rounds", "concurrency", "prompts", "stall_s")}
    settings |= {"command": command} if command != "synth" else {}  # a curation never resumes as a refinement
    parts = {
        "settings": digest_of(settings),
        "pool": digest_of(pool.model_dump(exclude={"name"})),
        "seeds": hashlib.sha256(Path(seeds_path).read_bytes()).hexdigest()[:16],
    }
    return parts | ({"prompts": prompts} if prompts else {}) | ({"gra_prompts": gra_prompts} if gra_prompts else {})


def changed_parts(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """The human names of the fingerprint parts that differ, in a fixed order."""
    return [FINGERPRINT_PARTS[k] for k in FINGERPRINT_PARTS if before.get(k) != now.get(k)]
