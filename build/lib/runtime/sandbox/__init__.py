"""A sandbox for model-written Python: run it, get a typed outcome, harm nothing.

gra's reviewers write small programs (a computation that checks a math answer, tests for a
code answer) and gra runs them, together with code the generator wrote. None of it is trusted,
so it runs here: CPython compiled to WebAssembly (Pyodide) inside Deno, with no permission but
reading Pyodide's own files — no network, no host file, no environment, no subprocess, no FFI.

    >>> from runtime.sandbox import Sandbox, ExecStatus
    >>> with Sandbox(timeout_s=10.0, output_chars=20_000) as sb:     # doctest: +SKIP
    ...     ex = sb.run("print(6*7)")
    >>> ex.status is ExecStatus.OK, ex.stdout                          # doctest: +SKIP
    (True, '42\\n')

Every program gets a fresh interpreter in a fresh process (nothing leaks between programs);
a time limit, an output cap and a memory cap end the ones that overrun, with a status that
says which. Only the standard library is there. Why this design and what it costs, measured:
bench/sandbox.py and bench/results/sandbox.json.

One concept per module: :mod:`~runtime.sandbox.execution` (outcomes), :mod:`~runtime.sandbox.deno`
(command lines and permissions), :mod:`~runtime.sandbox.snapshot` (the one-off Pyodide
snapshot), :mod:`~runtime.sandbox.placement` (priority and cores), :mod:`~runtime.sandbox.process`
(one runner process), :mod:`~runtime.sandbox.sandbox` (the :class:`Sandbox`), and runner.js
(the Deno side).
"""

from runtime.sandbox.execution import ExecStatus, Execution, Unavailable
from runtime.sandbox.sandbox import Sandbox

__all__ = ["ExecStatus", "Execution", "Sandbox", "Unavailable"]
