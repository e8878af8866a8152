"""Assembling a deployment from settings: engine, store, plugins, catalog, services."""

from __future__ import annotations

from collections.abc import Mapping

from scr_returns.core.catalog import Catalog
from scr_returns.core.errors import PluginLoadError
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Clock, Services, utcnow
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine
from scr_returns.core.storage.auditkey import AuditKeySource


def build_services(settings: Settings, *, host: PluginHost | None = None,
                   store: Store | None = None, clock: Clock = utcnow,
                   extra_plugins: Mapping[str, object] | None = None) -> Services:
    """Everything the HTTP app and the command line need, wired once.

    A store handed in without an audit key source gets the settings' one: every
    audit record the services write is keyed.
    """
    if store is None:
        store = Store(make_engine(settings.database_url,
                                  busy_timeout=settings.sqlite_busy_timeout))
    if store.audit_keys is None:
        store.audit_keys = AuditKeySource(settings.audit_key_path)
    if host is None:
        host = PluginHost(engine=settings.schema_engine, extra=extra_plugins)
    catalog = Catalog(host, store, refresh=settings.plugin_refresh_seconds)
    return Services(settings=settings, store=store, catalog=catalog, clock=clock)


def refuse_missing_agencies(services: Services) -> None:
    """Stop start-up if an enabled plugin failed to load: an agency must never go missing
    unnoticed. A disabled one that fails is only listed, with its error, for the admin.

    The command line does not call this, so that ``scr-returns plugins disable NAME``
    still works to start without the broken plugin.
    """
    for failure in services.catalog.enabled_failures():
        raise PluginLoadError(failure.name, f"{failure.error} (it is enabled: mend it, or "
                              f"disable it with 'scr-returns plugins disable {failure.name}' "
                              "to serve without it)")
