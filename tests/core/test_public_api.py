"""Plugins import from core only the public API: ``from core import X`` with X in __all__."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

import core
from core.plugins import GROUP

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIRS = [ROOT / "plugins", ROOT / "tests" / "testplugin"]


def violations(source: str, public: set[str]) -> Iterator[str]:
    """Every private use of core in ``source``, as 'line: what'."""
    tree = ast.parse(source)
    plain_core: set[str] = set()  # names bound to the core package by "import core"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "core":
                for alias in node.names:
                    if alias.name not in public:
                        yield f"{node.lineno}: from core import {alias.name}"
            elif node.module.startswith("core."):
                yield f"{node.lineno}: from {node.module} import ..."
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("core."):
                    yield f"{node.lineno}: import {alias.name}"
                elif alias.name == "core":
                    plain_core.add(alias.asname or "core")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in plain_core and node.attr not in public):
            yield f"{node.lineno}: core.{node.attr}"


def plugin_files() -> list[Path]:
    return sorted(p for d in PLUGIN_DIRS for p in d.rglob("*.py"))


def test_every_public_name_exists() -> None:
    assert len(set(core.__all__)) == len(core.__all__)
    for name in core.__all__:
        assert hasattr(core, name), name


def test_there_are_plugin_files_to_check() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in plugin_files()}
    assert "tests/testplugin/__init__.py" in files
    assert any(f.startswith("plugins/") and f.endswith("/__init__.py") for f in files)


@pytest.mark.parametrize("path", plugin_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_plugin_uses_only_the_public_api(path: Path) -> None:
    found = list(violations(path.read_text(encoding="utf-8"), set(core.__all__)))
    assert found == [], f"{path.relative_to(ROOT)} reaches into core: {found}"


@pytest.mark.parametrize(("source", "expected"), [
    ("from core import Problem, hookimpl", []),
    ("from core import Problem\nfrom core.errors import PluginRuleError",
     ["2: from core.errors import ..."]),
    ("from core import Store", ["1: from core import Store"]),
    ("import core.validation", ["1: import core.validation"]),
    ("import core as c\nc.problem('', 'a', 'b')\nc.jsonio.loads('1')", ["3: core.jsonio"]),
    ("from . import rules\nfrom .rules import x", []),
    ("from corelib import anything", []),
])
def test_the_checker_catches_private_imports(source: str, expected: list[str]) -> None:
    assert list(violations(source, set(core.__all__))) == expected


def test_core_names_no_agency() -> None:
    # Core serves whichever agencies are installed: it holds no list of them.
    agencies = {ep.name for ep in metadata.entry_points(group=GROUP)} | {"probation"}
    assert {"health", "police", "education", "social-care", "legal"} <= agencies
    named = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path in (ROOT / "core").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in agencies)
    assert named == []
