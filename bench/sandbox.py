"""Sandbox benchmark: which way of running model-written Python should gra ship?

    python bench/sandbox.py            # ~3 minutes; writes bench/results/sandbox.json

Three candidates, measured on this machine:

* ``dspy``: DSPy's own ``dspy.PythonInterpreter`` (Deno + Pyodide), as DSPy ships it;
* ``pyodide``: ``runtime.sandbox`` (Deno + Pyodide, one process per program, restored from a
  memory snapshot, no Deno permission but reading Pyodide's files);
* ``subprocess``: the fallback the issue names: ``python3 -I`` in a fresh temporary folder,
  with rlimits (CPU seconds, address space, processes, file size), a scrubbed environment and,
  for "no network", a new network namespace (``unshare --net --map-root-user``).

For each: the start-up cost, the cost per program once warm (20 tiny programs back to back,
and 10 with a pause between them, as a caller that does other work sees it), CPU seconds per
program, and isolation: the same escape probes for each (a connection to a port on this
machine, reading and writing host files, reading the host's environment, a process, a
command, libc through ctypes, an endless loop, 4 GB, 100 MB of output), each judged by what
the host sees afterwards. The machine's load average is recorded: other work shares it.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runtime.sandbox import Sandbox  # noqa: E402
from runtime.sandbox import deno as deno_tools  # noqa: E402
from runtime.sandbox.process import Runner  # noqa: E402
from runtime.sandbox.snapshot import ensure_snapshot  # noqa: E402

OUT = ROOT / "bench" / "results" / "sandbox.json"
TINY = "print(sum(i * i for i in range(100)))"
SECRET = "gra-bench-secret-4711"


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_runs(run, n: int, pause_s: float = 0.0) -> dict:
    """Seconds each of ``n`` tiny programs took, as the caller saw it, and CPU seconds per program."""
    seconds, cpu = [], cpu_children()
    for _ in range(n):
        time.sleep(pause_s)
        start = time.monotonic()
        status = run(TINY)
        seconds.append(time.monotonic() - start)
        assert status == "ok", status
    return {
        "programs": n,
        "pause_s": pause_s,
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
        "cpu_s_per_program": round((cpu_children() - cpu) / n, 3),
    }


# --- the escape probes: a program, and what the host must see afterwards ---------------------


class Host:
    """What the probes touch on the host: a listening port, a secret file, a file to overwrite, markers."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.secret = folder / "secret.txt"
        self.secret.write_text(SECRET)
        self.keep = folder / "keep.txt"
        self.keep.write_text("original")
        self.arrived: list = []
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.listening = True
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while self.listening:
            try:
                self.arrived.append(self.server.accept())
            except TimeoutError:
                pass

    def marker(self, name: str) -> Path:
        return self.folder / f"marker-{name}"

    def close(self) -> None:
        self.listening = False
        self.thread.join()
        self.server.close()


def probes(host: Host) -> dict:
    """probe -> (program, contained(status, output) -> bool)."""
    m = host.marker
    return {
        "network": (
            f"import socket\nsocket.create_connection(('127.0.0.1', {host.port}), timeout=1).sendall(b'x')",
            lambda st, out: not host.arrived,
        ),
        "read_host_file": (f"print(open({str(host.secret)!r}).read())", lambda st, out: SECRET not in out),
        "read_etc_passwd": ("print(open('/etc/passwd').read())", lambda st, out: "root:" not in out),
        "write_host_file": (
            f"open({str(host.keep)!r}, 'w').write('changed')\nopen({str(m('write'))!r}, 'w').write('x')",
            lambda st, out: host.keep.read_text() == "original" and not m("write").exists(),
        ),
        "host_environment": ("import os\nprint(os.environ)", lambda st, out: SECRET not in out),
        "process": (
            f"import os\nif os.fork() == 0:\n    open({str(m('fork'))!r}, 'w').write('x')\n    os._exit(0)",
            lambda st, out: not m("fork").exists(),
        ),
        "command": (f"import os\nos.system('touch {m('system')}')", lambda st, out: not m("system").exists()),
        "ctypes_libc": (
            f"import ctypes\nctypes.CDLL('libc.so.6').system(b'touch {m('ctypes')}')",
            lambda st, out: not m("ctypes").exists(),
        ),
        "endless_loop": ("while True:\n    pass", lambda st, out: st == "timeout"),
        "memory_4gb": ("x = [0] * (500 * 10**6)", lambda st, out: st in ("memory", "error")),
        "output_100mb": ("print('x' * 100_000_000)", lambda st, out: len(out) < 100_000),
    }


