"""Run the ``gra`` CLI as a separate process, the way a user does (``python -m runtime.cli``)."""

import subprocess
import sys


def gra(*args, timeout: float = 1500, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``gra ARGS...`` with text output captured (``env``: its whole environment); the caller checks the return code."""
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli", *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env
    )
