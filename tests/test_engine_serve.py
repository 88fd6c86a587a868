"""`gra serve` runs the pool's engines in the foreground and leaves nothing behind when stopped."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.engine


def llama_servers() -> set[int]:
    out = subprocess.run(["pgrep", "-f", "llama-server"], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def serve(logs):
    """Start `gra serve --pool cpu`; return the process, its three header lines and the engines it started."""
    before = llama_servers()
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtime.cli", "serve", "--pool", "cpu", "--logs", str(logs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = [proc.stdout.readline() for _ in range(3)]
    return proc, lines, llama_servers() - before


def gone(pids, timeout=15.0) -> bool:
    deadline = time.monotonic() + timeout
    while llama_servers() & pids and time.monotonic() < deadline:
        time.sleep(0.2)
    return not (llama_servers() & pids)


def test_serve_prints_endpoints_guards_them_with_a_key_and_stops_cleanly(tmp_path):
    proc, lines, started = serve(tmp_path)
    try:
        endpoints = {line.split("\t")[0]: line.split("\t")[1] for line in lines[:2]}
        key = lines[2].rsplit(" ", 1)[1].strip()
        assert set(endpoints) == {"smollm2", "gemma3"}
        for url in endpoints.values():
            assert url.startswith("http://127.0.0.1:")
            assert httpx.get(url + "/models", timeout=10).status_code == 401  # the per-run key is required
            assert httpx.get(url + "/models", headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 200
        assert len(started) == 2
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert gone(started), "engine processes outlived `gra serve`"
    for log in tmp_path.glob("engine-*.log"):
        assert key not in log.read_text(errors="replace")  # the key never reaches a log


def test_engines_die_with_a_killed_coordinator(tmp_path):
    """Even SIGKILL of the coordinator takes its engines down (PR_SET_PDEATHSIG): no orphans."""
    proc, _, started = serve(tmp_path)
    assert len(started) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert gone(started)