def isolation(run) -> dict:
    """Each probe's status and whether the host shows nothing of it."""
    folder = Path(tempfile.mkdtemp(prefix="gra-bench-sandbox-"))
    os.environ["GRA_BENCH_SECRET"] = SECRET
    host = Host(folder)
    results = {}
    try:
        for name, (program, contained) in probes(host).items():
            status, out = run(program, with_output=True)
            time.sleep(0.2)  # a connection or a file on its way
            results[name] = {"status": status, "contained": bool(contained(status, out))}
    finally:
        host.close()
        os.environ.pop("GRA_BENCH_SECRET")
        shutil.rmtree(folder, ignore_errors=True)
    return results


# --- the candidates ------------------------------------------------------------------------


def pyodide_candidate() -> dict:
    """runtime.sandbox: start-up (snapshot, first program), warm cost, threads, memory, isolation."""
    deno, root = deno_tools.find_deno(), deno_tools.deno_dir()
    ensure_snapshot(deno, root)  # Pyodide fetched (make install does it): what is timed below is a re-make
    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.monotonic(), cpu_children()
        subprocess.run(
            deno_tools.snapshot_command(deno, root, Path(folder) / "s"),
            env=deno_tools.environment(root),
            cwd=root,
            capture_output=True,
            check=True,
        )
        snapshot = {"wall_s": round(time.monotonic() - start, 2), "cpu_s": round(cpu_children() - cpu, 2)}
    with Sandbox(keep_spare=False) as cold:
        start = time.monotonic()
        assert cold.run(TINY).ok
        first = round(time.monotonic() - start, 2)
    with Sandbox() as sb:

        def run(code: str, with_output: bool = False):
            ex = sb.run(code)
            return (str(ex.status), ex.stdout + ex.stderr) if with_output else str(ex.status)

        return {
            "start": {"snapshot_once_per_machine": snapshot, "first_program_s": first},
            "back_to_back": timed_runs(run, 20),
            "paced": timed_runs(run, 10, pause_s=1.5),
            "runner": runner_footprint(),
            "v8_threads": v8_thread_choice(),
            "isolation": isolation(run),
            "next_program_after_the_probes": run(TINY),
        }


def launch(extra_v8: str = "") -> tuple[Runner, float]:
    """A runner started by hand (optionally with more V8 flags), and the seconds it took to be ready."""
    deno, root = deno_tools.find_deno(), deno_tools.deno_dir()
    command = deno_tools.serve_command(deno, root, ensure_snapshot(deno, root), 1024)
    if extra_v8:
        command = [f"{part},{extra_v8}" if part.startswith("--v8-flags=") else part for part in command]
    start = time.monotonic()
    runner = Runner(command, deno_tools.environment(root), cwd=root, max_line=1 << 20)
    runner.wait_ready(120)
    return runner, time.monotonic() - start


def proc_status(pid: int, field: str) -> int:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1])


def runner_footprint() -> dict:
    """A ready runner's threads and resident memory."""
    runner, ready = launch()
    try:
        return {
            "threads": proc_status(runner.proc.pid, "Threads"),
            "rss_mb": round(proc_status(runner.proc.pid, "VmRSS") / 1024),
            "ready_s": round(ready, 2),
        }
    finally:
        runner.kill()


def v8_thread_choice(n: int = 5) -> dict:
    """Ready time and threads of a runner with V8's defaults and with --single-threaded."""
    result = {}
    for name, flag in (("default", ""), ("single_threaded", "--single-threaded")):
        times, threads = [], []
        for _ in range(n):
            runner, ready = launch(flag)
            times.append(ready)
            threads.append(proc_status(runner.proc.pid, "Threads"))
            runner.kill()
        result[name] = {"ready_median_s": round(statistics.median(times), 2), "threads": max(threads)}
    return result


