"""Assembling a deployment from settings: engine, store, plugins, catalog, services."""

from __future__ import annotations

from collections.abc import Mapping

from core.catalog import Catalog
from core.plugins import PluginHost
from core.service import Clock, Services, utcnow
from core.settings import Settings
from core.storage import Store, make_engine


def build_services(settings: Settings, *, host: PluginHost | None = None,
                   store: Store | None = None, clock: Clock = utcnow,
                   extra_plugins: Mapping[str, object] | None = None) -> Services:
    """Everything the HTTP app and the command line need, wired once."""
    if store is None:
        store = Store(make_engine(settings.database_url,
                                  busy_timeout=settings.sqlite_busy_timeout))
    if host is None:
        host = PluginHost(engine=settings.schema_engine, extra=extra_plugins)
    catalog = Catalog(host, store, refresh=settings.plugin_refresh_seconds)
    return Services(settings=settings, store=store, catalog=catalog, clock=clock)
