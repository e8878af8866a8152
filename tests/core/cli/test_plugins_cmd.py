"""``scr-returns plugins new`` and ``plugins check`` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from scr_returns.core.cli import main, plugins_cmd
from scr_returns.core.plugins import PluginHost
from tests.support.distributions import pip_install
from tests.support.scaffolds import Make

BIN = Path(sys.executable).parent / "scr-returns"


@pytest.mark.parametrize("name", ["health", "police", "education", "social-care", "legal"])
def test_check_passes_on_each_seed_agency(name: str) -> None:
    result = CliRunner().invoke(main, ["plugins", "check", name])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith(f"{name}: conforms (")
    assert "FAIL" not in result.output


def test_check_verbose_shows_every_example() -> None:
    result = CliRunner().invoke(main, ["plugins", "check", "-v", "police"])
    assert result.exit_code == 0, result.output
    assert "ok   invalid/chronology.v2.pnc-check-letter.json: gives exactly " \
           "police.pnc_id.check_letter" in result.output


def test_check_of_an_unknown_plugin_exits_1() -> None:
    result = CliRunner().invoke(main, ["plugins", "check", "no-such-agency"])
    assert result.exit_code == 1
    assert "no installed plugin or agency is called 'no-such-agency'" in result.output


def test_check_reports_failures_and_exits_1(make_plugin: Make,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def edit(package: Path) -> None:
        (package / "examples/invalid/records-secured.v1.after-submission.json").unlink()

    host, agency, _ = make_plugin(edit)

    def only_this(name: str) -> tuple[PluginHost, str]:
        return host, name

    monkeypatch.setattr(plugins_cmd, "host_for", only_this)
    result = CliRunner().invoke(main, ["plugins", "check", agency])
    assert result.exit_code == 1
    assert "  FAIL Every form version has valid and invalid examples (3/4)" in result.output
    assert "FAIL records-secured v1: no invalid example" in result.output
    last = result.output.splitlines()[-1]
    assert last.startswith(f"{agency}: does NOT conform (")
    assert last.endswith(" checks, 1 failed)")


def test_new_writes_a_plugin_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "housing"
    result = CliRunner().invoke(main, ["plugins", "new", "housing", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "pyproject.toml").read_text().count('housing = "scr_returns_housing"') == 1
    assert (target / "scr_returns_housing/schemas/housing.chronology.v1.schema.json").exists()
    again = CliRunner().invoke(main, ["plugins", "new", "housing", "--dir", str(target)])
    assert again.exit_code == 1
    assert "exists and is not an empty folder" in again.output


def test_new_refuses_a_bad_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["plugins", "new", "Youth_Justice", "--dir",
                                       str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "is not an agency name" in result.output
    assert not (tmp_path / "x").exists()


def test_a_new_plugin_installed_with_pip_passes_check(tmp_path: Path) -> None:
    agency = "scaffold-" + uuid.uuid4().hex[:8]
    made = subprocess.run([str(BIN), "plugins", "new", agency, "--dir", str(tmp_path / agency)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    build = tmp_path / "build"
    build.mkdir()
    site = pip_install(tmp_path / agency, build)
    checked = subprocess.run([str(BIN), "plugins", "check", agency], capture_output=True,
                             text=True, timeout=120, check=False,
                             env={**os.environ, "PYTHONPATH": str(site)})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"distribution scr-returns-{agency}" in checked.stdout
    assert checked.stdout.splitlines()[-1].startswith(f"{agency}: conforms")
