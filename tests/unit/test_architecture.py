"""The code's shape: small modules and functions, and no private name used across modules.

(Which package and room may import which is checked by ``lint-imports``, which ``make
test`` runs first; its contracts are in pyproject.toml.)
"""

import ast
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

PACKAGES = ("runtime", "gra_agents", "signatures")
MODULES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_a_module_fits_in_a_read(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_a_function_fits_on_a_screen(path):
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_no_private_name_is_imported_from_another_module(path):
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert not private


def test_the_checks_see_every_room():
    rooms = {p.parent.name for p in MODULES}
    assert {"runtime", "calls", "engines", "pipeline", "progress", "sandbox", "storage", "tables"} <= rooms
    assert {"gra_agents", "signatures"} <= rooms
