"""Degenerate repetition: an answer whose text has fallen into a loop.

Small models at low temperature fall into loops: ``"1000000000…"``, ``", 10, 10, 10, …"``,
``"The longest palindrome is 15. The longest palindrome is 15. …"``. A loop runs until the
response's length cap or ``max_tokens``, so it is the most expensive answer an engine gives,
and none of it is usable data.

The rule, one for streamed and finished answers alike: a stretch of at least
:data:`SPAN` characters that repeats one unit of at most ``SPAN // MIN_REPEATS``
characters over and over. Both bounds are in characters of the raw answer (JSON escapes
included), so the rule does not depend on the tokenizer.

>>> find_repetition("Four score and seven years ago") is None
True
>>> loop = find_repetition('{"response": "Counting up: ' + "10, " * 100 + '"}')
>>> str(loop)  # the stretch starts at the first repeated character, the space before "10"
"' 10,' repeated over 401 characters"

:class:`RepetitionGuard` applies the same rule to a stream as it arrives, so the caller
can stop the engine at the point the loop is found instead of paying for the rest of it
(:class:`runtime.calls.member_lm.MemberLM` does, and the call fails as ``degenerate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runtime.config import REPETITION_SPAN

#: Characters of repetition that make a loop: a legitimate answer seldom repeats one unit that long.
SPAN = REPETITION_SPAN
#: A unit must fill the span at least this many times (so it is at most 100 characters).
MIN_REPEATS = 3


@dataclass(frozen=True)
class Repetition:
    """A loop: ``unit`` repeated back to back over ``span`` characters, ending at ``end``."""

    unit: str
    span: int
    end: int

    def __str__(self) -> str:
        shown = self.unit if len(self.unit) <= 40 else self.unit[:37] + "..."
        return f"{shown!r} repeated over {self.span} characters"


def repeating_tail(text: str, span: int = SPAN) -> Repetition | None:
    """The loop that makes up the last ``span`` characters of ``text``, if they are one.

    Returns the shortest unit that does, as it first appears; ``span`` is the whole repeated stretch.
    """
    n = len(text)
    if span <= 0 or n < span:
        return None
    start = n - span
    for p in range(1, span // MIN_REPEATS + 1):
        # cheap first test on the last character; most periods fail it
        if text[n - 1] == text[n - 1 - p] and text[start + p :] == text[start : n - p]:
            i = start - 1
            while i >= 0 and text[i] == text[i + p]:
                i -= 1
            return Repetition(unit=text[i + 1 : i + 1 + p], span=n - 1 - i, end=n)
    return None


def find_repetition(text: str | None, span: int = SPAN) -> Repetition | None:
    """The first loop anywhere in ``text``: the shortest unit with a stretch of ``span`` characters.

    A loop that ended before the text did (the model broke out, or closed its JSON) counts:
    the characters were decoded all the same, and the answer carries them.
    """
    if not text or span <= 0 or len(text) < span:
        return None
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    for p in range(1, span // MIN_REPEATS + 1):
        same = codes[p:] == codes[:-p]  # same[i]: text[i] == text[i + p]
        need = span - p  # a stretch of `span` characters with period p is span - p such matches in a row
        if need <= 0 or same.size < need:
            continue
        # lengths of runs of True: positions where a run starts and ends
        edges = np.diff(np.concatenate(([0], same.view(np.uint8), [0])).astype(np.int8))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long = np.flatnonzero(ends - starts >= need)
        if long.size:
            first = long[0]
            s, e = int(starts[first]), int(ends[first])  # text[s : e + p] has period p
            return Repetition(unit=text[s : s + p], span=e + p - s, end=e + p)
    return None


class DegenerateOutput(Exception):
    """A streamed answer stopped inside a loop: what was decoded up to that point.

    ``pieces`` counts the streamed text pieces, one per token on llama.cpp and SGLang.
    """

    def __init__(self, repetition: Repetition, text: str, pieces: int):
        super().__init__(f"stopped after {pieces} tokens: {repetition}")
        self.repetition, self.text, self.pieces = repetition, text, pieces


class RepetitionGuard:
    """:func:`find_repetition` for a stream: feed the pieces as they arrive.

    >>> guard = RepetitionGuard()
    >>> any(guard.feed(piece) for piece in ["Counting: "] + ["0"] * 400)
    True
    >>> str(guard.repetition), len(guard.text)
    ("'0' repeated over 300 characters", 310)
    """

    def __init__(self, span: int = SPAN):
        self.span = span
        self.text = ""
        self.pieces = 0
        self.repetition: Repetition | None = None

    def feed(self, piece: str) -> Repetition | None:
        """Add one streamed piece of text; returns the loop once the text's tail has become one."""
        if piece:
            self.pieces += 1
            self.text += piece
            if self.repetition is None:
                self.repetition = repeating_tail(self.text, self.span)
        return self.repetition
