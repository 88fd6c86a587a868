"""The Pyodide memory snapshot every program starts from, made once per machine.

Starting Pyodide from nothing takes 6-10 s of CPU here (CPython initialises inside
WebAssembly); restoring a snapshot of the initialised interpreter takes about 0.5 s. So the
first start on a machine (or ``python -m runtime.sandbox --warm``) runs runner.js in its
``snapshot`` mode, which is also when Deno fetches Pyodide from the npm registry, and the file
is kept in the Deno cache beside Pyodide. The snapshot is written to a temporary name and
renamed, so two processes that make it at once never read half a file.

The snapshot mode is the only one allowed to write, and only that one file; no program runs in
it. A serving runner only reads the snapshot.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from runtime.sandbox.deno import PYODIDE_VERSION, environment, snapshot_command, snapshot_path
from runtime.sandbox.execution import Unavailable
from runtime.sandbox.placement import child_setup

#: A first fetch of Pyodide (~13 MB from npm) and its first start, on a slow and busy machine.
PREPARE_TIMEOUT_S = 600.0


def ensure_snapshot(deno: Path, root: Path, timeout_s: float = PREPARE_TIMEOUT_S) -> Path:
    """The snapshot's path, made first if missing; raises :class:`Unavailable` if it cannot be."""
    path = snapshot_path(root)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
    try:
        done = subprocess.run(
            snapshot_command(deno, root, part),
            env=environment(root, fetch=True),
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            preexec_fn=child_setup(os.getpid()),
        )
    except subprocess.TimeoutExpired:
        part.unlink(missing_ok=True)
        raise Unavailable(f"fetching and starting Pyodide {PYODIDE_VERSION} took over {timeout_s:g} s") from None
    except OSError as e:
        raise Unavailable(f"deno could not be started ({deno}): {e.strerror or e}") from None
    if done.returncode != 0 or not part.is_file():
        part.unlink(missing_ok=True)
        raise Unavailable(f"Pyodide {PYODIDE_VERSION} could not be fetched or started: {why(done.stderr)}")
    os.replace(part, path)
    forget_stale(path)
    return path


def why(stderr: str) -> str:
    """The line of Deno's stderr that says what went wrong (its last error line, else its last line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    return (errors or lines or ["deno said nothing"])[-1][:300]


def forget_stale(keep: Path) -> None:
    """Remove snapshots of other Pyodide versions or runners (20 MB each)."""
    for old in keep.parent.glob("pyodide-*.snapshot"):
        if old != keep:
            old.unlink(missing_ok=True)
