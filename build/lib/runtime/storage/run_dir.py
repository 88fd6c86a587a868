"""A run directory: whether a command may start, resume or start over in it, and who its members are.

``gra synth`` and ``gra curate`` share these rules: a directory that holds a run is
resumed only when the pool, settings and input file are the ones it was started with
(:func:`runtime.fingerprint.fingerprint`), and ``--fresh`` removes the earlier run first.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from runtime.config import Pool
from runtime.errors import GraError
from runtime.fingerprint import changed_parts
from runtime.storage.store import read_fingerprint


class RunDirError(GraError, ValueError):
    """The output directory cannot take this run."""


def check_out(out: Path, fresh: bool) -> None:
    """Refuse a run directory that already holds a run, unless the user asked to start over."""
    if (out / "gra.db").exists() and not fresh:
        raise RunDirError(f"{out}: already holds a run (gra.db); pass --fresh to start over in it")


def check_resume(out: Path, now: dict[str, str], fresh: bool, allow_changed: bool = False) -> bool:
    """Whether this call resumes the run in ``out``; raise if it would resume a different experiment."""
    if fresh or not (out / "gra.db").exists():
        return False
    before = read_fingerprint(out / "gra.db")
    changed = changed_parts(before, now) if before else ["(no fingerprint: made by an older gra)"]
    if changed and not allow_changed:
        raise RunDirError(
            f"{out}: the run there was started with another {', '.join(changed)}; pass --fresh to start over,"
            " or --allow-changed-config to resume it anyway"
        )
    return True


def prepare_out(out: Path, fresh: bool, outputs: tuple[str, ...] = ("data.jsonl",)) -> None:
    """Create the run directory; with ``fresh``, first remove an earlier run's database, ``outputs`` and index."""
    check_out(out, fresh)
    if (out / "gra.db").exists():
        for name in ("gra.db", "gra.db-wal", "gra.db-shm", *outputs):
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / "index", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def member_rows(pool: Pool) -> list[dict]:
    """The ``members`` rows of a run on ``pool``: who each member is, on which engine, sampled how."""
    return [
        {
            "name": m.name,
            "engine": m.engine,
            "kind": pool.engines[m.engine].kind,
            "model": getattr(pool.engines[m.engine], "model", None),
            "sampling": json.dumps(pool.sampling_for(m)),
        }
        for m in pool.members
    ]
