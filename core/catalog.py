"""What is offered now: installed plugins filtered by the enabled set in the database.

The enabled set is read from the database at most every ``refresh`` seconds
per process, so an admin's change reaches every worker and every host within
that time, with no restart. A plugin with no stored state is enabled if it
ships with scr-returns itself and disabled otherwise: installing a package
never opens a new intake of children's data by itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from scr_returns.core.plugins import LoadedForm, LoadedPlugin, PluginFailure, PluginHost
from scr_returns.core.storage import Store


class Catalog:
    """The plugin host and the enabled set, kept fresh."""

    def __init__(self, host: PluginHost, store: Store, *, refresh: float = 0.5,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.host = host
        self.store = store
        self.refresh = refresh
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._stored: dict[str, bool] = {}
        self._read_at = float("-inf")

    def _states(self) -> dict[str, bool]:
        now = self._monotonic()
        if now - self._read_at >= self.refresh:
            with self._lock:
                if now - self._read_at >= self.refresh:
                    with self.store.read() as tx:
                        self._stored = tx.plugin_states()
                    self._read_at = now
        return self._stored

    def invalidate(self) -> None:
        self._read_at = float("-inf")

    def is_enabled(self, plugin: LoadedPlugin | PluginFailure) -> bool:
        """Its stored state, else the default: built-in agencies on, installed ones off."""
        return self._states().get(plugin.name, plugin.builtin)

    def enabled_failures(self) -> list[PluginFailure]:
        """Plugins that failed to load although they are enabled: agencies gone missing."""
        if not self.host.failed:
            return []  # no database read when every plugin loaded
        return [f for _, f in sorted(self.host.failed.items()) if self.is_enabled(f)]

    def plugins(self) -> list[tuple[LoadedPlugin, bool]]:
        """Every installed plugin with whether it is enabled now."""
        return [(p, self.is_enabled(p)) for _, p in sorted(self.host.plugins.items())]

    def enabled(self) -> list[LoadedPlugin]:
        return [p for p, on in self.plugins() if on]

    def agency(self, name: str, *, enabled_only: bool = True) -> LoadedPlugin | None:
        plugin = self.host.by_agency.get(name)
        if plugin is None or (enabled_only and not self.is_enabled(plugin)):
            return None
        return plugin

    def form(self, agency: str, form: str, *, enabled_only: bool = True) -> LoadedForm | None:
        plugin = self.agency(agency, enabled_only=enabled_only)
        return plugin.forms.get(form) if plugin else None
