"""Any JSON document as Markdown tables, by its shape alone (the benchmark pages' renderer).

- the scalars of an object: one ``key | value`` table;
- sibling objects of alike keys (committees, ways, models, members): one table that sets
  them side by side, their nested keys dotted (``by_set.gsm8k.auroc``);
- any other object: a heading of its own, and the same rules inside it;
- a list of objects (per-row records): one table, a row per item.

>>> print(render({"pool": "cpu", "a": {"auroc": 0.5612, "rows": 40}, "b": {"auroc": 0.5, "rows": 40}}))
| key | value |
|---|---|
| pool | cpu |
<BLANKLINE>
### a, b
<BLANKLINE>
|  | a | b |
|---|---|---|
| auroc | 0.561 | 0.5 |
| rows | 40 | 40 |
<BLANKLINE>
"""

from __future__ import annotations

import html
from typing import Any

#: Widest table rows (records) shown; the rest are counted.
MAX_ROWS = 60
#: Items of a list of scalars shown in one cell.
MAX_ITEMS = 12
#: Characters of a string shown in one cell.
MAX_CHARS = 160
#: Dotted keys above which alike siblings get sections of their own instead of one table.
MAX_SIDE_BY_SIDE = 30
#: Deepest heading; below it objects are flattened into their parent's tables.
MAX_LEVEL = 6
#: The heading level of the document's own sections (its objects always get one).
TOP = 3
#: Dotted keys of an object small enough to sit in its parent's table below the top level.
MAX_INLINE = 8


def number(value: float) -> str:
    """A float as a person reads it: three decimals at most, no trailing zeros.

    >>> number(0.5940288305282593), number(22845.0), number(4501.8)
    ('0.594', '22845', '4501.8')
    """
    return f"{value:.3f}".rstrip("0").rstrip(".") if value == value else "NaN"


def text(value: str) -> str:
    """A string safe in a table cell: HTML and Markdown escaped, one line, at most :data:`MAX_CHARS`."""
    short = value if len(value) <= MAX_CHARS else value[: MAX_CHARS - 1] + "…"
    escaped = html.escape(short.replace("\n", " ⏎ "), quote=False)
    for char in "\\`*_[]|":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def cell(value: Any) -> str:
    """One value as a table cell (null is a dash)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list):
        joint = "<br>" if any(isinstance(v, str) for v in value) else ", "  # strings may hold commas
        shown = joint.join(cell(v) for v in value[:MAX_ITEMS])
        more = f" … ({len(value)} in all)" if len(value) > MAX_ITEMS else ""
        return (shown + more) if value else "none"
    return text(str(value))


def is_leaf(value: Any) -> bool:
    """A scalar, or a list of scalars (one cell)."""
    scalar = (str, int, float, bool, type(None))
    return isinstance(value, scalar) or (isinstance(value, list) and all(isinstance(v, scalar) for v in value))


def is_records(value: Any) -> bool:
    """A non-empty list of objects (a table with a row per item)."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def leaves(obj: dict, prefix: str = "") -> dict[str, Any]:
    """Every leaf under ``obj`` by its dotted key; lists of objects are left out (see :func:`record_lists`)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict) and value:
            out |= leaves(value, f"{prefix}{key}.")
        elif is_leaf(value) or isinstance(value, dict):
            out[f"{prefix}{key}"] = value if not isinstance(value, dict) else None
    return out


def record_lists(obj: dict, prefix: str = "") -> dict[str, list[dict]]:
    """Every list of objects under ``obj``, by its dotted key."""
    out: dict[str, list[dict]] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            out |= record_lists(value, f"{prefix}{key}.")
        elif is_records(value):
            out[f"{prefix}{key}"] = value
    return out


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


def key_values(pairs: dict[str, Any]) -> str:
    """Scalars as a ``key | value`` table (nothing for none)."""
    return table(["key", "value"], [[text(k), cell(v)] for k, v in pairs.items()]) if pairs else ""


def side_by_side(members: dict[str, dict]) -> str:
    """Alike objects in one table: a column per object, or a row per object when there are more of them."""
    flat = {name: leaves(obj) for name, obj in members.items()}
    keys = list(dict.fromkeys(k for f in flat.values() for k in f))
    if len(members) <= len(keys):
        rows = [[text(k)] + [cell(f.get(k)) for f in flat.values()] for k in keys]
        return table([""] + [text(n) for n in flat], rows)
    rows = [[text(n)] + [cell(f.get(k)) for k in keys] for n, f in flat.items()]
    return table([""] + [text(k) for k in keys], rows)


def records(items: list[dict]) -> str:
    """A list of objects as a table, a row per item (the first :data:`MAX_ROWS`)."""
    flat = [leaves(item) for item in items[:MAX_ROWS]]
    keys = list(dict.fromkeys(k for f in flat for k in f))
    body = table([text(k) for k in keys], [[cell(f.get(k)) for k in keys] for f in flat])
    more = f"\n{len(items) - MAX_ROWS} more rows are in the file.\n" if len(items) > MAX_ROWS else ""
    return body + more


def alike(a: dict, b: dict) -> bool:
    """Whether two objects share at least half of their keys (so they read well side by side)."""
    ka, kb = set(leaves(a)), set(leaves(b))
    return bool(ka | kb) and len(ka & kb) >= 0.5 * len(ka | kb)


def groups(objects: dict[str, dict]) -> list[dict[str, dict]]:
    """Objects gathered into runs of alike ones, in the order of their first member."""
    out: list[dict[str, dict]] = []
    for name, obj in objects.items():
        home = next((g for g in out if alike(next(iter(g.values())), obj)), None)
        home.__setitem__(name, obj) if home is not None else out.append({name: obj})
    return out


def heading(level: int, title: str) -> str:
    return f"{'#' * level} {title}\n\n"


def inline(obj: dict) -> bool:
    """A small object of scalars only, shown inside its parent's table (``saved.checks``) below the top level."""
    return not record_lists(obj) and len(leaves(obj)) <= MAX_INLINE


def render(data: Any, level: int = TOP) -> str:
    """``data`` as Markdown tables, sections headed from ``level`` down."""
    if is_records(data):
        return records(data)
    if not isinstance(data, dict):
        return key_values({"value": data})
    if level > MAX_LEVEL:
        lists = record_lists(data).items()
        return key_values(leaves(data)) + "".join(heading(MAX_LEVEL, text(k)) + records(v) for k, v in lists)
    objects = {k: v for k, v in data.items() if isinstance(v, dict) and v}
    sections = [g for g in groups(objects) if len(g) > 1 or level == TOP or not inline(next(iter(g.values())))]
    shown_apart = {name for g in sections for name in g}
    scalars: dict[str, Any] = {}
    for key, value in data.items():
        if key in objects and key not in shown_apart:
            scalars |= leaves(value, f"{key}.")
        elif key not in objects and not is_records(value):
            scalars[key] = value
    parts = [key_values(scalars)]
    for group in sections:
        if len(group) > 1 and all(len(leaves(o)) <= MAX_SIDE_BY_SIDE for o in group.values()):
            parts += [heading(level, ", ".join(text(n) for n in group)) + side_by_side(group)]
            for name, obj in group.items():
                lists = record_lists(obj).items()
                parts += [heading(level + 1, f"{text(name)}: {text(k)}") + records(v) for k, v in lists]
            continue
        parts += [heading(level, text(name)) + render(obj, level + 1) for name, obj in group.items()]
    parts += [heading(level, text(k)) + records(v) for k, v in data.items() if is_records(v)]
    return "\n".join(p for p in parts if p)
