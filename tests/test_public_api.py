"""The public plugin API: ``from scr_returns import X`` with X in ``__all__``, frozen here.

A change to ``__all__`` must be a deliberate one: this list changes with it. Plugins
(the built-in ones, the test plugin, the probation example) import nothing else.
"""

from __future__ import annotations

import ast
from importlib import metadata
from pathlib import Path

import pytest

import scr_returns
from scr_returns.core.plugins import GROUP
from scr_returns.core.plugintools.conformance import private_imports

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_DIRS = [ROOT / "plugins", ROOT / "tests" / "testplugin",
               ROOT / "examples" / "probation" / "scr_returns_probation"]

PUBLIC_API = [
    "COMMON_CODES", "AgencySpec", "ChronologyEntry", "ChronologyMapping", "FormSpec",
    "FormVersion", "Kloe", "Problem", "ReviewContext", "Rule", "RuleContext",
    "agency_report_rules", "chronology_entries", "chronology_rules", "cro_number_valid",
    "date_span", "hookimpl", "json_pointer", "laestab_valid", "load_json_resource",
    "local_authority_valid", "nhs_number_is_test", "nhs_number_valid", "nil_return_rules",
    "parse_date", "pnc_id_valid", "problem", "records_secured_rules", "school_urn_valid",
    "standard_agency", "upn_valid",
    # issue 18: honest "not known" and "no action" values
    "NOT_KNOWN", "is_not_known", "known", "no_action",
]


def test_the_public_api_is_what_it_was_declared_to_be() -> None:
    assert sorted(scr_returns.__all__) == sorted(PUBLIC_API)
    assert len(set(scr_returns.__all__)) == len(scr_returns.__all__)
    for name in scr_returns.__all__:
        assert hasattr(scr_returns, name), name


def test_the_private_core_exports_nothing() -> None:
    import scr_returns.core

    assert not hasattr(scr_returns.core, "__all__")
    assert not hasattr(scr_returns.core, "AgencySpec")


def plugin_files() -> list[Path]:
    return sorted(p for d in PLUGIN_DIRS for p in d.rglob("*.py"))


def test_there_are_plugin_files_to_check() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in plugin_files()}
    assert "tests/testplugin/__init__.py" in files
    assert "examples/probation/scr_returns_probation/__init__.py" in files
    assert any(f.startswith("plugins/") and f.endswith("/__init__.py") for f in files)


@pytest.mark.parametrize("path", plugin_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_plugin_uses_only_the_public_api(path: Path) -> None:
    found = private_imports(path.read_text(encoding="utf-8"), scr_returns.__all__)
    assert found == [], f"{path.relative_to(ROOT)} reaches past the public API: {found}"


@pytest.mark.parametrize(("source", "expected"), [
    ("from scr_returns import Problem, hookimpl", []),
    ("from scr_returns import Problem\nfrom scr_returns.core.errors import PluginRuleError",
     ["2: from scr_returns.core.errors import ..."]),
    ("from scr_returns import Store", ["1: from scr_returns import Store"]),
    ("import scr_returns.core.validation", ["1: import scr_returns.core.validation"]),
    ("import scr_returns as s\ns.problem('', 'a', 'b')\ns.core.jsonio.loads('1')",
     ["3: scr_returns.core"]),
    ("from core import Problem", ["1: from core import ..."]),
    ("import plugins.health", ["1: import plugins.health"]),
    ("from . import rules\nfrom .rules import x", []),
    ("from corelib import anything\nimport scr_returns_probation", []),
])
def test_the_checker_catches_private_imports(source: str, expected: list[str]) -> None:
    assert private_imports(source, scr_returns.__all__) == expected


def test_core_names_no_agency() -> None:
    # Core serves whichever agencies are installed: it holds no list of them.
    agencies = {ep.name for ep in metadata.entry_points(group=GROUP)} | {"probation"}
    assert {"health", "police", "education", "social-care", "legal"} <= agencies
    named = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path in [*(ROOT / "core").rglob("*.py"), ROOT / "scr_returns" / "__init__.py"]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in agencies)
    assert named == []
