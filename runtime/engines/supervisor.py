"""Start every engine a pool needs, hand out endpoints, keep them up, and stop them all on exit.

>>> with Supervisor(pool, log_dir=Path("runs/x/logs")) as sup:   # doctest: +SKIP
...     sup.endpoints["smollm2"].base_url
'http://127.0.0.1:40123/v1'

Local engines are llama.cpp (one ``llama-server`` per engine) and SGLang (one server per
replica, or one on CPU); ``endpoint`` engines are checked, not started. Engines that compute
on this machine's CPU (llama.cpp, SGLang on CPU) get cores of their own. While the ``with``
block is open a watchdog thread restarts a local server that died, on the same port with
the same key, so endpoints keep their URLs; after ``max_restarts`` failed tries it gives
the server up and names it in :attr:`Supervisor.failed`. :meth:`Supervisor.plan` says what would start
without starting anything (``gra serve --dry-run``).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from runtime.config import EndpointEngine, Pool
from runtime.engines import llama_cpp, sglang  # noqa: F401 (each registers its kind)
from runtime.engines.contention import EVERY_S as CONTENTION_EVERY_S
from runtime.engines.contention import SHARED_CORES, Contention
from runtime.engines.kinds import Place, kind_of
from runtime.engines.llama_cpp import split_cores
from runtime.engines.placement import pin
from runtime.engines.process import EngineError, ServerProcess, free_port
from runtime.engines.replicas import ReplicaSet


@dataclass(frozen=True)
class Endpoint:
    """Where one engine answers. ``base_url`` is its first (often only) server; an engine with
    several replicas lists them all in ``base_urls`` and shares one :class:`ReplicaSet`, which
    picks the least busy replica per call (pass it to ``MemberLM(..., replicas=...)``).
    ``slots`` counts requests in flight over all replicas."""

    base_url: str
    api_key: str
    dialect: str
    slots: int
    base_urls: tuple[str, ...] = ()
    replicas: ReplicaSet = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    cpus: frozenset[int] | None = None  # the cores its local server is pinned to; None: not ours to place

    def __post_init__(self) -> None:
        if not self.base_urls:
            object.__setattr__(self, "base_urls", (self.base_url,))
        if self.replicas is None:
            object.__setattr__(self, "replicas", ReplicaSet(self.base_urls))


class Supervisor:
    """Owns the engine processes of one pool for the length of a ``with`` block."""

    def __init__(
        self,
        pool: Pool,
        log_dir: Path,
        ready_timeout: float = 180.0,
        source: str = "pool",
        *,
        max_restarts: int = 5,
        watch_interval: float = 2.0,
        restart_backoff: float = 2.0,
        port: Callable[[], int] = free_port,
    ):
        self.pool, self.log_dir, self.ready_timeout, self.source = pool, log_dir, ready_timeout, source
        self.max_restarts, self.watch_interval, self.restart_backoff = max_restarts, watch_interval, restart_backoff
        self.api_key = secrets.token_hex(24)  # per run; never stored or logged; hex, so never read as a flag ("-x...")
        self.servers: dict[str, ServerProcess] = {}  # one per process: "engine", or "engine.1" for a replica
        self.engine_of: dict[str, str] = {}  # server name -> engine name
        self.endpoints: dict[str, Endpoint] = {}
        self.restarts: dict[str, int] = {}  # server name -> restarts so far
        self.failed: dict[str, str] = {}  # server name -> why the watchdog gave it up
        self._port = port
        self._reviving: set[str] = set()  # servers the watchdog is bringing back
        self._stopping = threading.Event()
        self._watchdog: threading.Thread | None = None

    def __enter__(self) -> Supervisor:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what runs where -------------------------------------------------------------

    def build(self) -> dict[str, ServerProcess]:
        """The local server processes this pool needs, named and placed, none started yet."""
        if self.servers:
            return self.servers
        cores = self._cores()
        for name, spec in self.pool.engines.items():
            served = self.pool.served_model_name(name) if hasattr(spec, "served_model_name") else name
            place = Place(self.log_dir, self.api_key, self._port, cores.get(name), served)
            for server_name, server in kind_of(spec).servers(name, spec, place):
                self.add_server(server_name, name, server)
        return self.servers

    def _cores(self) -> dict[str, frozenset[int] | None]:
        """The cores of each engine that computes on this machine's CPU: llama.cpp, and SGLang on CPU."""
        on_cpu = [name for name, spec in self.pool.engines.items() if kind_of(spec).on_cpu(spec)]
        return dict(zip(on_cpu, split_cores(len(on_cpu)), strict=True))

    def add_server(self, server_name: str, engine: str, server: ServerProcess) -> None:
        """Put one server under this supervisor, serving ``engine`` (build() does this for the pool)."""
        self.servers[server_name] = server
        self.engine_of[server_name] = engine
        self.restarts[server_name] = 0

    def plan(self) -> list[str]:
        """One line per server it would start: environment, then command (the key as a placeholder);
        a comment line per remote endpoint. Starts nothing."""
        lines = [
            f"# {name}: endpoint {spec.base_url} (already running; not started here)"
            for name, spec in self.pool.engines.items()
            if isinstance(spec, EndpointEngine)
        ]
        return lines + [server.plan() for server in self.build().values()]

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        for name, spec in self.pool.engines.items():  # remote endpoints first: a bad one fails before any start
            if isinstance(spec, EndpointEngine):
                key = os.environ.get(spec.api_key_env, "") if spec.api_key_env else "none"
                check_endpoint(name, spec.base_url, key, source=self.source)
                self.endpoints[name] = Endpoint(spec.base_url.rstrip("/"), key or "none", spec.dialect, spec.slots)
        self.build()
        for server in self.servers.values():
            server.start()
        with ThreadPoolExecutor(max(1, len(self.servers))) as ex:
            futures = [
                ex.submit(s.wait_ready, self._ready_timeout(n), self._stopping.is_set) for n, s in self.servers.items()
            ]
            for f in futures:
                f.result()
        for engine in dict.fromkeys(self.engine_of.values()):
            spec = self.pool.engines[engine]
            urls = tuple(s.base_url for n, s in self.servers.items() if self.engine_of[n] == engine)
            cpus = frozenset().union(*(s.cpus or () for n, s in self.servers.items() if self.engine_of[n] == engine))
            self.endpoints[engine] = Endpoint(
                urls[0], self.api_key, spec.dialect, spec.slots * len(urls), urls, cpus=cpus or None
            )
        if self.servers:
            self._watchdog = threading.Thread(target=self._watch, name="gra-watchdog", daemon=True)
            self._watchdog.start()

    def _ready_timeout(self, server: str) -> float:
        """The engine's own ``ready_timeout_s`` (SGLang's first start takes minutes), at least ours."""
        spec = self.pool.engines[self.engine_of[server]]
        return max(getattr(spec, "ready_timeout_s", 0.0), self.ready_timeout)

    def stop(self) -> None:
        self._stopping.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=60)
        for server in self.servers.values():
            server.stop()

    def engine_state(self, engine: str) -> str:
        """``up``, ``restarting`` (some server of it is down and being brought back) or ``failed``
        (the watchdog gave up on all of its servers). Endpoints it does not run are always ``up``."""
        names = [n for n, e in self.engine_of.items() if e == engine]
        if names and all(n in self.failed for n in names):
            return "failed"
        if any(n in self._reviving or not self.servers[n].alive() for n in names if n not in self.failed):
            return "restarting"
        return "up"

    def pid(self, engine: str) -> int | None:
        """The process id of ``engine``'s first live server, or None (an endpoint, or none alive)."""
        names = [n for n, e in self.engine_of.items() if e == engine and self.servers[n].alive()]
        return self.servers[names[0]].proc.pid if names else None

    # --- the watchdog ----------------------------------------------------------------------

    def _watch(self) -> None:
        contention, next_look = Contention(os.getpid()), time.monotonic() + CONTENTION_EVERY_S
        while not self._stopping.wait(self.watch_interval):
            if time.monotonic() >= next_look and not contention.shared:
                next_look = time.monotonic() + CONTENTION_EVERY_S
                if (foreign := contention.look()) >= SHARED_CORES:
                    self.unpin(f"other programs use {foreign:.1f} cores' worth of CPU")
            for name, server in self.servers.items():
                if name not in self.failed and not server.alive() and not self._stopping.is_set():
                    self._reviving.add(name)
                    try:
                        self._revive(name, server)
                    finally:
                        self._reviving.discard(name)

    def unpin(self, why: str) -> None:
        """Let every local server run on any core (the machine is shared: a pinned core may be held by another)."""
        everywhere = os.sched_getaffinity(0)
        for name, server in self.servers.items():
            if server.cpus and server.alive():
                server.cpus = None  # a restart is not pinned either
                pin(server.proc.pid, everywhere)
                server.log(f"{why}: {name!r} unpinned, the scheduler places its threads")

    def _revive(self, name: str, server: ServerProcess) -> None:
        """Restart a dead server on its port and key; back off between tries; give up after
        ``max_restarts`` restarts of this server in this run."""
        code = server.proc.returncode if server.proc is not None else None
        server.log(f"server {name!r} exited (code {code})")
        while self.restarts[name] < self.max_restarts and not self._stopping.is_set():
            self.restarts[name] += 1
            delay = self.restart_backoff * 2 ** (self.restarts[name] - 1)
            server.log(f"restart {self.restarts[name]}/{self.max_restarts} of {name!r} in {delay:.0f}s")
            if self._stopping.wait(delay):
                return
            server.stop(grace=5)  # whatever the dead leader left in its process group
            try:
                server.start()
                server.wait_ready(self._ready_timeout(name), self._stopping.is_set)
            except (EngineError, OSError) as exc:
                server.log(f"restart {self.restarts[name]} failed: {exc}")
                continue
            server.log(f"server {name!r} is back on {server.base_url}")
            return
        if not self._stopping.is_set():
            self.failed[name] = f"died {self.restarts[name] + 1} times; see {server.log_path}"
            server.log(f"giving up on {name!r} after {self.restarts[name]} restarts")


def check_endpoint(name: str, base_url: str, api_key: str, timeout: float = 10.0, source: str = "pool") -> None:
    """Raise :class:`EngineError` unless ``GET {base_url}/models`` answers."""
    try:
        r = httpx.get(base_url.rstrip("/") + "/models", headers={"Authorization": f"Bearer {api_key}"}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise EngineError(
            f"{source}: engine {name!r}: endpoint {base_url} is unreachable ({type(exc).__name__})"
        ) from None
    if r.status_code >= 400:
        raise EngineError(f"{source}: engine {name!r}: endpoint {base_url} answered HTTP {r.status_code}")
