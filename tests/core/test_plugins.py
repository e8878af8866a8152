"""The plugin host refuses, naming the plugin, anything that would fail later.

A plugin handed in directly raises (whoever built the host chose it), and so
do the first tests below; an installed plugin (an entry point) that fails is
left out and listed in ``host.failed`` instead, so the others still load.
"""

from __future__ import annotations

import copy
import importlib
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from scr_returns import AgencySpec, FormVersion, hookimpl
from scr_returns.core.errors import PluginLoadError
from scr_returns.core.plugins import ERROR_MAX, PluginHost
from tests import testplugin
from tests.support.entry_points import FakeDistribution, FakeEntryPoint, fake_entry_points
from tests.support.throwaway_plugins import SCHEMA, Misspelt, Plugin, agency


def host(**plugins: object) -> PluginHost:
    return PluginHost(entry_points=False, extra=plugins)


def refused(make: Callable[[], object], plugin: str, *words: str) -> PluginLoadError:
    with pytest.raises(PluginLoadError) as caught:
        make()
    assert caught.value.plugin == plugin
    assert repr(plugin) in str(caught.value)
    for word in words:
        assert word in str(caught.value)
    return caught.value


def test_a_good_plugin_loads() -> None:
    loaded = host(acme=Plugin(agency()), testing=testplugin)
    assert set(loaded.plugins) == {"acme", "testing"}
    assert loaded.form("acme", "report") is not None
    assert loaded.plugins["acme"].builtin  # handed in directly: chosen by the builder


def test_a_schema_failing_the_meta_schema() -> None:
    bad = copy.deepcopy(SCHEMA)
    bad["properties"]["summary"]["type"] = "text"
    refused(lambda: host(acme=Plugin(agency(versions=(FormVersion(1, bad),)))), "acme",
            "meta-schema", "acme/report v1")


def test_a_schema_of_another_draft() -> None:
    old = {**SCHEMA, "$schema": "http://json-schema.org/draft-07/schema#"}
    refused(lambda: host(acme=Plugin(agency(versions=(FormVersion(1, old),)))), "acme",
            "$schema")


def test_two_plugins_claiming_one_agency() -> None:
    refused(lambda: host(acme=Plugin(agency()), zeta=Plugin(agency())), "zeta",
            "'acme'", "already provided by plugin 'acme'")


def test_a_form_with_no_versions() -> None:
    refused(lambda: host(acme=Plugin(agency(versions=()))), "acme", "'report'", "versions")


def test_a_form_whose_versions_are_all_retired() -> None:
    retired = (FormVersion(1, SCHEMA, retired=True),)
    refused(lambda: host(acme=Plugin(agency(versions=retired))), "acme", "retired")


def test_duplicate_version_numbers() -> None:
    twice = (FormVersion(1, SCHEMA), FormVersion(1, SCHEMA))
    refused(lambda: host(acme=Plugin(agency(versions=twice))), "acme", "distinct versions")


def test_an_unresolvable_ref() -> None:
    dangling = {**SCHEMA, "properties": {"summary": {
        "$ref": "https://scr-returns.invalid/schemas/common/nowhere.v1.json#/$defs/x"}}}
    refused(lambda: host(acme=Plugin(agency(versions=(FormVersion(1, dangling),)))), "acme",
            "acme/report v1")


def test_a_bad_agency_name() -> None:
    refused(lambda: host(acme=Plugin(agency(name="Acme Agency"))), "acme", "agency name")


def test_a_hook_that_raises() -> None:
    class Raising:
        @hookimpl
        def scr_returns_register_agency(self) -> AgencySpec:
            raise ValueError("cannot read my schemas")

    refused(lambda: host(acme=Raising()), "acme", "cannot read my schemas")


def test_a_hook_that_returns_something_else() -> None:
    class Wrong:
        @hookimpl
        def scr_returns_register_agency(self) -> dict[str, str]:
            return {"name": "acme"}

    refused(lambda: host(acme=Wrong()), "acme", "AgencySpec")


def test_a_misspelt_hook_implementation() -> None:
    error = refused(lambda: host(acme=Misspelt()), "acme")
    assert "scr_returns_register_agnecy" in str(error)


def installed(monkeypatch: pytest.MonkeyPatch, **plugins: object) -> PluginHost:
    """A host over these plugins as installed packages (entry points), in this order."""
    fake_entry_points(monkeypatch, *(
        FakeEntryPoint(name, f"{name}_scr", plugin, FakeDistribution(f"{name}-scr", "2.1"))
        for name, plugin in plugins.items()))
    return PluginHost()


