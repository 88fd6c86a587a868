"""What running the math or the code showed about a response: a verdict and the line its judges read.

A verdict is ``agrees``, ``contradicts`` or ``undecided``. The line says what was run and
what came out, in words a scorer can weigh ("3 of 3 programs printed 62; the response's
final answer is 94."). Nothing here runs code: the verification stage runs the programs in
the sandbox and hands their printed output to :func:`math_evidence`.

>>> math_evidence(["62\\n", "62", "60"], "Volume: 30 cm³, Surface Area: 94 cm²").verdict
'contradicts'
>>> print(math_evidence(["62\\n", "62", "60"], "Volume: 30 cm³, Surface Area: 94 cm²").line)
2 of 3 programs printed 62; the response's final answer is 30, 94.
>>> math_evidence(["15", None, "15"], "25 - 10 = 15\\nAnswer: 15").verdict
'agrees'
>>> math_evidence(["1", "2", None], "Answer: 1").line
'the programs did not agree (printed 1; 2; nothing), so nothing was checked.'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from gra_agents.numbers import final_answer, numbers, same

Verdict = Literal["agrees", "contradicts", "undecided"]
VERDICTS: tuple[str, ...] = Verdict.__args__
#: How many printed numbers of one program count as its answer (more is a table, not an answer).
MAX_VALUES = 4


@dataclass(frozen=True)
class Evidence:
    """A verdict and the one line that says why, for the scorers' prompts and the run's records."""

    verdict: Verdict
    line: str


def shown(values: Sequence[Fraction]) -> str:
    """Numbers as a person writes them: integers plain, others as decimals (or a fraction when shorter)."""

    def one(v: Fraction) -> str:
        if v.denominator == 1:
            return str(v.numerator)
        decimal = f"{float(v):.6g}"
        return decimal if len(decimal) <= len(str(v)) + 2 else str(v)

    return ", ".join(one(v) for v in values)


def _agree(a: tuple[Fraction, ...], b: tuple[Fraction, ...]) -> bool:
    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))


def majority(outputs: Sequence[str | None]) -> tuple[tuple[Fraction, ...] | None, int]:
    """The answer printed by more than half of the programs (None when none is), and how many printed it.

    ``outputs`` holds each program's standard output, None for one that did not run to the end.
    """
    answers = [tuple(numbers(o)) for o in outputs if o is not None]
    answers = [a for a in answers if 0 < len(a) <= MAX_VALUES]
    groups: list[list[tuple[Fraction, ...]]] = []
    for a in answers:
        home = next((g for g in groups if _agree(g[0], a)), None)
        home.append(a) if home is not None else groups.append([a])
    best = max(groups, key=len, default=[])
    return (best[0], len(best)) if 2 * len(best) > len(outputs) else (None, len(best))


def math_evidence(outputs: Sequence[str | None], response: str) -> Evidence:
    """Compare the majority answer of ``outputs`` (each program's stdout, None if it failed) with the response.

    One value is compared with the response's final answer. Several (a task that asks for
    more than one quantity) must each be stated somewhere in the response, else it is
    contradicted; it agrees only when the last number of its final answer is one of them too,
    since the numbers of a worked answer's steps can hold every value the programs printed
    while its final answer is another (undecided then: the programs may have answered another
    question than the response).
    """
    if not outputs:
        return Evidence("undecided", "no program was written, so nothing was checked.")
    answer, votes = majority(outputs)
    if answer is None:
        printed = "; ".join(
            shown(numbers(o)[:MAX_VALUES]) or "nothing" if o is not None else "nothing" for o in outputs
        )
        return Evidence("undecided", f"the programs did not agree (printed {printed}), so nothing was checked.")
    stated = final_answer(response) if len(answer) == 1 else numbers(response)
    ran = f"{votes} of {len(outputs)} programs printed {shown(answer)}"
    if not stated:
        return Evidence("undecided", f"{ran}; the response states no number to compare.")
    if len(answer) == 1:
        verdict = "agrees" if any(same(answer[0], s) for s in stated) else "contradicts"
        return Evidence(verdict, f"{ran}; the response's final answer is {shown(stated)}.")
    if missing := [a for a in answer if not any(same(a, s) for s in stated)]:
        return Evidence("contradicts", f"{ran}; the response never states {shown(missing)}.")
    final = final_answer(response)
    if final and any(same(a, final[-1]) for a in answer):
        return Evidence("agrees", f"{ran}; the response states them all, its final answer among them.")
    ends = f"its final answer is {shown(final[-1:])}" if final else "it states no final answer"
    return Evidence("undecided", f"{ran}; the response states them, but {ends}, so nothing was checked.")


def _failed_examples(report: dict) -> list[dict]:
    return [s for s in report["stated"] if not s["ok"]]


def consensus(references: Sequence[dict | None]) -> dict[str, str]:
    """Test call -> the result more than half of the usable reference solutions agree on (at least two of them).

    A reference is usable when it loaded and passed every example the task states; a call
    where a reference raised says nothing about the call (the test may be out of bounds).
    """
    usable = [r for r in references if r and r["loaded"] and not _failed_examples(r)]
    agreed = {}
    for call in dict.fromkeys(c for r in usable for c in r["calls"]):
        results = [r["calls"][call] for r in usable if r["calls"].get(call, "raised").startswith("value")]
        best = max(set(results), key=results.count, default=None)
        if best is not None and results.count(best) >= 2 and 2 * results.count(best) > len(usable):
            agreed[call] = best
    return agreed


def code_evidence(response: dict | None, references: Sequence[dict | None], why_not: str | None = None) -> Evidence:
    """Compare the response's run (its harness report; None with ``why_not`` when it did not finish) with the task's
    stated examples and with the reference solutions' consensus (:func:`consensus`)."""
    if response is None:
        return Evidence("undecided", f"the code could not be tested: {why_not or 'it did not finish'}.")
    if not response["loaded"]:
        return Evidence("undecided", f"the code raised {response['error']} when it was loaded.")
    failed = _failed_examples(response)
    if failed:
        f = failed[0]
        got = f["got"].removeprefix("value: ")
        return Evidence(
            "contradicts",
            f"it fails {len(failed)} of {len(response['stated'])} examples the task states: {f['call']} gave {got},"
            f" the task says {f['want']}.",
        )
    agreed = consensus(references)
    differ = [(c, v) for c, v in agreed.items() if response["calls"].get(c) != v]
    usable = sum(1 for r in references if r and r["loaded"] and not _failed_examples(r))
    if differ:
        call, value = differ[0]
        got = response["calls"].get(call, "nothing").removeprefix("value: ")
        return Evidence(
            "contradicts",
            f"on {len(differ)} of {len(agreed)} test calls it differs from what most of {usable} reference solutions"
            f" give: {call} gave {got}, they give {value.removeprefix('value: ')}.",
        )
    stated = f"it passes the {len(response['stated'])} examples the task states" if response["stated"] else ""
    checked = f"it agrees with {usable} reference solutions on {len(agreed)} test calls" if agreed else ""
    if stated or checked:
        return Evidence("agrees", "; ".join(filter(None, (stated, checked))) + ".")
    return Evidence("undecided", "the task states no examples and the reference solutions did not agree.")
