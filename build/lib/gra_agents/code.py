"""The Python in a coding response, the function it is about, and the examples its task states.

Pure text work, nothing is run here: the verification stage runs what these find, in the sandbox.

>>> response = "Here you go:\\n```python\\ndef add(a, b):\\n    return a + b\\n```\\nIt adds."
>>> python_code(response)
'def add(a, b):\\n    return a + b'
>>> function_of(python_code(response), "Write add(a, b) that adds two numbers.")
('add', 'def add(a, b):')
>>> stated_examples("Return the sum.\\n>>> add(2, 3)\\n5\\n")
[('add(2, 3)', '5')]
"""

from __future__ import annotations

import ast
import doctest
import re

_FENCE = re.compile(
    r"```[ \t]*(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)(?:```|\Z)", re.DOTALL
)  # a cut-off block runs to the end
_NOT_PYTHON = {
    "sql",
    "javascript",
    "js",
    "typescript",
    "ts",
    "java",
    "c",
    "cpp",
    "c++",
    "bash",
    "sh",
    "shell",
    "go",
    "rust",
    "ruby",
    "php",
    "html",
    "css",
    "json",
    "yaml",
    "r",
    "kotlin",
    "swift",
    "csharp",
    "cs",
}


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def python_code(response: str) -> str | None:
    """The response's Python: its ```python blocks (or untagged blocks that parse), joined; else the whole response
    when it parses as Python and defines or prints something; else None."""
    blocks = [
        m["body"].strip()
        for m in _FENCE.finditer(response)
        if m["lang"].lower() in ("python", "py", "python3") or (not m["lang"] and _parses(m["body"]))
    ]
    if blocks:
        return "\n\n".join(blocks)
    if any(m["lang"].lower() in _NOT_PYTHON for m in _FENCE.finditer(response)):
        return None
    text = response.strip()
    if _parses(text) and re.search(r"^\s*(def |class |print\()", text, re.MULTILINE):
        return text
    return None


def syntax_error(code: str) -> str | None:
    """The first syntax error of ``code`` in one line, or None when it parses."""
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    return None


def function_of(code: str, task: str) -> tuple[str, str] | None:
    """The top-level function the task is about, as (name, def line): the one the task names, else the last one."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    if not defs:
        return None
    named = [d for d in defs if re.search(rf"\b{re.escape(d.name)}\b", task)]
    node = (named or defs)[-1]
    header = ast.get_source_segment(code, node).split("\n")
    line = next((i for i, text in enumerate(header) if text.rstrip().endswith(":")), 0)
    return node.name, " ".join(part.strip() for part in header[: line + 1])


def stated_examples(text: str) -> list[tuple[str, str]]:
    """The doctest examples a task states (``>>> call`` then the expected output), as (call, expected) pairs."""
    try:
        examples = doctest.DocTestParser().get_examples(text)
    except ValueError:
        return []
    pairs = []
    for e in examples:
        want = "\n".join(line for line in e.want.splitlines() if line.strip() not in ('"""', "'''")).strip()
        if want:
            pairs.append((e.source.strip(), want))
    return pairs
