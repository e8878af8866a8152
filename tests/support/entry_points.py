"""Installed plugins, faked: entry points as ``importlib.metadata`` yields them; a bad install."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from scr_returns.core.plugins import GROUP, PluginHost
from tests import testplugin
from tests.support.throwaway_plugins import Plugin, agency


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

    monkeypatch.setattr("scr_returns.core.plugins.metadata.entry_points", entry_points)


def install_with_a_broken_plugin(monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    """A host as installed: ``acme`` fails to import; ``testing`` (built in), ``zeta`` load."""
    fake_entry_points(
        monkeypatch,
        FakeEntryPoint("acme", "acme_scr_plugin", dist=FakeDistribution("acme-scr", "2.1")),
        FakeEntryPoint("testing", "tests.testplugin", testplugin,
                       FakeDistribution("scr-returns", "0.1.0")),
        FakeEntryPoint("zeta", "zeta_scr", Plugin(agency(name="zeta")),
                       FakeDistribution("zeta-scr", "1.0")))
    return PluginHost()


BROKEN_ERROR = ("failed to import 'acme_scr_plugin': ModuleNotFoundError: "
                "No module named 'acme_scr_plugin'")