def dspy_candidate() -> dict:
    """dspy.PythonInterpreter as shipped: does it start here, and what does its design give?"""
    import inspect

    import dspy

    os.environ["DENO_DIR"] = str(deno_tools.deno_dir())  # the Pyodide gra fetched: the same 0.29.4
    os.environ["NO_COLOR"] = "1"
    interpreter, outcome = dspy.PythonInterpreter(), {}

    def first() -> None:
        try:
            outcome["stdout"] = interpreter.execute(TINY)
        except Exception as e:  # noqa: BLE001 - recorded, not handled
            outcome["error"] = " ".join(str(e).split())

    start = time.monotonic()
    thread = threading.Thread(target=first, daemon=True)
    thread.start()
    thread.join(180)
    if thread.is_alive() and interpreter.deno_process is not None:
        interpreter.deno_process.kill()
        outcome["error"] = "no answer after 180 s"
    seconds = time.monotonic() - start
    if "error" in outcome:  # what its Deno says, read directly (the interpreter may report only "no response")
        said = subprocess.run(interpreter.deno_command, input="", capture_output=True, text=True, timeout=120)
        outcome["error"] += " " + " ".join(said.stderr.split())
    os.environ.pop("DENO_DIR")
    os.environ.pop("NO_COLOR")
    error = re.sub(r"\x1b\[[0-9;]*m", "", outcome.get("error", ""))
    cause = error.find("error:")
    return {
        "starts_here": "stdout" in outcome,
        "first_program_or_failure_s": round(seconds, 2),
        "why_not": error[cause : cause + 160] if cause >= 0 else error[:160],
        "imports_from_deno_land": "deno.land"
        in (Path(inspect.getfile(dspy.PythonInterpreter)).parent / "runner.js").read_text(),
        "state_persists_between_programs": "State persists" in dspy.PythonInterpreter.execution_instructions,
        "has_a_time_limit": "timeout" in inspect.signature(dspy.PythonInterpreter).parameters,
        "has_an_output_cap": False,  # stdout is gathered whole in a StringIO and sent back in one line
        "usable_from_several_threads": False,  # execute() raises from any thread but the first
    }


def subprocess_candidate() -> dict:
    """The fallback: python3 -I in a temporary folder, rlimits, scrubbed environment, own network namespace."""
    network = ["unshare", "--net", "--map-root-user"]
    has_netns = shutil.which("unshare") is not None and subprocess.run([*network, "true"]).returncode == 0

    def run(code: str, with_output: bool = False):
        status, output = subprocess_run(code, network if has_netns else [])
        return (status, output) if with_output else status

    start = time.monotonic()
    first = run(TINY)
    return {
        "start": {"first_program_s": round(time.monotonic() - start, 2), "status": first},
        "network_namespace": has_netns,
        "back_to_back": timed_runs(run, 20),
        "paced": timed_runs(run, 10, pause_s=1.5),
        "isolation": isolation(run),
        "next_program_after_the_probes": run(TINY),
    }


def subprocess_run(
    code: str, prefix: list[str], timeout_s: float = 10.0, output_chars: int = 20_000, memory_mb: int = 1024
) -> tuple[str, str]:
    """One program in a fresh folder under rlimits; its status and its (capped) output."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (int(timeout_s), int(timeout_s) + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_NPROC, (16, 16))  # not enforced for root
        resource.setrlimit(resource.RLIMIT_FSIZE, (output_chars * 4, output_chars * 4))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    with tempfile.TemporaryDirectory(prefix="gra-fallback-") as folder:
        Path(folder, "prog.py").write_text(code)
        with open(Path(folder, "out"), "w") as out:
            try:
                done = subprocess.run(
                    [*prefix, sys.executable, "-I", "prog.py"],
                    cwd=folder,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env={"PATH": "/usr/bin:/bin"},
                    preexec_fn=limits,
                    timeout=timeout_s,
                    start_new_session=True,
                )
                code = done.returncode
            except subprocess.TimeoutExpired:
                code = "timeout"
        full = Path(folder, "out").stat().st_size >= output_chars * 4
        output = Path(folder, "out").read_text(errors="replace")[:output_chars]
    if code == "timeout" or code == -24:  # SIGXCPU
        return "timeout", output
    if code == -25 or full:  # past the file-size cap (Python ignores SIGXFSZ: its write fails instead)
        return "output_limit", output
    if code == 0:
        return "ok", output
    return ("memory" if "MemoryError" in output else "error"), output


def main() -> None:
    results = {
        "machine": {"cores": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "needs": {
            "pyodide": "the deno wheel from PyPI (pinned, 96 MB binary), Pyodide 0.29.4 from npm once "
            "(~13 MB download, ~40 MB in ~/.cache/gra/deno with the 21 MB snapshot); no root, no namespaces",
            "dspy": "as pyodide, plus deno.land reachable at first start (runner.js imports deno.land/std)",
            "subprocess": "only python3; 'no network' needs unshare and user namespaces (often off); "
            "isolation of files needs a separate user or a container, which a user's machine may not give",
        },
        "candidates": {
            "dspy": dspy_candidate(),
            "pyodide": pyodide_candidate(),
            "subprocess": subprocess_candidate(),
        },
    }
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    for candidate in results["candidates"].values():
        if "isolation" in candidate:
            probes_run = candidate["isolation"]
            candidate["contained"] = f"{sum(p['contained'] for p in probes_run.values())} of {len(probes_run)}"
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
