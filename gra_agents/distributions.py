"""What a judge's answer says beyond its sampled numbers: the probability of each allowed value.

An engine asked for ``logprobs`` and ``top_logprobs`` returns, for every token it decoded,
the log-probabilities of the most likely tokens at that position (OpenAI's shape, which
llama-server and SGLang both speak). For an enum field of a JSON answer (a 1-10 score, a
0/1 check) the distribution over its allowed values is read at the position where the
value starts, and renormalised over the allowed values: llama-server reports probabilities
before its grammar masks the disallowed tokens, SGLang after, and either way only the
allowed values count.

A value of several tokens (Qwen writes 10 as "1" then "0") is read token by token: when the
answer took the branch "1", the next position says how much of "1" went on to "10". When
it did not, that split was never computed; the mass of "1" then goes to 1 and 10 in
proportion to the mass on their neighbours 2 and 9 (so a judge that leans to 9 means 10),
and to the side of the scale it sampled when both are zero.

>>> token = lambda t, top: {"token": t, "logprob": 0.0, "top_logprobs": [{"token": k, "logprob": v} for k, v in top]}
>>> content = [token('{"', []), token("ok", []), token('":', []), token(" ", []),
...            token("1", [("1", -0.1), ("0", -2.4), ("x", -3.0)]), token("}", [])]
>>> d = field_distributions(content, {"ok": ("0", "1")})
>>> {k: round(v, 3) for k, v in d["ok"].items()}
{'0': 0.091, '1': 0.909}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

#: Characters that may end a number in a JSON answer.
_ENDS = (",", "}", " ", "\n", "\r", "\t")


def _spans(content: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """Each token's (start, end) character offsets in the decoded text."""
    spans, at = [], 0
    for t in content:
        spans.append((at, at + len(t.get("token") or "")))
        at = spans[-1][1]
    return spans


def _alternatives(entry: Mapping[str, Any]) -> dict[str, float]:
    """token -> probability at one position (its top alternatives, the sampled token among them)."""
    top = {a["token"]: math.exp(a["logprob"]) for a in entry.get("top_logprobs") or []}
    top.setdefault(entry.get("token") or "", math.exp(entry.get("logprob", 0.0)))
    return top


def _value_start(text: str, field: str) -> int | None:
    m = re.search(rf'"{re.escape(field)}"\s*:\s*', text)
    return m.end() if m else None


def _first_pieces(entry: Mapping[str, Any], lead: str, values: Sequence[str]) -> dict[str, float]:
    """Mass of each token at this position that starts (after ``lead``) some allowed value, by what it adds."""
    mass: dict[str, float] = {}
    for token, p in _alternatives(entry).items():
        if not token.startswith(lead):
            continue
        piece = token[len(lead) :]
        bare = piece.rstrip("".join(_ENDS))
        if bare and any(v.startswith(bare) for v in values) and (bare == piece or bare in values):
            key = bare if bare == piece else bare + "$"  # "$": the value ended inside this token
            mass[key] = mass.get(key, 0.0) + p
    return mass


def _split_prefix(
    piece: str, mass: float, values: Sequence[str], after: Mapping[str, float] | None
) -> dict[str, float]:
    """Share the mass of ``piece`` among the allowed values it begins."""
    if piece.endswith("$"):
        return {piece[:-1]: mass}
    longer = [v for v in values if v.startswith(piece) and v != piece]
    if not longer:
        return {piece: mass} if piece in values else {}
    if after is not None:  # the answer went this way: the next position tells how it went on
        go_on = {v: sum(p for t, p in after.items() if t and v[len(piece) :].startswith(t)) for v in longer}
        stop = sum(p for t, p in after.items() if t[:1] in _ENDS) if piece in values else 0.0
        total = sum(go_on.values()) + stop
        if total > 0:
            out = {v: mass * p / total for v, p in go_on.items()}
            return out | ({piece: mass * stop / total} if stop else {})
    return {}  # resolved by the caller from the neighbours


