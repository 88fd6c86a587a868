"""One runner process: started ahead of its program, runs exactly one, then is gone.

The host side of runner.js's protocol. A runner says ``{"ready": true}`` once Pyodide is
restored; then it gets one request line and answers one reply line. Everything it prints is
read by a thread into a queue, so that the host can wait with a deadline: a program stuck in a
loop is killed when its time is up, and a process that dies is noticed at once.

Lines that are not the reply are dropped: anything without the program's token (a program
that reached JavaScript could print to this process's stdout, but it cannot know the token),
and any line longer than a reply can be, whose cut pieces are skipped up to the next newline.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import subprocess
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

from runtime.sandbox.execution import Unavailable
from runtime.sandbox.placement import child_setup

#: The one thread that forks every runner. Linux ties PR_SET_PDEATHSIG to the *thread* that forked
#: the child, so a runner forked by a short-lived thread (asyncio.to_thread's, say) would be killed
#: when that thread ends; this thread lives as long as the process.
LAUNCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gra-sandbox-launcher")
#: Seconds a killed runner gets to be reaped.
REAP_S = 5.0
EOF = None


class Runner:
    """A Deno runner for one program (see runner.js)."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, max_line: int):
        self.proc = LAUNCHER.submit(
            subprocess.Popen,
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            preexec_fn=child_setup(os.getpid()),
        ).result()
        self.messages: queue.Queue[dict | None] = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=20)
        threading.Thread(target=self._read_messages, args=(self.proc.stdout, max_line), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(self.proc.stderr,), daemon=True).start()

    def _read_messages(self, stream: IO[bytes], max_line: int) -> None:
        with stream:
            skipping = False
            for line in iter(lambda: stream.readline(max_line), b""):
                whole = line.endswith(b"\n")
                if not skipping and whole:
                    self.messages.put(parsed(line))
                skipping = not whole
        self.messages.put(EOF)

    def _read_stderr(self, stream: IO[bytes]) -> None:
        with stream:
            for line in iter(lambda: stream.readline(4096), b""):
                self.stderr_tail.append(line.decode(errors="replace").strip())

    def next_message(self, deadline: float) -> dict | None:
        """The next message before ``deadline`` (time.monotonic), ``EOF`` when the process closed its
        stdout; raises ``queue.Empty`` when the deadline passes first."""
        while True:
            message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.0))
            if message != {}:  # {} is a line that was not a message
                return message

    def wait_ready(self, timeout_s: float) -> None:
        """Wait for ``{"ready": true}``; raise :class:`Unavailable` with the reason if it does not come."""
        try:
            message = self.next_message(time.monotonic() + timeout_s)
        except queue.Empty:
            self.kill()
            raise Unavailable(f"the sandbox's runner was not ready after {timeout_s:g} s") from None
        if message is EOF:
            self.kill()
            raise Unavailable(f"the sandbox's runner exited at start: {self.last_words()}")
        if not message.get("ready"):
            self.kill()
            raise Unavailable(str(message.get("detail") or message)[:300])

    def run(self, code: str, output_chars: int, timeout_s: float) -> dict | None:
        """Send the program; its reply, ``None`` if it ran out of time, or a ``crash`` reply if the process died."""
        token = secrets.token_hex(16)
        request = json.dumps({"token": token, "code": code, "output_chars": output_chars})
        try:
            self.proc.stdin.write(request.encode() + b"\n")
            self.proc.stdin.close()
        except OSError:  # BrokenPipeError: it died while waiting
            return self.died()
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                message = self.next_message(deadline)
            except queue.Empty:
                return None
            if message is EOF:
                return self.died()
            if message.get("token") == token:
                return message

    def died(self) -> dict:
        """The reply of a runner that ended without one (killed, out of memory, Deno failed)."""
        code = self.proc.wait(timeout=REAP_S)
        words = self.last_words()
        status = "memory" if "out of memory" in words.lower() else "crash"
        return {
            "status": status,
            "detail": f"the sandbox's runner ended (exit {code}): {words}",
            "stdout": "",
            "stderr": "",
            "stdout_cut": False,
            "stderr_cut": False,
        }

    def last_words(self) -> str:
        lines = [line for line in self.stderr_tail if line]
        return lines[-1][:300] if lines else "it said nothing"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """End the process (it may be in a loop that nothing else can stop) and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=REAP_S)
        except subprocess.TimeoutExpired:
            pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass


def parsed(line: bytes) -> dict:
    """A protocol message, or ``{}`` for a line that is not one."""
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}
