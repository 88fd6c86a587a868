"""Programs that try to get out of the sandbox: each ends contained, with a typed status, and harms nothing.

Each test runs the program a careless or hostile model might write, then checks two things:
the status says what happened, and the host shows no trace of it (nothing arrived at the
port, the file is unchanged, no process was made, memory stayed bounded). The last tests go
one step further than plain Python: they reach JavaScript from inside Pyodide and meet Deno's
permissions there.

Pyodide is fetched from npm on first use (``make install`` does it): if it cannot be, these
tests fail, loudly, with the reason in ``detail``.
"""

import resource
import socket
import threading
from pathlib import Path

import pytest

from runtime.sandbox import ExecStatus, Sandbox
from tests.unit.sandbox.conftest import child_pids, peak_runner_rss, runner_pids


def test_a_network_connection_reaches_nothing(sandbox):
    arrived = []
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(("127.0.0.1", 0))
        port = tcp.getsockname()[1]
        udp.bind(("127.0.0.1", port))
        tcp.listen()
        for s in (tcp, udp):
            s.settimeout(0.1)

        def listen() -> None:  # for the program's run and a little after
            for _ in range(40):
                for receive in (tcp.accept, lambda: udp.recvfrom(100)):
                    try:
                        arrived.append(receive())
                    except TimeoutError:
                        pass

        listener = threading.Thread(target=listen)
        listener.start()
        ex = sandbox.run(f"""
import socket
def attempt(name, how):
    try:
        how()
    except OSError as e:
        print(name, e)
attempt("tcp", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=0.5).sendall(b"hello"))
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hello", ("127.0.0.1", {port})))
socket.socket().connect(("127.0.0.1", {port}))
""")
        listener.join()

    assert ex.status is ExecStatus.ERROR and ex.detail == "OSError: [Errno 23] Host is unreachable"
    assert ex.stdout == "tcp [Errno 23] Host is unreachable\nudp [Errno 23] Host is unreachable\n"
    assert arrived == []  # nothing, from any attempt, reached the port


