"""The numbers a response states, and its final answer: what a math verdict compares.

Numbers are read as people write them in answers: thousands separators, decimals, signs,
fractions (``3/4``, ``\\frac{3}{4}``, ``2 \\tfrac12``), percentages, currency and units around
them. A percentage is kept as written (``25%`` is 25) and :func:`same` also accepts its
fraction (0.25), since a program may print either.

>>> numbers("The total is $1,234.50, i.e. 25% more than \\\\frac{3}{4} of it.")
[Fraction(2469, 2), Fraction(25, 1), Fraction(3, 4)]
>>> final_answer("Step 1: 5 * 3 = 15\\nStep 2: 15 * 2 = 30\\nAnswer: 30 cm³")
[Fraction(30, 1)]
>>> final_answer("So the area is \\\\boxed{62} square units, and 94 was wrong.")
[Fraction(62, 1)]
"""

from __future__ import annotations

import re
from fractions import Fraction

_NUMBER = r"(?:(?<![\d)\]}])(?<![\d)\]}] )-)?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
_TOKEN = re.compile(
    rf"\\[dt]?frac\s*\{{\s*(?P<fn>{_NUMBER})\s*\}}\s*\{{\s*(?P<fd>{_NUMBER})\s*\}}"  # \frac{3}{4}
    rf"|\\[dt]?frac(?P<sn>\d)(?P<sd>\d)"  # \frac34
    rf"|(?P<n>{_NUMBER})(?:\s*/\s*(?P<d>{_NUMBER}))?"  # 3/4 or 12.5
    r"(?P<e>[eE][+-]?\d+)?"
)
_MARKERS = re.compile(
    r"(?:final answer|the answer is|answer\s*(?:is|:)|####|therefore,?|thus,?|so,?)\s*:?", re.IGNORECASE
)


def _value(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


def numbers(text: str) -> list[Fraction]:
    """Every number in ``text``, in order, exact (a fraction ``a/b`` as one number; a zero denominator is skipped)."""
    found = []
    for m in _TOKEN.finditer(text):
        num, den = (m["fn"], m["fd"]) if m["fn"] else (m["sn"], m["sd"]) if m["sn"] else (m["n"], m["d"])
        value = _value(num) * (Fraction(10) ** int(m["e"][1:]) if m["e"] else 1)
        if den is not None:
            if _value(den) == 0:
                continue
            value = value / _value(den)
        found.append(value)
    return found


def _boxed(text: str) -> list[str]:
    """The contents of every ``\\boxed{...}``, braces balanced."""
    out, start = [], 0
    while (i := text.find("\\boxed{", start)) >= 0:
        depth, j = 1, i + len("\\boxed{")
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        out.append(text[i + len("\\boxed{") : j - 1])
        start = j
    return out


def final_answer(response: str) -> list[Fraction]:
    """The numbers of the response's final answer: in its last ``\\boxed{}``, else after its last answer marker
    ("Answer:", "the answer is", "####", "Therefore"...) up to the end of that line, else in its last line that
    holds a number. Empty when the response states no number."""
    if boxed := _boxed(response):
        return numbers(boxed[-1])
    markers = list(_MARKERS.finditer(response))
    for m in reversed(markers):
        line = response[m.end() :].split("\n", 1)[0]
        if found := numbers(line):
            return found
    for line in reversed(response.strip().splitlines()):
        if found := numbers(line):
            return found[-1:] if "=" in line else found
    return []


def same(a: Fraction, b: Fraction, rel: float = 1e-6) -> bool:
    """Whether two stated numbers are the same answer: equal within ``rel``, or one the percentage of the other.

    >>> same(Fraction(1, 3), Fraction("0.333333333")), same(Fraction(25), Fraction(1, 4))
    (True, True)
    >>> same(Fraction(3), Fraction(4))
    False
    """
    return any(abs(x - y) <= rel * max(abs(x), abs(y), 1) for x, y in ((a, b), (a, b * 100), (a * 100, b)))
