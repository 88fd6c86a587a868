"""The life of one local inference server process, whatever the engine.

A subclass says how to launch its engine (:meth:`ServerProcess.command`, :meth:`env`),
where it reports health (``health_path``) and how it takes the API key (``key_file_*``);
this class starts it on 127.0.0.1, waits until it is healthy, tells whether it is alive,
restarts it on the same port with the same key, and stops it with everything it spawned.

Three rules hold for every engine:

* the per-run API key never appears in a command line: it goes through a 0600 file that
  is removed once the server is up (and written again for a restart);
* the key never reaches a log: the server's output is copied into its log with the key
  replaced by ``<api-key>`` (SGLang, for one, prints its full settings at start);
* no orphans: each server leads its own process group, which :meth:`stop` ends as a
  whole, and gets SIGKILL if the coordinator dies, even by SIGKILL (PR_SET_PDEATHSIG).
  SIGKILL, not SIGTERM: llama-server's SIGTERM handler can deadlock (seen here: an idle
  server, both threads parked on a futex, SIGTERM blocked inside its own handler), and a
  coordinator that is gone cannot follow up with SIGKILL as :meth:`stop` does. SGLang's
  worker processes arm the same signal against their launcher, so its tree goes too.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx

from runtime.engines.parent_death import die_with_parent
from runtime.engines.proc_stats import peak_rss_mb
from runtime.errors import GraError

KEY_FILE_PLACEHOLDER = "<per-run key file>"
REDACTED = "<api-key>"


class EngineError(GraError, RuntimeError):
    """An engine that could not be found, started or reached."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child_setup(cpus: frozenset[int] | None):
    parent = os.getpid()

    def setup() -> None:  # runs in the child before exec
        if not die_with_parent(parent, signal.SIGKILL):  # no orphans, even when the coordinator is SIGKILLed
            os._exit(1)
        if cpus:
            os.sched_setaffinity(0, cpus)

    return setup


def _copy_redacted(stream: IO[bytes], log: IO[bytes], secret: bytes) -> None:
    """Copy a server's output into its log line by line, with ``secret`` blanked out."""
    with stream, log:
        for line in iter(stream.readline, b""):
            log.write(line.replace(secret, REDACTED.encode()))
            log.flush()


class ServerProcess:
    """One engine server on ``127.0.0.1:port``; subclasses say how to launch it."""

    health_path = "/health"
    key_file_suffix = ""
    poll_s = 0.25

    def __init__(
        self, name: str, log_path: Path, api_key: str, port: int | None = None, cpus: frozenset[int] | None = None
    ):
        self.name, self.log_path, self.api_key, self.cpus = name, log_path, api_key, cpus
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self._key_file: str | None = None
        self._pump: threading.Thread | None = None

    # --- what a subclass provides -------------------------------------------------------

    def command(self, key_file: str = KEY_FILE_PLACEHOLDER) -> list[str]:
        """The argv that starts the server, reading its API key from ``key_file``."""
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        """Environment variables set on top of ours (e.g. ``CUDA_VISIBLE_DEVICES``)."""
        return {}

    def key_file_text(self) -> str:
        """What the key file holds; by default the bare key."""
        return self.api_key + "\n"

    # --- what every server gets --------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def plan(self) -> str:
        """One shell line: the environment it adds and the command, with no key in it."""
        assignments = [f"{k}={shlex.quote(v)}" for k, v in self.env().items()]
        return " ".join([*assignments, shlex.join(self.command())])

    def start(self) -> None:
        fd, self._key_file = tempfile.mkstemp(prefix="gra-key-", suffix=self.key_file_suffix)  # mode 0600
        with os.fdopen(fd, "w") as f:
            f.write(self.key_file_text())
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            self.command(self._key_file),
            env={**os.environ, **self.env()},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends what it spawned too
            preexec_fn=_child_setup(self.cpus),
        )
        log = open(self.log_path, "ab")
        self._pump = threading.Thread(
            target=_copy_redacted, args=(self.proc.stdout, log, self.api_key.encode()), daemon=True
        )
        self._pump.start()

    def is_healthy(self) -> bool:
        try:
            r = httpx.get(
                f"http://127.0.0.1:{self.port}{self.health_path}",
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=30.0,
            )
        except httpx.HTTPError:
            return False
        return r.status_code == 200

    def wait_ready(self, timeout: float = 180.0, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Return once ``health_path`` answers 200; raise :class:`EngineError` if the server exits or
        ``timeout`` seconds pass. ``cancelled()`` returning true ends the wait early (and raises)."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and not cancelled():
                if not self.alive():
                    raise EngineError(f"engine {self.name!r} exited during start; see {self.log_path}")
                if self.is_healthy():
                    return
                time.sleep(self.poll_s)
            why = "start was cancelled" if cancelled() else f"not healthy after {timeout:.0f}s"
            raise EngineError(f"engine {self.name!r} {why}; see {self.log_path}")
        finally:
            self._drop_key_file()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident memory so far, or None when it is not running."""
        return peak_rss_mb(self.proc.pid) if self.alive() else None

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the server's process group, SIGKILL what is left after ``grace`` seconds."""
        self._drop_key_file()
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)  # the leader and any child it left behind
        self.proc.wait()
        if self._pump is not None:
            self._pump.join(timeout=5)

    def log(self, message: str) -> None:
        """Append one line of the supervisor's own to this server's log."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(f"[gra {time.strftime('%H:%M:%S')}] {message}\n")

    def _signal_group(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _drop_key_file(self) -> None:
        if self._key_file:
            Path(self._key_file).unlink(missing_ok=True)
            self._key_file = None