def test_a_file_outside_cannot_be_read(sandbox, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the-host-secret-1234")
    home = Path.home()
    ex = sandbox.run(f"""
for path in [{str(secret)!r}, "/etc/passwd", {str(home / ".bashrc")!r}]:
    try:
        print(open(path).read())
    except OSError as e:
        print(type(e).__name__, path)
import os
print(os.listdir({str(home)!r}))
""")
    assert ex.status is ExecStatus.ERROR and ex.detail.startswith("FileNotFoundError")
    assert ex.stdout.count("FileNotFoundError") == 3
    assert "the-host-secret-1234" not in ex.stdout + ex.stderr
    assert "root:" not in ex.stdout + ex.stderr


def test_a_file_outside_cannot_be_written(sandbox, tmp_path):
    existing = tmp_path / "keep.txt"
    existing.write_text("original")
    new = tmp_path / "made-by-the-program.txt"
    ex = sandbox.run(f"""
import os
os.makedirs({str(tmp_path)!r}, exist_ok=True)
open({str(existing)!r}, "w").write("overwritten")
open({str(new)!r}, "w").write("planted")
print(open({str(existing)!r}).read())
""")
    assert ex.status is ExecStatus.OK and ex.stdout == "overwritten\n"  # it wrote: to its own memory only
    assert existing.read_text() == "original"
    assert not new.exists()


def test_a_fork_bomb_makes_no_process(sandbox):
    before = set(child_pids())  # other tests of this process may have left helpers running (an embedder, say)
    ex = sandbox.run("import os\nwhile True:\n    os.fork()")
    assert ex.status is ExecStatus.ERROR
    assert ex.detail == "OSError: [Errno 52] Function not implemented"
    new = set(child_pids()) - before
    assert len(new) == 1 and new <= set(runner_pids())  # only the spare for the next program


def test_an_infinite_loop_times_out_and_the_next_program_runs(sandbox):
    ex = sandbox.run("while True:\n    pass")
    assert ex.status is ExecStatus.TIMEOUT
    assert ex.detail == "still running after 5 s: stopped"
    assert sandbox.run("print('next')").stdout == "next\n"


def test_four_gigabytes_at_once_end_in_memory(sandbox):
    ex = sandbox.run("x = [0] * (500 * 10**6)  # 500 million pointers: 4 GB")
    assert ex.status is ExecStatus.MEMORY and ex.detail == "MemoryError"


def test_a_four_gigabyte_bytearray_is_refused(sandbox):
    ex = sandbox.run("x = bytearray(4 * 1024**3)")
    assert ex.status is ExecStatus.ERROR  # a 32-bit interpreter cannot even ask for it
    assert ex.detail == "OverflowError: cannot fit 'int' into an index-sized integer"


def test_memory_taken_bit_by_bit_stops_at_the_cap_and_the_host_stays_fine():
    with Sandbox(timeout_s=30.0, memory_mb=256) as small, peak_runner_rss() as peak:
        ex = small.run("chunks = [bytearray(16 * 2**20) for _ in range(256)]  # 4 GB, 16 MB at a time")
    assert ex.status is ExecStatus.MEMORY and ex.detail == "MemoryError"
    assert peak[0] < 256 + 400  # MB: the cap on Python's memory, plus Deno itself


def test_printing_100_megabytes_is_cut_and_the_host_stays_fine(sandbox):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with peak_runner_rss() as peak:
        ex = sandbox.run("print('x' * 100_000_000)")
    assert ex.status is ExecStatus.OUTPUT_LIMIT
    assert ex.stdout == "x" * 2_000 + "\n[... cut: more than 2000 characters]"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: this process
    assert peak[0] < 1800


def test_printing_forever_ends_at_the_cap(sandbox):
    ex = sandbox.run("while True:\n    print('y' * 1000)")
    assert ex.status is ExecStatus.OUTPUT_LIMIT
    assert ex.stderr.endswith("OSError: [Errno 29] I/O error\n")  # the write past the cap failed


@pytest.mark.parametrize(
    "program",
    [
        "import os\nos.system('touch {marker}')",
        "import subprocess\nsubprocess.run(['touch', '{marker}'])",
        "import os\nos.execv('/usr/bin/touch', ['touch', '{marker}'])",
    ],
    ids=["os.system", "subprocess", "os.execv"],
)
def test_no_command_runs(sandbox, tmp_path, program):
    marker = tmp_path / "ran"
    ex = sandbox.run(program.format(marker=marker))
    assert ex.status is ExecStatus.ERROR
    assert not marker.exists()


def test_ctypes_cannot_call_the_host_libc(sandbox, tmp_path):
    marker = tmp_path / "ran"
    ex = sandbox.run(f"""
import ctypes
try:
    ctypes.CDLL("libc.so.6")
except OSError as e:
    print("no libc:", e)
ctypes.CDLL(None).system(b"touch {marker}")  # the interpreter's own C library, inside WebAssembly
""")
    assert "no libc: Could not load dynamic lib: libc.so.6" in ex.stdout
    assert ex.status is ExecStatus.ERROR and ex.detail.startswith("PermissionError: the sandbox refused it")
    assert not marker.exists()


REACH_JS = "import pyodide_js\njs = pyodide_js.constructor.constructor  # JavaScript's Function\n"


@pytest.mark.parametrize(
    ("javascript", "refused"),
    [
        ('return Deno.readTextFileSync("/etc/passwd")', 'Requires read access to "/etc/passwd"'),
        ('return Deno.writeTextFileSync("{marker}", "x")', "Requires write access"),
        ('return new Deno.Command("/usr/bin/touch", {{args: ["{marker}"]}}).outputSync()', "Requires run access"),
        ("return Deno.env.toObject()", "Requires env access"),
        ("return Deno.listen({{port: 0}})", "Requires net access"),
        ('return Deno.dlopen("libc.so.6", {{}})', "Requires ffi access"),
        ("return Deno.hostname()", "Requires sys access"),
    ],
    ids=["read", "write", "run", "env", "net", "ffi", "sys"],
)
def test_code_that_reaches_javascript_meets_denos_permissions(sandbox, tmp_path, javascript, refused):
    marker = tmp_path / "ran"
    ex = sandbox.run(REACH_JS + f"js('{javascript.format(marker=marker)}')()")
    assert ex.status is ExecStatus.ERROR
    assert refused in ex.detail and "NotCapable" in ex.detail
    assert not marker.exists()


def test_a_forged_reply_is_ignored(sandbox):
    ex = sandbox.run(
        REACH_JS
        + """
forged = '{"token": "a guess", "status": "ok", "stdout": "", "stderr": "", "detail": ""}\\n'
js("line", "Deno.stdout.writeSync(new TextEncoder().encode(line))")(forged)  # onto the host's channel
raise ValueError("the real outcome")
"""
    )
    assert ex.status is ExecStatus.ERROR and ex.detail == "ValueError: the real outcome"


def test_a_runner_that_exits_under_its_program_is_a_crash(sandbox):
    ex = sandbox.run(REACH_JS + "js('Deno.exit(0)')()")
    assert ex.status is ExecStatus.CRASH
    assert sandbox.run("print('next')").ok


def test_no_runner_outlives_its_sandbox():
    before = set(runner_pids())
    with Sandbox(timeout_s=3.0) as sb:
        assert sb.run("print(1)").ok
        assert len(set(runner_pids()) - before) == 1  # the spare, ready for the next program
    assert set(runner_pids()) - before == set()
