"""The catalog: the enabled set is re-read from the database every ``refresh`` seconds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scr_returns import AgencySpec, FormSpec, FormVersion, hookimpl
from scr_returns.core.catalog import Catalog
from scr_returns.core.plugins import PluginHost
from scr_returns.core.schemas import DRAFT
from scr_returns.core.storage import Store, make_engine
from tests import testplugin
from tests.support.entry_points import FakeDistribution, FakeEntryPoint, fake_entry_points

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
REFRESH = 1.0


class ThirdParty:
    """An agency installed from a package that is not scr-returns."""

    @hookimpl
    def scr_returns_register_agency(self) -> AgencySpec:
        schema = {"$schema": DRAFT, "$id": "https://scr-returns.invalid/schemas/acme/r.v1.json",
                  "type": "object"}
        return AgencySpec(name="acme", title="Acme", version="2.1", forms=(
            FormSpec(name="report", title="Report", description="x",
                     versions=(FormVersion(1, schema),)),))


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    made = Store(make_engine(database_url))
    yield made
    made.engine.dispose()


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    fake_entry_points(
        monkeypatch,
        FakeEntryPoint("acme", "acme_scr", ThirdParty(), FakeDistribution("acme-scr", "2.1")),
        FakeEntryPoint("testing", "tests.testplugin", testplugin,
                       FakeDistribution("scr-returns", "0.1.0")))
    return PluginHost()


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def catalog(host: PluginHost, store: Store, monotonic: FakeMonotonic) -> Catalog:
    return Catalog(host, store, refresh=REFRESH, monotonic=monotonic)


def set_state(store: Store, name: str, enabled: bool) -> None:
    """What another worker or host does: write the state, not tell this catalog."""
    with store.write() as tx:
        tx.set_plugin_state(name, enabled, by="tok_other", now=NOW)


def test_defaults_builtin_enabled_third_party_disabled(catalog: Catalog) -> None:
    assert [(p.name, on) for p, on in catalog.plugins()] == [("acme", False), ("testing", True)]
    assert [p.name for p in catalog.enabled()] == ["testing"]
    assert catalog.agency("acme") is None
    assert catalog.form("acme", "report") is None
    assert catalog.form("acme", "report", enabled_only=False) is not None
    assert catalog.form("testing", "chronology") is not None


def test_a_change_is_seen_after_the_refresh_interval(catalog: Catalog, store: Store,
                                                     monotonic: FakeMonotonic) -> None:
    assert catalog.agency("testing") is not None and catalog.agency("acme") is None
    set_state(store, "testing", False)
    set_state(store, "acme", True)
    monotonic.now += REFRESH * 0.9
    assert catalog.agency("testing") is not None  # still the state read before
    assert catalog.agency("acme") is None
    monotonic.now += REFRESH * 0.1
    assert catalog.agency("testing") is None
    assert catalog.agency("acme") is not None
    set_state(store, "testing", True)
    monotonic.now += REFRESH
    assert catalog.agency("testing") is not None


def test_the_database_is_read_once_per_interval(catalog: Catalog, store: Store,
                                                monotonic: FakeMonotonic,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[None] = []
    original = store.read

    def counting() -> object:
        reads.append(None)
        return original()

    monkeypatch.setattr(store, "read", counting)
    for _ in range(5):
        catalog.enabled()
    assert len(reads) == 1
    monotonic.now += REFRESH
    catalog.enabled()
    assert len(reads) == 2


def test_invalidate_reads_at_once(catalog: Catalog, store: Store) -> None:
    catalog.enabled()
    set_state(store, "acme", True)
    assert catalog.agency("acme") is None
    catalog.invalidate()
    assert catalog.agency("acme") is not None


def test_a_stored_state_overrides_the_default_both_ways(catalog: Catalog, store: Store) -> None:
    set_state(store, "testing", False)
    set_state(store, "acme", True)
    catalog.invalidate()
    assert [(p.name, on) for p, on in catalog.plugins()] == [("acme", True), ("testing", False)]