def _by_neighbours(piece: str, mass: float, found: Mapping[str, float], sampled: str) -> dict[str, float]:
    """1 vs 10 unseen: split by the mass on 2 and 9; with none there, by the side of the scale that was sampled."""
    low, high = piece, piece + "0"
    near_low, near_high = found.get(str(int(low) + 1), 0.0), found.get(str(int(high) - 1), 0.0)
    if near_low + near_high > 0:
        return {low: mass * near_low / (near_low + near_high), high: mass * near_high / (near_low + near_high)}
    return {high: mass} if sampled.isdigit() and int(sampled) > 5 else {low: mass}


def field_distribution(
    content: Sequence[Mapping[str, Any]], field: str, values: Sequence[str]
) -> dict[str, float] | None:
    """P(value) over ``values`` for one field of the JSON answer ``content`` spells, or None when it cannot be found."""
    text = "".join(t.get("token") or "" for t in content)
    start = _value_start(text, field)
    return None if start is None else _distribution_at(content, text, start, values)


def bare_distribution(content: Sequence[Mapping[str, Any]], values: Sequence[str]) -> dict[str, float] | None:
    """P(value) over ``values`` for an answer that is one bare value (``"1"``, not ``{"answer": 1}``).

    >>> tok = lambda t, top: {"token": t, "logprob": 0.0, "top_logprobs": [{"token": k, "logprob": v} for k, v in top]}
    >>> {k: round(v, 3) for k, v in bare_distribution([tok("0", [("0", -0.2), ("1", -1.8)])], ("0", "1")).items()}
    {'0': 0.832, '1': 0.168}
    """
    text = "".join(t.get("token") or "" for t in content)
    start = len(text) - len(text.lstrip())
    return _distribution_at(content, text, start, values) if start < len(text) else None


def _distribution_at(
    content: Sequence[Mapping[str, Any]], text: str, start: int, values: Sequence[str]
) -> dict[str, float] | None:
    """P(value) over ``values`` for the value that begins at character ``start`` of ``text``."""
    spans = _spans(content)
    i = next((k for k, (a, b) in enumerate(spans) if a <= start < b), None)
    if i is None:
        return None
    lead = text[spans[i][0] : start]
    sampled = re.match(r"-?\d+", text[start:])
    sampled = sampled.group(0) if sampled else ""
    pieces = _first_pieces(content[i], lead, values)
    found: dict[str, float] = {}
    unresolved = []
    for piece, mass in pieces.items():
        if piece in values and any(v in pieces for v in values if v.startswith(piece) and v != piece):
            found[piece] = found.get(piece, 0.0) + mass  # "10" is a token of its own here: "1" is just 1
            continue
        went = sampled.startswith(piece) and spans[i][1] - start == len(piece)
        after = _alternatives(content[i + 1]) if went and i + 1 < len(content) else None
        share = _split_prefix(piece, mass, values, after)
        unresolved += [(piece, mass)] if not share else []
        for v, p in share.items():
            found[v] = found.get(v, 0.0) + p
    for piece, mass in unresolved:
        if piece.isdigit() and piece + "0" in values:
            for v, p in _by_neighbours(piece, mass, found, sampled).items():
                found[v] = found.get(v, 0.0) + p
    total = sum(found.values())
    return {v: found.get(v, 0.0) / total for v in values} if total > 0 else None


def field_distributions(
    content: Sequence[Mapping[str, Any]], fields: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, float] | None]:
    """:func:`field_distribution` of each field: ``fields`` maps a field's name to its allowed values as written."""
    return {f: field_distribution(content, f, values) for f, values in fields.items()}


def expected(distribution: Mapping[str, float]) -> float:
    """The mean of a distribution over numeric values (G-Eval's probability-weighted score).

    >>> expected({"8": 0.5, "9": 0.25, "10": 0.25})
    8.75
    """
    return sum(float(v) * p for v, p in distribution.items())
