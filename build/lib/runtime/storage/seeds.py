"""Seed files: Alpaca-style rows (``instruction``, ``input``, ``output``) as JSON or JSONL.

Any row may carry an ``id``; rows without one are numbered by position. Other fields are
kept as they are (``Seed.extra``), so that curated rows go back out with them. Every problem is
reported as one line that names the file and the line, before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.errors import GraError

MAX_LINE_BYTES = 1_000_000


class SeedFileError(GraError, ValueError):
    """A seed file that cannot be used; ``str()`` is the one-line message for the user."""


@dataclass(frozen=True)
class Seed:
    id: str
    instruction: str
    input: str
    output: str
    line: int
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def _row(path: Path, line: int, obj: object) -> tuple[str | None, str, str, str]:
    where = f"{path}:{line}"
    if not isinstance(obj, dict):
        raise SeedFileError(f"{where}: expected a JSON object with instruction/input/output, got {type(obj).__name__}")
    for key in ("instruction", "output"):
        if key not in obj:
            raise SeedFileError(f"{where}: missing field {key!r}")
    values = {}
    for key in ("instruction", "input", "output"):
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise SeedFileError(f"{where}: field {key!r} must be a string, got {type(value).__name__}")
        values[key] = value.strip()
    if not values["instruction"]:
        raise SeedFileError(f"{where}: field 'instruction' is empty")
    raw_id = obj.get("id")
    if raw_id is not None and not isinstance(raw_id, (str, int)):
        raise SeedFileError(f"{where}: field 'id' must be a string or integer")
    return (None if raw_id is None else str(raw_id)), values["instruction"], values["input"], values["output"]


def load_seeds(path: str | Path) -> list[Seed]:
    """Read and check a seed file. Raises :class:`SeedFileError` on the first problem."""
    path = Path(path)
    if not path.is_file():
        raise SeedFileError(f"{path}: no such seed file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SeedFileError(f"{path}:{line}: not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise SeedFileError(f"{path}: the seed file is empty")
    rows: list[tuple[int, object]] = []
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SeedFileError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        rows = [(i + 1, item) for i, item in enumerate(items)]  # a JSON array: "line" is the item's position
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if len(line.encode()) > MAX_LINE_BYTES:
                raise SeedFileError(f"{path}:{number}: line is longer than {MAX_LINE_BYTES} bytes")
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise SeedFileError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
    if not rows:
        raise SeedFileError(f"{path}: the seed file holds no rows")
    seeds: list[Seed] = []
    seen: dict[str, int] = {}
    for number, obj in rows:
        raw_id, instruction, inp, output = _row(path, number, obj)
        seed_id = raw_id if raw_id is not None else f"seed-{number}"
        if seed_id in seen:
            raise SeedFileError(f"{path}:{number}: duplicate id {seed_id!r} (first on line {seen[seed_id]})")
        seen[seed_id] = number
        extra = {k: v for k, v in obj.items() if k not in ("id", "instruction", "input", "output")}
        seeds.append(Seed(seed_id, instruction, inp, output, number, extra))
    return seeds
