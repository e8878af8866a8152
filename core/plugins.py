"""The plugin host: finds, loads and checks agency plugins (pluggy).

Start-up order, as tox does it: hook specs, then entry points of the group
``scr_returns`` (built-in agencies are registered there exactly like
third-party ones), then any plugins handed in directly (tests), then
``check_pending()``; then each plugin's agency is collected and checked. Any
failure stops start-up with a message naming the plugin and the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from core import hookspecs
from core.descriptors import NAME_RE, AgencySpec, FormSpec
from core.errors import PluginLoadError
from core.schemas import SchemaLibrary, SchemaProblem, check_schema
from core.validation import PythonEngine, RustEngine, SchemaEngine

log = logging.getLogger(__name__)

GROUP = "scr_returns"
BUILTIN_DIST = "scr-returns"


@dataclass(frozen=True)
class LoadedForm:
    """A form ready to validate: its spec and one compiled engine per version."""

    plugin: str
    agency: str
    spec: FormSpec
    engines: Mapping[int, SchemaEngine]


@dataclass(frozen=True)
class LoadedPlugin:
    """An installed plugin; ``builtin`` ones are enabled until an admin disables them."""

    name: str
    agency: AgencySpec
    distribution: str | None
    version: str
    builtin: bool
    forms: Mapping[str, LoadedForm]


class PluginHost:
    """Every installed plugin, loaded and checked, keyed by plugin and by agency."""

    def __init__(self, *, engine: str = "rust", entry_points: bool = True,
                 extra: Mapping[str, object] | None = None,
                 blocked: Iterable[str] = ()) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._dist: dict[str, tuple[str | None, str]] = {}
        for name in blocked:
            self.pm.set_blocked(name)
        if entry_points:
            self._load_entry_points()
        # Plugins handed in directly were chosen by whoever built the host (a
        # test, an embedding application): they count as built in.
        self._direct = set(extra or {})
        for name, plugin in (extra or {}).items():
            self._register(name, plugin, dist=None, version="0")
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginLoadError(self.pm.get_name(exc.plugin) or str(exc.plugin),
                                  str(exc)) from None
        self.library = SchemaLibrary.with_shared()
        self.plugins: dict[str, LoadedPlugin] = {}
        self.by_agency: dict[str, LoadedPlugin] = {}
        self._engine_cls: type[RustEngine] | type[PythonEngine] = \
            RustEngine if engine == "rust" else PythonEngine
        self._collect()

    # -- loading -----------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
            if self.pm.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginLoadError(ep.name, f"failed to import {ep.value!r}: "
                                      f"{type(exc).__name__}: {exc}") from exc
            dist = ep.dist
            self._register(ep.name, plugin, dist=dist.name if dist else None,
                           version=dist.version if dist else "0")

    def _register(self, name: str, plugin: object, *, dist: str | None, version: str) -> None:
        if not NAME_RE.match(name):
            raise PluginLoadError(name, "a plugin name must match [a-z][a-z0-9-]*")
        if self.pm.has_plugin(name):
            raise PluginLoadError(name, "two plugins are registered under this name")
        try:
            self.pm.register(plugin, name=name)
        except ValueError as exc:
            raise PluginLoadError(name, str(exc)) from None
        self._dist[name] = (dist, version)

    def _collect(self) -> None:
        specs: list[tuple[str, AgencySpec]] = []
        for impl in self.pm.hook.scr_returns_register_agency.get_hookimpls():
            try:
                spec = impl.function()
            except Exception as exc:
                raise PluginLoadError(impl.plugin_name,
                                      f"scr_returns_register_agency raised {exc!r}") from exc
            if not isinstance(spec, AgencySpec):
                raise PluginLoadError(impl.plugin_name,
                                      "scr_returns_register_agency must return an AgencySpec")
            specs.append((impl.plugin_name, spec))
        claimed: dict[str, str] = {}
        for plugin, spec in sorted(specs):
            if spec.name in claimed:
                raise PluginLoadError(plugin, f"agency {spec.name!r} is already provided by "
                                      f"plugin {claimed[spec.name]!r}")
            claimed[spec.name] = plugin
            self._check_agency(plugin, spec)
            for form in spec.forms:
                for v in form.versions:
                    self.library.add(v.schema, where=f"{spec.name}/{form.name} v{v.version}")
        for plugin, spec in sorted(specs):
            dist, version = self._dist.get(plugin, (None, "0"))
            forms = {f.name: LoadedForm(plugin, spec.name, f, self._compile(plugin, spec, f))
                     for f in spec.forms}
            loaded = LoadedPlugin(plugin, spec, dist, spec.version or version,
                                  dist == BUILTIN_DIST or plugin in self._direct, forms)
            self.plugins[plugin] = loaded
            self.by_agency[spec.name] = loaded

    def _check_agency(self, plugin: str, spec: AgencySpec) -> None:
        def fail(reason: str) -> PluginLoadError:
            return PluginLoadError(plugin, reason)

        if not NAME_RE.match(spec.name):
            raise fail(f"agency name {spec.name!r} must match [a-z][a-z0-9-]*")
        if not spec.forms:
            raise fail(f"agency {spec.name!r} declares no forms")
        names = [f.name for f in spec.forms]
        if len(set(names)) != len(names):
            raise fail(f"agency {spec.name!r} declares a form twice")
        for form in spec.forms:
            if not NAME_RE.match(form.name):
                raise fail(f"form name {form.name!r} must match [a-z][a-z0-9-]*")
            numbers = [v.version for v in form.versions]
            if not numbers or len(set(numbers)) != len(numbers) or min(numbers) < 1:
                raise fail(f"form {form.name!r} needs distinct versions numbered from 1")
            if not form.offered:
                raise fail(f"form {form.name!r} has no version that is not retired")
            for rule in form.rules:
                if not callable(rule):
                    raise fail(f"form {form.name!r} has a rule that is not callable")
            for v in form.versions:
                try:
                    check_schema(v.schema, where=f"{spec.name}/{form.name} v{v.version}")
                except SchemaProblem as exc:
                    raise fail(str(exc)) from None

    def _compile(self, plugin: str, spec: AgencySpec, form: FormSpec) -> dict[int, SchemaEngine]:
        engines: dict[int, SchemaEngine] = {}
        for v in form.versions:
            try:
                engines[v.version] = self._engine_cls(v.schema, self.library)
            except Exception as exc:
                raise PluginLoadError(plugin, f"{spec.name}/{form.name} v{v.version}: schema "
                                      f"does not compile: {exc}") from exc
        return engines

    # -- queries -----------------------------------------------------------------------
    def form(self, agency: str, form: str) -> LoadedForm | None:
        loaded = self.by_agency.get(agency)
        return loaded.forms.get(form) if loaded else None

    def python_engine(self, schema: Mapping[str, Any]) -> PythonEngine:
        """The reference engine over the same library (the differential test uses it)."""
        return PythonEngine(schema, self.library)
