"""Where Deno and Pyodide live, and the exact command lines that start the sandbox's runner.

Deno comes from the ``deno`` package on PyPI (pinned in pyproject.toml); Pyodide comes from
the npm registry, fetched by Deno itself into ``DENO_DIR`` = ``~/.cache/gra/deno`` (or
``$GRA_CACHE/deno``), once per machine. ``python -m runtime.sandbox --warm`` (run by ``make
install``) fetches it and writes the memory snapshot every program starts from.

The permissions are the sandbox. A serving runner may read Pyodide's own files and the
snapshot, nothing else; everything else is refused outright (``--no-prompt``), and the
refusals are spelled out so that a reader sees them::

    deno run --no-prompt --no-config --no-lock --node-modules-dir=false --cached-only
        --allow-read=<pyodide>,<snapshot> --deny-write --deny-net --deny-env --deny-run
        --deny-ffi --deny-sys --v8-flags=--wasm-max-mem-pages=<cap>,--max-old-space-size=256
        runner.js serve <snapshot>

Threads are left to V8: ``--v8-flags=--single-threaded`` would save two of six threads but
made every start three times slower here (bench/results/sandbox.json).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

#: The Pyodide release runner.js imports (npm:pyodide@...); keep the two in step.
PYODIDE_VERSION = "0.29.4"
RUNNER = Path(__file__).with_name("runner.js")
#: JavaScript heap of a runner: programs' output is capped, so little is needed.
JS_HEAP_MB = 256
#: Environment variables a *fetch* may need to reach the npm registry (proxies, mirrors, CAs).
FETCH_ENV = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "NPM_CONFIG_REGISTRY",
    "DENO_CERT",
    "DENO_TLS_CA_STORE",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HOME",
)


def find_deno() -> Path | None:
    """The deno binary: the one the ``deno`` PyPI package installed, else one on PATH, else None."""
    try:
        from deno import find_deno_bin

        return Path(find_deno_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("deno")
        return Path(found) if found else None


def deno_dir() -> Path:
    """Deno's cache (Pyodide and the snapshot): ``$GRA_CACHE/deno`` or ``~/.cache/gra/deno``.

    The same root as runtime.engines.weights.cache_dir, which this low room may not import.
    """
    return Path(os.environ.get("GRA_CACHE", Path.home() / ".cache" / "gra")).resolve() / "deno"


def pyodide_dir(root: Path) -> Path:
    """Where Deno unpacks the Pyodide npm package inside ``root`` (its DENO_DIR)."""
    return root / "npm" / "registry.npmjs.org" / "pyodide" / PYODIDE_VERSION


def snapshot_path(root: Path) -> Path:
    """The memory snapshot for this Pyodide and this runner.js (a changed runner gets a new one)."""
    digest = hashlib.sha256(RUNNER.read_bytes()).hexdigest()[:12]
    return root / "gra-sandbox" / f"pyodide-{PYODIDE_VERSION}-{digest}.snapshot"


def _run(deno: Path) -> list[str]:
    return [str(deno), "run", "--no-prompt", "--no-config", "--no-lock", "--node-modules-dir=false"]


def snapshot_command(deno: Path, root: Path, out: Path) -> list[str]:
    """Fetch Pyodide if needed and write a snapshot to ``out``: the only command that may write."""
    reads = f"--allow-read={pyodide_dir(root)}"
    return [
        *_run(deno),
        reads,
        f"--allow-write={out}",
        "--deny-net",
        "--deny-run",
        "--deny-ffi",
        str(RUNNER),
        "snapshot",
        str(out),
    ]


def serve_command(deno: Path, root: Path, snapshot: Path, memory_mb: int) -> list[str]:
    """Run one program from ``snapshot``, with Python's memory capped at ``memory_mb``."""
    pages = max(memory_mb, 64) * 16  # WebAssembly pages are 64 KiB
    v8 = f"--v8-flags=--wasm-max-mem-pages={pages},--max-old-space-size={JS_HEAP_MB}"
    return [
        *_run(deno),
        "--cached-only",
        f"--allow-read={pyodide_dir(root)},{snapshot}",
        "--deny-write",
        "--deny-net",
        "--deny-env",
        "--deny-run",
        "--deny-ffi",
        "--deny-sys",
        v8,
        str(RUNNER),
        "serve",
        str(snapshot),
    ]


def environment(root: Path, fetch: bool = False) -> dict[str, str]:
    """A scrubbed environment: Deno's own settings, plus (to fetch) what reaching npm may need."""
    env = {"DENO_DIR": str(root), "DENO_NO_UPDATE_CHECK": "1", "DENO_NO_PACKAGE_JSON": "1", "NO_COLOR": "1"}
    if fetch:
        env |= {name: os.environ[name] for name in FETCH_ENV if name in os.environ}
    return env
