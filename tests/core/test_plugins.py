"""The plugin host refuses, naming the plugin, anything that would fail later."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from core import AgencySpec, FormSpec, FormVersion, hookimpl
from core.errors import PluginLoadError
from core.plugins import GROUP, PluginHost
from core.schemas import DRAFT
from tests import testplugin

SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "https://scr-returns.invalid/schemas/acme/report.v1.json",
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "additionalProperties": False,
}


def agency(name: str = "acme", **form_changes: Any) -> AgencySpec:
    form = FormSpec(name="report", title="Report", description="A summary.",
                    versions=(FormVersion(1, SCHEMA),))
    return AgencySpec(name=name, title=name.title(), version="1.0",
                      forms=(replace(form, **form_changes),))


class Plugin:
    """A throw-away plugin object whose hook returns ``spec``."""

    def __init__(self, spec: AgencySpec) -> None:
        self.spec = spec

    @hookimpl
    def scr_returns_register_agency(self) -> AgencySpec:
        return self.spec


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


class Misspelt:
    @hookimpl
    def scr_returns_register_agnecy(self) -> AgencySpec:
        return agency()


def test_a_misspelt_hook_implementation() -> None:
    error = refused(lambda: host(acme=Misspelt()), "acme")
    assert "scr_returns_register_agnecy" in str(error)


@dataclass
class FakeDistribution:
    name: str
    version: str


@dataclass
class FakeEntryPoint:
    """What ``importlib.metadata.entry_points(group=...)`` yields, as far as the host looks."""

    name: str
    value: str
    loaded: object = None
    dist: FakeDistribution | None = None
    group: str = GROUP

    def load(self) -> object:
        if self.loaded is None:
            raise ModuleNotFoundError(f"No module named {self.value!r}")
        return self.loaded


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, *eps: FakeEntryPoint) -> None:
    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        assert group == GROUP
        return list(eps)

    monkeypatch.setattr("core.plugins.metadata.entry_points", entry_points)


def test_an_entry_point_whose_import_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, FakeEntryPoint("acme", "acme_scr_plugin"))
    refused(PluginHost, "acme", "acme_scr_plugin", "ModuleNotFoundError")


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
    refused(PluginHost, "Acme", "plugin name")


def test_one_plugin_registered_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, FakeEntryPoint("acme", "acme", Plugin(agency())))
    refused(lambda: PluginHost(extra={"acme": Plugin(agency(name="other"))}), "acme",
            "two plugins")
