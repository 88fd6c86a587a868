"""`gra serve` runs the pool's engines in the foreground and leaves nothing behind when stopped."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.engine


def llama_servers() -> set[int]:
    out = subprocess.run(["pgrep", "-f", "llama-server"], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def children_of(pid: int) -> set[int]:
    """Live (non-zombie) processes whose parent is ``pid``, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def serve(logs):
    """Start `gra serve --pool cpu`; return the process, its three header lines and the engines it started
    (its own llama-server children: servers of anything else running on the machine do not count)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtime.cli", "serve", "--pool", "cpu", "--logs", str(logs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = [proc.stdout.readline() for _ in range(3)]
    return proc, lines, children_of(proc.pid) & llama_servers()


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
        assert set(endpoints) == {"qwen05", "qwen15"}  # the default pool's engines
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


def test_the_supervisor_restarts_a_killed_llama_server_at_the_same_url_and_leaves_no_child(tmp_path):
    from runtime.config import load_pool
    from runtime.engines.supervisor import Supervisor

    pool, _ = load_pool("tiny")  # restarts are plumbing: the fastest pool to load
    before = children_of(os.getpid())
    with Supervisor(pool, log_dir=tmp_path, watch_interval=0.5, restart_backoff=0.5) as sup:
        server, endpoint = sup.servers["smollm2"], sup.endpoints["smollm2"]
        first = server.proc.pid
        assert children_of(os.getpid()) - before == {s.proc.pid for s in sup.servers.values()}
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while "is back on" not in (tmp_path / "engine-smollm2.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert sup.restarts == {"smollm2": 1, "gemma3": 0} and server.proc.pid != first
        assert sup.endpoints["smollm2"] is endpoint  # the coordinator's URL still holds
        reply = httpx.post(
            endpoint.base_url + "/chat/completions",
            headers={"Authorization": f"Bearer {endpoint.api_key}"},
            json={"messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 8},
            timeout=120,
        )
        assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"] is not None
    assert children_of(os.getpid()) - before == set()
    assert sup.api_key not in (tmp_path / "engine-smollm2.log").read_text()
