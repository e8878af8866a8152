"""Enabling and disabling agency plugins at run time; listing them with any load error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scr_returns.core.audit import AuditEntry
from scr_returns.core.auth import Principal
from scr_returns.core.catalog import Catalog
from scr_returns.core.errors import ConflictError, NotFoundError
from scr_returns.core.plugins import LoadedPlugin, PluginFailure
from scr_returns.core.storage import Store


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


def describe_failure(failure: PluginFailure, enabled: bool) -> dict[str, Any]:
    """A plugin that failed to load: no forms, and why (one line). ``enabled`` is its
    stored state: a failed plugin left enabled keeps the service from starting."""
    return {
        "name": failure.name,
        "agency": failure.agency,
        "title": None,
        "version": failure.version,
        "distribution": failure.distribution,
        "builtin": failure.builtin,
        "enabled": enabled,
        "forms": {},
        "load_error": failure.error,
    }


class PluginService:
    def __init__(self, store: Store, catalog: Catalog, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock

    def list(self) -> list[dict[str, Any]]:
        """Every installed plugin by name, those that failed to load included."""
        listed = [describe_plugin(p, on) for p, on in self.catalog.plugins()]
        listed += [describe_failure(f, self.catalog.is_enabled(f))
                   for f in self.catalog.host.failed.values()]
        return sorted(listed, key=lambda p: str(p["name"]))

    def set_enabled(self, principal: Principal, name: str, enabled: bool, *,
                    audit: AuditEntry | None = None) -> dict[str, Any]:
        """Store the plugin's state; a plugin that failed to load may be disabled, not enabled.

        Disabling a broken plugin is kept, so that it stays off once it is mended.
        """
        plugin = self.catalog.host.plugins.get(name)
        failure = self.catalog.host.failed.get(name)
        if plugin is not None:
            described = describe_plugin(plugin, enabled)
        elif failure is None:
            raise NotFoundError(f"No plugin named {name!r} is installed.")
        elif enabled:
            raise ConflictError(f"Plugin {name!r} failed to load ({failure.error}); it cannot "
                                "be enabled until it is mended and the service restarted.")
        else:
            described = describe_failure(failure, enabled)
        with self.store.write() as tx:
            now = self.clock()
            tx.set_plugin_state(name, enabled, by=principal.token_id, now=now)
            if audit is not None:
                audit.append(tx, 200, now, target=name)
        self.catalog.invalidate()
        return described
