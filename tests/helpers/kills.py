"""Watching and killing a ``gra`` process under test: its engine children, its recorded calls."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from runtime.storage.status import REPLAYABLE


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def calls_recorded(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("select count(*) from lm_calls").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def wait_for_calls(proc: subprocess.Popen, db: Path, target: int, timeout: float = 600) -> bool:
    """Wait until ``target`` calls are recorded; False if the run finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if calls_recorded(db) >= target:
            return True
        time.sleep(0.2)
    raise AssertionError(f"no progress to {target} calls in {timeout} s")


def wait_gone(pids: list[int], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.1)
    alive = [p for p in pids if Path(f"/proc/{p}/stat").exists() and ") Z" not in Path(f"/proc/{p}/stat").read_text()]
    assert not alive, f"engine processes outlived their coordinator: {alive}"


def start(*args, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``gra ARGS`` in a child process, its stderr appended to ``log`` (``env``: its whole environment)."""
    return subprocess.Popen(
        [sys.executable, "-m", "runtime.cli", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "a"),  # noqa: SIM115 - the child owns it
        env=env,
    )


def calls_sent_twice(store) -> list[tuple[str, int]]:
    """Request hashes of finished calls (``REPLAYABLE``) recorded more than once: a resume that re-sent them."""
    marks = ", ".join("?" * len(REPLAYABLE))
    return store.db.execute(
        f"select request_hash, count(*) from lm_calls where parse_status in ({marks}) and request_hash is not null"
        " group by 1 having count(*) > 1",
        REPLAYABLE,
    ).fetchall()
