"""Enabling and disabling agency plugins at run time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.audit import AuditEntry
from core.auth import Principal
from core.catalog import Catalog
from core.errors import NotFoundError
from core.plugins import LoadedPlugin
from core.storage import Store


def describe_plugin(plugin: LoadedPlugin, enabled: bool) -> dict[str, Any]:
    return {
        "name": plugin.name,
        "agency": plugin.agency.name,
        "title": plugin.agency.title,
        "version": plugin.version,
        "distribution": plugin.distribution,
        "builtin": plugin.builtin,
        "enabled": enabled,
        "forms": {name: [v.version for v in f.spec.offered] for name, f in plugin.forms.items()},
        "load_error": None,
    }


class PluginService:
    def __init__(self, store: Store, catalog: Catalog, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock

    def list(self) -> list[dict[str, Any]]:
        return [describe_plugin(p, on) for p, on in self.catalog.plugins()]

    def set_enabled(self, principal: Principal, name: str, enabled: bool, *,
                    audit: AuditEntry | None = None) -> dict[str, Any]:
        plugin = self.catalog.host.plugins.get(name)
        if plugin is None:
            raise NotFoundError(f"No plugin named {name!r} is installed.")
        with self.store.write() as tx:
            now = self.clock()
            tx.set_plugin_state(name, enabled, by=principal.token_id, now=now)
            if audit is not None:
                audit.append(tx, 200, now, target=name)
        self.catalog.invalidate()
        return describe_plugin(plugin, enabled)
