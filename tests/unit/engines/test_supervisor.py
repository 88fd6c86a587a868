"""The supervisor's lifecycle with a tiny stand-in engine: start, health, restart after a kill, give up, stop clean.

The stand-in is a few lines of Python that read the key file, print the key (as SGLang
prints its settings), spawn a worker process (as SGLang spawns its scheduler) and answer
``/health`` only to the right key. The same code drives llama.cpp and SGLang servers;
tests/engine/test_serve.py repeats the restart with real llama-servers.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from runtime.config import load_pool
from runtime.engines.process import KEY_FILE_PLACEHOLDER, ServerProcess
from runtime.engines.replicas import ReplicaSet
from runtime.engines.supervisor import Endpoint, Supervisor

TINY = """
import http.server, subprocess, sys
port, key = int(sys.argv[1]), open(sys.argv[2]).read().strip()
print(f"settings: api_key={key!r}", flush=True)
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(f"worker {worker.pid}", flush=True)
class Health(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        self.send_response(200 if self.headers.get("Authorization") == f"Bearer {key}" else 401)
        self.end_headers()
http.server.ThreadingHTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


class TinyServer(ServerProcess):
    broken = False  # once set, every (re)start exits at once

    def command(self, key_file: str = KEY_FILE_PLACEHOLDER) -> list[str]:
        if self.broken:
            return [sys.executable, "-c", "import sys; sys.exit(3)"]
        return [sys.executable, "-c", TINY, str(self.port), key_file]


class TinySupervisor(Supervisor):
    """The cpu pool's two engines, each played by a TinyServer."""

    def build(self):
        if not self.servers:
            for engine in self.pool.engines:
                self.add_server(engine, engine, TinyServer(engine, self.log_dir / f"engine-{engine}.log", self.api_key))
        return self.servers


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"  # a zombie is dead
    except (FileNotFoundError, IndexError):
        return False


def wait_for(condition, timeout=60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def worker_pids(log: Path) -> list[int]:
    return [int(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("worker ")]


@pytest.fixture
def tiny_pool():
    return load_pool("tiny")[0]


def test_a_killed_server_comes_back_on_the_same_url_and_stop_leaves_no_process(tmp_path, tiny_pool):
    sup = TinySupervisor(tiny_pool, tmp_path, watch_interval=0.05, restart_backoff=0.05)
    log = tmp_path / "engine-smollm2.log"
    with sup:
        server, url = sup.servers["smollm2"], sup.endpoints["smollm2"].base_url
        first_pid = server.proc.pid
        assert wait_for(lambda: len(worker_pids(log)) == 1)
        os.kill(first_pid, signal.SIGKILL)  # the worker is orphaned, still in the dead server's process group

        assert wait_for(lambda: sup.engine_state("smollm2") == "restarting", timeout=5)
        assert sup.engine_state("gemma3") == "up"
        assert wait_for(lambda: "is back on" in log.read_text())
        assert wait_for(lambda: sup.engine_state("smollm2") == "up", timeout=5)
        assert sup.restarts["smollm2"] == 1 and server.proc.pid != first_pid
        assert sup.endpoints["smollm2"].base_url == url
        assert httpx.get(url.removesuffix("/v1") + "/health", timeout=5).status_code == 401  # same key required
        assert wait_for(lambda: len(worker_pids(log)) == 2)
        assert not alive(worker_pids(log)[0])  # the restart ended what the dead server left behind
        assert sup.restarts["gemma3"] == 0 and sup.failed == {}
        pids = [s.proc.pid for s in sup.servers.values()] + worker_pids(log)
    assert not any(alive(p) for p in pids)
    text = log.read_text()
    assert sup.api_key not in text and "settings: api_key='<api-key>'" in text
    assert "exited (code -9)" in text and "restart 1/5" in text


def test_a_server_that_keeps_dying_is_given_up_and_named(tmp_path, tiny_pool):
    with TinySupervisor(tiny_pool, tmp_path, watch_interval=0.05, restart_backoff=0.01, max_restarts=2) as sup:
        server = sup.servers["gemma3"]
        server.broken = True
        os.kill(server.proc.pid, signal.SIGKILL)
        assert wait_for(lambda: "gemma3" in sup.failed)
        assert sup.restarts["gemma3"] == 2 and "died 3 times" in sup.failed["gemma3"]
        assert sup.engine_state("gemma3") == "failed" and sup.engine_state("smollm2") == "up"
        assert sup.servers["smollm2"].alive() and "smollm2" not in sup.failed
    assert "giving up on 'gemma3' after 2 restarts" in (tmp_path / "engine-gemma3.log").read_text()


def test_the_key_file_is_private_and_gone_once_the_server_is_up(tmp_path, tiny_pool):
    server = TinyServer("e", tmp_path / "e.log", "s3cret")
    try:
        server.start()
        key_file = Path(server._key_file)
        assert key_file.stat().st_mode & 0o777 == 0o600
        server.wait_ready(30)
        assert not key_file.exists()
    finally:
        server.stop()


def ignores_sigterm(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
    return bool(ignored & (1 << (signal.SIGTERM - 1)))


STUBBORN_COORDINATOR = """
import sys, time
from pathlib import Path
from runtime.engines.process import ServerProcess

IGNORE_SIGTERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"

class Stubborn(ServerProcess):  # ignores SIGTERM, as a llama-server stuck in its SIGTERM handler does
    def command(self, key_file="-"):
        return [sys.executable, "-c", IGNORE_SIGTERM]

server = Stubborn("stubborn", Path(sys.argv[1]), "k")
server.start()
print(server.proc.pid, flush=True)
time.sleep(600)
"""


def test_a_server_that_ignores_sigterm_still_dies_with_a_killed_coordinator(tmp_path):
    coordinator = subprocess.Popen(
        [sys.executable, "-c", STUBBORN_COORDINATOR, str(tmp_path / "s.log")], stdout=subprocess.PIPE, text=True
    )
    server = int(coordinator.stdout.readline())
    assert wait_for(lambda: ignores_sigterm(server))
    coordinator.kill()
    coordinator.wait(30)
    assert wait_for(lambda: not alive(server), timeout=15), "the server outlived its coordinator"


def test_least_busy_replica_takes_the_call_ties_go_round_robin():
    replicas = ReplicaSet(["a", "b", "c"])
    assert [replicas.acquire() for _ in range(3)] == ["a", "b", "c"]
    replicas.release("b")
    assert replicas.acquire() == "b"  # the only idle one
    for url in "abc":
        replicas.release(url)
    assert [replicas.acquire() for _ in range(4)] == ["c", "a", "b", "c"]


def test_an_endpoint_lists_its_replicas_and_defaults_to_one():
    one = Endpoint("http://h:1/v1", "k", "json_schema", 4)
    assert one.base_urls == ("http://h:1/v1",) and len(one.replicas) == 1
    two = Endpoint("http://h:1/v1", "k", "json_schema", 8, ("http://h:1/v1", "http://h:2/v1"))
    assert two.replicas.urls == two.base_urls


def test_a_members_calls_spread_over_its_engines_replicas():
    from runtime.calls.member_lm import MemberLM
    from tests.helpers.fake_engine import FakeEngine

    a, b = FakeEngine([("one", "stop")] * 6), FakeEngine([("two", "stop")] * 6)
    try:
        ep = Endpoint(a.base_url, "k", "json_schema", 8, (a.base_url, b.base_url))
        lm = MemberLM("m", api_base=ep.base_url, api_key=ep.api_key, replicas=ep.replicas, max_tokens=64, num_retries=0)
        answers = [lm(messages=[{"role": "user", "content": f"q{i}"}])[0] for i in range(4)]
        assert answers == ["one", "two", "one", "two"]

        async def two_at_once():
            return await asyncio.gather(*(lm.acall(messages=[{"role": "user", "content": "q"}]) for _ in range(2)))

        assert sorted(out[0] for out in asyncio.run(two_at_once())) == ["one", "two"]
        assert len(a.requests) == len(b.requests) == 3 and ep.replicas.in_flight == {a.base_url: 0, b.base_url: 0}
        assert lm.copy(temperature=0.5).replicas is ep.replicas
    finally:
        a.close()
        b.close()
