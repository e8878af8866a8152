"""Assembling a deployment: an enabled plugin that failed to load stops the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scr_returns.core.bootstrap import build_services, refuse_missing_agencies
from scr_returns.core.errors import PluginLoadError
from scr_returns.core.http import create_app
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from tests.support.entry_points import install_with_a_broken_plugin

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def broken(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Services over installed plugins of which ``acme`` (third party) fails to import."""
    services = build_services(settings, host=install_with_a_broken_plugin(monkeypatch))
    yield services
    services.store.engine.dispose()


def _set(services: Services, name: str, enabled: bool) -> None:
    with services.store.write() as tx:
        tx.set_plugin_state(name, enabled, by=None, now=NOW)
    services.catalog.invalidate()


def test_a_disabled_plugin_that_failed_is_only_listed(broken: Services) -> None:
    # Third-party plugins start disabled: acme's failure takes no agency away.
    refuse_missing_agencies(broken)
    create_app(services=broken)
    assert [p["load_error"] is not None for p in broken.plugins.list()
            if p["name"] == "acme"] == [True]


def test_an_enabled_plugin_that_failed_stops_the_service(broken: Services) -> None:
    _set(broken, "acme", True)
    listed = {p["name"]: p for p in broken.plugins.list()}
    assert listed["acme"]["enabled"] is True  # as stored: the reason serve refuses
    with pytest.raises(PluginLoadError, match="acme") as raised:
        refuse_missing_agencies(broken)
    assert "scr-returns plugins disable acme" in str(raised.value)
    with pytest.raises(PluginLoadError, match="acme"):
        create_app(services=broken)
    _set(broken, "acme", False)  # the way out the message names
    refuse_missing_agencies(broken)
    create_app(services=broken)


def test_with_every_plugin_loaded_the_check_reads_nothing(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker starting while the database is away must still serve /v1/health.
    def unreachable() -> None:
        raise AssertionError("the database was read")

    monkeypatch.setattr(services.store, "read", unreachable)
    services.catalog.invalidate()
    assert services.catalog.host.failed == {}
    refuse_missing_agencies(services)
