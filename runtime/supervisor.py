"""Start every engine a pool needs, hand out endpoints, and stop them all on exit.

>>> with Supervisor(pool, log_dir=Path("runs/x/logs")) as sup:   # doctest: +SKIP
...     sup.endpoints["smollm2"].base_url
'http://127.0.0.1:40123/v1'
"""

from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from runtime.llama_server import EngineError, LlamaServer, split_cores
from runtime.pool import EndpointEngine, LlamaCppEngine, Pool


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str
    dialect: str
    slots: int


class Supervisor:
    """Owns the engine processes of one pool for the length of a ``with`` block."""

    def __init__(self, pool: Pool, log_dir: Path, ready_timeout: float = 180.0, source: str = "pool"):
        self.pool, self.log_dir, self.ready_timeout, self.source = pool, log_dir, ready_timeout, source
        self.api_key = secrets.token_urlsafe(24)  # per run; never stored or logged
        self.servers: dict[str, LlamaServer] = {}
        self.endpoints: dict[str, Endpoint] = {}

    def __enter__(self) -> Supervisor:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        for name, spec in self.pool.engines.items():  # remote endpoints first: a bad one fails before any start
            if isinstance(spec, EndpointEngine):
                key = os.environ.get(spec.api_key_env, "") if spec.api_key_env else "none"
                check_endpoint(name, spec.base_url, key, source=self.source)
                self.endpoints[name] = Endpoint(spec.base_url.rstrip("/"), key or "none", spec.dialect, spec.slots)
        local = {n: s for n, s in self.pool.engines.items() if isinstance(s, LlamaCppEngine)}
        for (name, spec), cpus in zip(local.items(), split_cores(len(local)), strict=True):
            self.servers[name] = LlamaServer(name, spec, self.log_dir / f"engine-{name}.log", self.api_key, cpus=cpus)
        for server in self.servers.values():
            server.start()
        with ThreadPoolExecutor(max(1, len(self.servers))) as ex:
            list(ex.map(lambda s: s.wait_ready(self.ready_timeout), self.servers.values()))
        for name, server in self.servers.items():
            self.endpoints[name] = Endpoint(server.base_url, self.api_key, server.spec.dialect, server.spec.slots)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


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
