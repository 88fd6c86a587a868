"""The test harness a coding response (or a verifier's reference solution) runs in, inside the sandbox.

:func:`harness` wraps untrusted code in a small trusted program: it loads the code in a
namespace of its own (so an ``if __name__ == "__main__"`` block does not run), evaluates the
task's stated examples and every test call, and prints one report line after whatever the
code itself printed. Each result is written in a canonical form (floats to 9 significant
digits, sets sorted), so two runs' results compare as strings. :func:`read_report` reads
that line back; a run that never printed it (a timeout, a crash of the sandbox) has none.

The harness is the only thing gra adds to the program; the sandbox is what contains it.
"""

from __future__ import annotations

import json
from typing import Any

MARK = "@@gra-report@@"

_TEMPLATE = r"""
import json as _json

def _canon(x, depth=0):
    if depth > 20:
        return "..."
    if isinstance(x, bool) or x is None or isinstance(x, (int, str, bytes)):
        return x
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, complex):
        return complex(_canon(x.real), _canon(x.imag))
    if isinstance(x, (list, tuple)):
        return type(x)(_canon(v, depth + 1) for v in x)
    if isinstance(x, (set, frozenset)):
        return sorted((_canon(v, depth + 1) for v in x), key=repr)
    if isinstance(x, dict):
        return {k: _canon(v, depth + 1) for k, v in sorted(x.items(), key=lambda kv: repr(kv[0]))}
    return x

def _show(x):
    text = repr(_canon(x))
    return text if len(text) <= 300 else text[:300] + "..."

def _run(ns, call):
    try:
        return "value: " + _show(eval(call, ns))
    except BaseException as exc:
        return "raised: " + type(exc).__name__

_report = {"loaded": False, "error": None, "stated": [], "calls": {}}
_ns = {"__name__": "__gra_solution__"}
try:
    exec(compile(_CODE, "<solution>", "exec"), _ns)
    _report["loaded"] = True
except BaseException as _exc:
    _report["error"] = type(_exc).__name__ + ": " + str(_exc)[:200]
if _report["loaded"]:
    for _call, _want in _STATED:
        _got = _run(_ns, _call)
        try:
            _ok = _got == "value: " + _show(eval(_want, {}))
        except BaseException:
            _ok = _got == "value: " + _want
        _report["stated"].append({"call": _call, "want": _want, "got": _got, "ok": _ok})
    for _call in _CALLS:
        _report["calls"][_call] = _run(_ns, _call)
print()
print(_MARK + _json.dumps(_report))
"""


def harness(code: str, calls: list[str], stated: list[tuple[str, str]]) -> str:
    """The program that loads ``code``, checks the ``stated`` (call, expected) examples and evaluates ``calls``."""
    constants = (
        f"_CODE = {json.dumps(code)}\n_CALLS = {json.dumps(calls)}\n"
        f"_STATED = {json.dumps(stated)}\n_MARK = {json.dumps(MARK)}\n"
    )
    return constants + _TEMPLATE


def read_report(stdout: str | None) -> dict[str, Any] | None:
    """The harness's report from a run's standard output, or None when the run never printed it."""
    for line in reversed((stdout or "").splitlines()):
        if line.startswith(MARK):
            try:
                return json.loads(line[len(MARK) :])
            except ValueError:
                return None
    return None
