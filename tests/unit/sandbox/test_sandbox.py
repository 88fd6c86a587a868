"""What a verifier can count on from the sandbox, program by program.

Programs are plain Python run as ``__main__``; the standard library is there; what they print
comes back; how they end is a status; and each starts from nothing, whatever the one before did.
"""

import asyncio
import os
from pathlib import Path

import pytest

from runtime.sandbox import ExecStatus, Execution, Sandbox
from runtime.sandbox import deno as deno_tools
from tests.unit.sandbox.conftest import runner_pids


def test_what_a_program_prints_comes_back(sandbox):
    ex = sandbox.run("import sys\nprint(6 * 7)\nprint('to stderr', file=sys.stderr)\nprint(__name__)")
    assert ex == Execution(ExecStatus.OK, "42\n__main__\n", "to stderr\n", "", ex.seconds)
    assert 0 < ex.seconds < 30


def test_the_standard_library_is_there(sandbox):
    ex = sandbox.run("""
from fractions import Fraction
from decimal import Decimal
import itertools, math, re, statistics, json, collections, typing
print(Fraction(1, 3) + Fraction(1, 6), Decimal("0.1") + Decimal("0.2"), math.comb(10, 3),
      statistics.median([3, 1, 2]), len(list(itertools.permutations(range(4)))),
      re.findall(r"\\d+", "a1b22"), json.dumps(collections.Counter("aab")))
""")
    assert ex.stdout == "1/2 0.3 120 2 24 ['1', '22'] {\"a\": 2, \"b\": 1}\n"


def test_an_exception_is_an_error_with_its_last_line(sandbox):
    ex = sandbox.run("def check(x):\n    assert x == 3, f'got {x}'\n\ncheck(2)")
    assert ex.status is ExecStatus.ERROR
    assert ex.detail == "AssertionError: got 2"
    assert ex.stderr.startswith('Traceback (most recent call last):\n  File "<program>", line 4, in <module>')


def test_a_syntax_error_is_an_error(sandbox):
    ex = sandbox.run("def f(:\n    pass")
    assert ex.status is ExecStatus.ERROR and ex.detail == "SyntaxError: invalid syntax"


@pytest.mark.parametrize(
    ("program", "status", "detail"),
    [
        ("raise SystemExit", ExecStatus.OK, ""),
        ("import sys; sys.exit(0)", ExecStatus.OK, ""),
        ("import sys; sys.exit(2)", ExecStatus.ERROR, "SystemExit: 2"),
        ("import sys; sys.exit('wrong answer')", ExecStatus.ERROR, "SystemExit: wrong answer"),
    ],
    ids=["bare", "zero", "two", "message"],
)
def test_exit_codes_mean_what_they_mean_to_python(sandbox, program, status, detail):
    ex = sandbox.run(program)
    assert (ex.status, ex.detail) == (status, detail)


def test_nothing_leaks_from_one_program_to_the_next(sandbox):
    first = sandbox.run("""
import math, sys, builtins
math.pi = 3
builtins.print = None
sys.setrecursionlimit(50)
secret = 42
open("/tmp/left-behind", "w").write("x")
""")
    assert first.ok
    ex = sandbox.run("""
import math, os, sys
print(math.pi, "secret" in globals(), os.path.exists("/tmp/left-behind"), sys.getrecursionlimit() > 50)
""")
    assert ex.stdout == "3.141592653589793 False False True\n"


def test_input_finds_no_input(sandbox):
    ex = sandbox.run("input()")
    assert ex.status is ExecStatus.ERROR and ex.detail == "EOFError: EOF when reading a line"


def test_after_a_timeout_the_next_program_runs(sandbox):
    assert sandbox.run("import time\ntime.sleep(60)").status is ExecStatus.TIMEOUT
    assert sandbox.run("print('fresh')").stdout == "fresh\n"


def test_without_deno_every_run_is_unavailable_and_says_why(monkeypatch):
    monkeypatch.setattr(deno_tools, "find_deno", lambda: Path("/nonexistent/deno"))
    with Sandbox() as sb:
        first, second = sb.run("print(1)"), sb.run("print(1)")
    assert first.status is second.status is ExecStatus.UNAVAILABLE
    assert first.detail == (
        "deno not found at /nonexistent/deno: install it with `pip install deno==2.9.8` (make install does)"
    )
    assert first.stdout == ""


def test_a_closed_sandbox_runs_nothing():
    sb = Sandbox()
    sb.close()
    assert sb.run("print(1)").status is ExecStatus.UNAVAILABLE


def test_async_callers_and_threads_take_turns(sandbox):
    async def three():
        return await asyncio.gather(*(sandbox.arun(f"print({i})") for i in range(3)))

    results = asyncio.run(three())
    assert [ex.stdout for ex in results] == ["0\n", "1\n", "2\n"]


def each_thread(change) -> None:
    """Apply ``change(tid)`` to every thread of this process (as runtime.engines.placement.pin does)."""
    for tid in os.listdir("/proc/self/task"):
        try:
            change(int(tid))
        except ProcessLookupError:  # a thread that just ended
            pass


def test_the_runner_runs_at_normal_priority_on_every_core():
    """With every thread of this process on one core under SCHED_IDLE (gra's coordinator follows the
    engines' cores, and may start helpers idle), the runners it starts are on neither."""
    with Sandbox() as sb:
        assert sb.run("print(1)").ok
        everywhere = os.sched_getaffinity(0)
        try:
            each_thread(lambda t: os.sched_setaffinity(t, {0}))
            each_thread(lambda t: os.sched_setscheduler(t, os.SCHED_IDLE, os.sched_param(0)))
            before = set(runner_pids())
            assert sb.run("print(2)").ok  # and the next spare is started
            (pid,) = set(runner_pids()) - before
            cores, policy = os.sched_getaffinity(pid), os.sched_getscheduler(pid)
            nice = os.getpriority(os.PRIO_PROCESS, pid)
        finally:
            each_thread(lambda t: os.sched_setscheduler(t, os.SCHED_OTHER, os.sched_param(0)))
            each_thread(lambda t: os.sched_setaffinity(t, everywhere))
    assert cores >= everywhere  # not core 0 alone
    assert policy == os.SCHED_OTHER
    assert nice == os.getpriority(os.PRIO_PROCESS, 0)
