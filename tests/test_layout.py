"""How the tests are laid out: what tests share lives in tests/support, never in a test module.

A meta-test, so it mirrors no module. Fixtures reach tests by name from the
fixture plugins that tests/conftest.py lists (tests/support/fixtures); helpers
are imported from the other modules of tests/support. So no module under
tests/ or bench/ imports a conftest, a test module or a fixture plugin:
importing one copies its fixtures, or its tests, into the importer's namespace,
where pytest finds them a second time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
FIXTURE_PLUGINS = "tests.support.fixtures"
SOURCES = sorted(p for folder in ("tests", "bench") for p in (ROOT / folder).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, source: str) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every module ``source`` (the text of ``path``) imports.

    Relative imports are resolved; ``from a import b`` gives ``a`` and ``a.b``,
    since ``b`` may be a module.
    """
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def offence(name: str) -> str | None:
    """Why a module may not import ``name``, if it may not."""
    parts = name.split(".")
    if "conftest" in parts:
        return "a conftest"
    if any(part.startswith("test_") for part in parts):
        return "a test module"
    if name == FIXTURE_PLUGINS or name.startswith(FIXTURE_PLUGINS + "."):
        return "a fixture plugin (ask for its fixtures by name)"
    return None


def offences(path: Path, source: str | None = None) -> list[str]:
    """Each forbidden import of the file at ``path`` (or of ``source`` as if it were there),
    once per line."""
    text = path.read_text(encoding="utf-8") if source is None else source
    found: dict[int, str] = {}
    for line, name in imported(path, text):
        why = offence(name)
        if why is not None and line not in found:
            found[line] = f"{path.relative_to(ROOT)}:{line} imports {name}: {why}"
    return list(found.values())


def test_no_module_imports_a_conftest_a_test_module_or_a_fixture_plugin() -> None:
    found = [o for path in SOURCES for o in offences(path)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("source", "why"), [
    ("from tests.conftest import Clock", "a conftest"),
    ("import tests.conftest", "a conftest"),
    ("from tests import conftest", "a conftest"),
    ("from tests.plugins.police.conftest import Validate", "a conftest"),
    ("from .conftest import run", "a conftest"),
    ("from . import conftest", "a conftest"),
    ("from tests.core.test_plugins import Misspelt", "a test module"),
    ("from tests.core import test_plugins", "a test module"),
    ("from ..test_out_of_tree import pip_install", "a test module"),
    pytest.param("def f() -> None:\n    from tests.core.http.test_problems import assert_problem",
                 "a test module", id="inside-a-function"),
    ("from tests.support.fixtures.scaffolds import make_plugin", "a fixture plugin"),
])
def test_the_check_finds_each_kind_of_forbidden_import(source: str, why: str) -> None:
    found = offences(TESTS / "plugins" / "police" / "test_example.py", source + "\n")
    assert found and all(why in o for o in found), found


def test_the_check_passes_what_a_test_may_import() -> None:
    source = ("import pytest\nfrom tests import testplugin\n"
              "from tests.support.http_world import World\nfrom tests.support import agencies\n")
    assert offences(TESTS / "core" / "test_example.py", source) == []


def test_every_fixture_plugin_is_registered_once_from_the_root_conftest(
        pytestconfig: pytest.Config) -> None:
    conftest = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    (listed,) = [ast.literal_eval(node.value) for node in conftest.body
                 if isinstance(node, ast.Assign)
                 and [getattr(t, "id", None) for t in node.targets] == ["pytest_plugins"]]
    folder = TESTS / "support" / "fixtures"
    modules = [module_name(p) for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"]
    assert sorted(listed) == modules
    assert all(pytestconfig.pluginmanager.has_plugin(name) for name in modules)
    # pytest refuses pytest_plugins in a conftest below the root one.
    below = [p for p in TESTS.rglob("conftest.py")
             if p.parent != TESTS and "pytest_plugins" in p.read_text(encoding="utf-8")]
    assert below == []


def test_support_holds_no_tests() -> None:
    assert sorted((TESTS / "support").rglob("test_*.py")) == []
