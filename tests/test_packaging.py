"""Installed, scr-returns is one import package, ``scr_returns``, beside anyone's ``core``.

A fresh virtual environment gets an unrelated distribution that has top-level
``core`` and ``plugins`` packages of its own (the names 0.1 claimed), then
scr-returns and the probation example, each by ``pip install`` of a copy of its
source, as a user would. Both must keep working: the unrelated package's
``core`` is its own, and the service finds every built-in agency and probation
and validates with them, from its console script.

NOTE: the new environment borrows the third-party dependencies (falcon,
SQLAlchemy, ...) from this one through a folder of links, leaving out this
checkout's own editable install, so that nothing is downloaded.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", "data",
                                 ".pytest_cache", ".mypy_cache", ".ruff_cache")
OWN = ("scr_returns", "scr_returns-", "__editable__", "scr_returns_probation",
       "scr_returns_probation-")

UNRELATED = {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\n'
                      'build-backend = "setuptools.build_meta"\n'
                      '[project]\nname = "acme-app"\nversion = "1.0"\n'
                      '[tool.setuptools]\npackages = ["core", "plugins"]\n',
    "core/__init__.py": 'WHO = "acme core"\n',
    "plugins/__init__.py": 'WHO = "acme plugins"\n',
}

CHECK = """
import json, sys
import core, plugins
assert core.WHO == "acme core" and plugins.WHO == "acme plugins", (core, plugins)
import scr_returns
from scr_returns.core.plugins import PluginHost
host = PluginHost()
assert not host.failed, host.failed
print(json.dumps({"agencies": sorted(host.by_agency), "core": core.__file__,
                  "scr_returns": scr_returns.__file__}))
"""


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600,
                          cwd=cwd, check=False)
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _dependencies(folder: Path) -> Path:
    """This environment's installed packages but scr-returns' own, as links in ``folder``."""
    folder.mkdir()
    for item in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not item.name.startswith(OWN) and item.suffix != ".pth":
            (folder / item.name).symlink_to(item)
    return folder


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("packaging")
    env = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", env)
    site = next((env / "lib").glob("python3*/site-packages"))
    (site / "borrowed.pth").write_text(f"{_dependencies(work / 'deps')}\n", encoding="utf-8")
    python = env / "bin" / "python"
    unrelated = work / "acme-app"
    for name, text in UNRELATED.items():
        (unrelated / name).parent.mkdir(parents=True, exist_ok=True)
        (unrelated / name).write_text(text, encoding="utf-8")
    # What a build of the service reads (not the tests, benchmarks or examples).
    (work / "scr-returns").mkdir()
    for name in ("pyproject.toml", "README.md", "scr_returns", "core", "plugins", "schemas"):
        source = ROOT / name
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, work / "scr-returns" / name, symlinks=True, ignore=IGNORED)
        elif source.is_symlink() or source.is_file():
            shutil.copy2(source, work / "scr-returns" / name, follow_symlinks=False)
    shutil.copytree(ROOT / "examples" / "probation", work / "probation", ignore=IGNORED)
    for source in (unrelated, work / "scr-returns", work / "probation"):
        _run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
             "--disable-pip-version-check", source)
    return env


def test_the_service_and_an_unrelated_core_package_both_work(venv: Path) -> None:
    found = json.loads(_run(venv / "bin" / "python", "-c", CHECK, cwd=venv))
    assert found["agencies"] == ["education", "health", "legal", "police", "probation",
                                 "social-care"]
    assert "/site-packages/core/" in found["core"]
    assert "/site-packages/scr_returns/" in found["scr_returns"]


def test_the_installed_command_line_checks_and_validates(venv: Path) -> None:
    scr = venv / "bin" / "scr-returns"
    for plugin in ("health", "probation"):
        assert "conforms" in _run(scr, "plugins", "check", plugin, cwd=venv).lower()
    example = ROOT / "plugins" / "health" / "examples" / "valid" / "chronology.v1.json"
    out = _run(scr, "validate", "--agency", "health", "--form", "chronology", example, cwd=venv)
    assert "valid" in out.lower()


def test_nothing_is_installed_as_core_plugins_or_schemas(venv: Path) -> None:
    site = next((venv / "lib").glob("python3*/site-packages"))
    records = [line.split(",")[0] for dist in site.glob("scr_returns*.dist-info")
               for line in (dist / "RECORD").read_text(encoding="utf-8").splitlines()]
    tops = {record.split("/")[0] for record in records
            if "/" in record and not record.startswith("../")}  # scripts go to bin/
    assert {top.split("-")[0] for top in tops} <= {"scr_returns", "scr_returns_probation"}, \
        tops