def test_an_entry_point_whose_import_fails_is_listed_not_fatal(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fake_entry_points(monkeypatch,
                      FakeEntryPoint("acme", "acme_scr_plugin",
                                     dist=FakeDistribution("acme-scr", "2.1")),
                      FakeEntryPoint("testing", "tests.testplugin", testplugin))
    with caplog.at_level(logging.ERROR, logger="scr_returns.core.plugins"):
        loaded = PluginHost()
    assert set(loaded.plugins) == {"testing"}
    failure = loaded.failed["acme"]
    assert failure.error == ("failed to import 'acme_scr_plugin': ModuleNotFoundError: "
                             "No module named 'acme_scr_plugin'")
    assert (failure.distribution, failure.version, failure.agency) == ("acme-scr", "2.1", None)
    assert not failure.builtin
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "'acme'" in record.getMessage() and "ModuleNotFoundError" in record.getMessage()


def test_strict_raises_as_a_checking_tool_wants(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, FakeEntryPoint("acme", "acme_scr_plugin"))
    refused(lambda: PluginHost(strict=True), "acme", "acme_scr_plugin", "ModuleNotFoundError")


@pytest.mark.parametrize(("plugin", "words"), [
    (Plugin(agency(versions=())), "versions"),
    (Plugin(agency(name="Acme Agency")), "agency name"),
    (Plugin(agency(versions=(FormVersion(1, {**SCHEMA, "type": "thing"}),))),
     "meta-schema"),
    (Plugin(agency(versions=(FormVersion(1, {**SCHEMA, "properties": {"summary": {
        "$ref": "https://scr-returns.invalid/schemas/common/nowhere.v1.json"}}}),))),
     "does not compile"),
    (Misspelt(), "scr_returns_register_agnecy"),
], ids=["no-versions", "agency-name", "meta-schema", "compile", "misspelt-hook"])
def test_an_installed_plugin_that_fails_leaves_the_others_loaded(
        monkeypatch: pytest.MonkeyPatch, plugin: object, words: str) -> None:
    loaded = installed(monkeypatch, acme=plugin, testing=testplugin)
    assert set(loaded.plugins) == {"testing"} and set(loaded.failed) == {"acme"}
    assert loaded.form("testing", "chronology") is not None
    assert words in loaded.failed["acme"].error
    assert loaded.pm.get_plugin("acme") is None  # its hooks are never called again


def test_a_hook_that_raises_is_listed_with_the_exception(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Raising:
        @hookimpl
        def scr_returns_register_agency(self) -> AgencySpec:
            raise ValueError("cannot read my schemas\n  at line 3")

    loaded = installed(monkeypatch, acme=Raising(), testing=testplugin)
    assert loaded.failed["acme"].error == \
        "scr_returns_register_agency raised ValueError: cannot read my schemas at line 3"


class ImportingEntryPoint(FakeEntryPoint):
    """An entry point whose module is imported for real when loaded."""

    def load(self) -> object:
        return importlib.import_module(self.value)


def test_a_plugin_written_for_0_1_is_told_how_to_change(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    (tmp_path / "old_scr_plugin.py").write_text(
        "from core import AgencySpec, hookimpl\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    fake_entry_points(monkeypatch, ImportingEntryPoint(
        "old", "old_scr_plugin", dist=FakeDistribution("old-scr", "1.0")))
    error = PluginHost().failed["old"].error
    assert error.startswith("failed to import 'old_scr_plugin': ModuleNotFoundError: ")
    assert "written for scr-returns 0.1" in error
    assert "'from core import X' becomes 'from scr_returns import X'" in error


def test_another_missing_module_gets_no_upgrade_hint(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    (tmp_path / "needy_scr_plugin.py").write_text("import not_installed_anywhere\n",
                                                  encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    fake_entry_points(monkeypatch, ImportingEntryPoint("needy", "needy_scr_plugin"))
    assert "0.1" not in PluginHost().failed["needy"].error


def test_the_second_claim_to_an_agency_is_listed_the_first_loads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = installed(monkeypatch, zeta=Plugin(agency()), acme=Plugin(agency()))
    assert set(loaded.plugins) == {"acme"} and loaded.by_agency["acme"].name == "acme"
    failure = loaded.failed["zeta"]
    assert failure.agency == "acme"
    assert "agency 'acme' is already provided by plugin 'acme'" in failure.error


def test_an_installed_package_never_displaces_a_built_in_agency(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # "aaa" sorts before "police": by name alone it would take the agency.
    fake_entry_points(
        monkeypatch,
        FakeEntryPoint("aaa", "aaa_scr", Plugin(agency(name="police")),
                       FakeDistribution("aaa-scr", "1.0")),
        FakeEntryPoint("police", "scr_returns.plugins.police", Plugin(agency(
            name="police", versions=(
                FormVersion(1, {**SCHEMA, "$id": "https://example.invalid/police.json"}),))),
            FakeDistribution("scr-returns", "0.1.0")))
    loaded = PluginHost()
    assert loaded.by_agency["police"].name == "police" and loaded.plugins["police"].builtin
    assert "already provided by plugin 'police'" in loaded.failed["aaa"].error


def test_a_schema_id_another_plugin_uses_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    other = {**SCHEMA, "required": ["summary"]}  # same $id, another schema
    loaded = installed(monkeypatch, acme=Plugin(agency()),
                       zeta=Plugin(agency(name="zeta", versions=(FormVersion(1, other),))))
    assert set(loaded.plugins) == {"acme"}
    assert "is already used by another schema" in loaded.failed["zeta"].error


def test_a_plugin_resolves_only_the_shared_schemas_and_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    borrowing = {**SCHEMA, "$id": "https://scr-returns.invalid/schemas/zeta/report.v1.json",
                 "properties": {"summary": {"$ref": str(SCHEMA["$id"])}}}
    loaded = installed(
        monkeypatch, acme=Plugin(agency()),
        zeta=Plugin(agency(name="zeta", versions=(FormVersion(1, borrowing),))))
    assert set(loaded.plugins) == {"acme"}
    assert "zeta/report v1: schema does not compile" in loaded.failed["zeta"].error
    assert str(SCHEMA["$id"]) in loaded.library
    assert str(borrowing["$id"]) not in loaded.library


def test_a_long_load_error_is_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    class Raising:
        @hookimpl
        def scr_returns_register_agency(self) -> AgencySpec:
            raise RuntimeError("x" * 5000)

    error = installed(monkeypatch, acme=Raising()).failed["acme"].error
    assert len(error) == ERROR_MAX and error.endswith("…")


def test_entry_points_load_with_their_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(
        monkeypatch,
        FakeEntryPoint("acme", "acme_scr", Plugin(agency()), FakeDistribution("acme-scr", "2.1")),
        FakeEntryPoint("testing", "tests.testplugin", testplugin,
                       FakeDistribution("scr-returns", "0.1.0")))
    loaded = PluginHost()
    acme, testing = loaded.plugins["acme"], loaded.plugins["testing"]
    assert (acme.distribution, acme.builtin) == ("acme-scr", False)
    assert (testing.distribution, testing.builtin) == ("scr-returns", True)


def test_a_blocked_entry_point_is_not_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, FakeEntryPoint("acme", "acme_scr_plugin"),
                      FakeEntryPoint("testing", "tests.testplugin", testplugin))
    assert set(PluginHost(blocked=["acme"]).plugins) == {"testing"}


def test_a_bad_plugin_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, FakeEntryPoint("Acme", "acme", Plugin(agency())))
    loaded = PluginHost()
    assert not loaded.plugins
    assert "plugin name" in loaded.failed["Acme"].error
    refused(lambda: PluginHost(strict=True), "Acme", "plugin name")


def test_two_installed_plugins_under_one_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(
        monkeypatch,
        FakeEntryPoint("acme", "acme", Plugin(agency()), FakeDistribution("acme-scr", "2.1")),
        FakeEntryPoint("acme", "acme2", Plugin(agency(name="other")),
                       FakeDistribution("acme-fork", "9.0")))
    loaded = PluginHost()
    assert loaded.plugins["acme"].distribution == "acme-scr"  # the first keeps its name
    assert loaded.form("acme", "report") is not None
    failure = loaded.failed["acme"]
    assert failure.distribution == "acme-fork" and "two plugins" in failure.error


def test_one_plugin_registered_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, FakeEntryPoint("acme", "acme", Plugin(agency())))
    refused(lambda: PluginHost(extra={"acme": Plugin(agency(name="other"))}), "acme",
            "two plugins")
