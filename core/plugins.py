"""The plugin host: finds, loads and checks agency plugins (pluggy).

Start-up order, as tox does it: hook specs, then entry points of the group
``scr_returns`` (built-in agencies are registered there exactly like
third-party ones), then any plugins handed in directly (tests), then
``check_pending()``; then each plugin's agency is collected and checked.

An installed plugin that fails to load (it does not import, registers badly,
claims an agency or schema ``$id`` another plugin holds, or has a schema that
fails the meta-schema or does not compile) is left out: none of its forms is
offered. It is kept in :attr:`PluginHost.failed` with the reason, so that
``GET /v1/admin/plugins`` and ``scr-returns plugins list`` show it, and is
logged once at ERROR. If it is enabled, the service refuses to start
(:func:`scr_returns.core.bootstrap.refuse_missing_agencies`): an agency must never go
missing unnoticed; a disabled one that fails is only listed, and the command
line keeps working, so that ``scr-returns plugins disable NAME`` can start the
service without it. A plugin handed in directly was chosen by whoever built
the host, so its failure raises :class:`~scr_returns.core.errors.PluginLoadError`, as every
failure does with ``strict=True`` (a tool that checks one plugin wants to be
told).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from scr_returns.core import hookspecs
from scr_returns.core.descriptors import NAME_RE, AgencySpec, FormSpec
from scr_returns.core.errors import PluginLoadError
from scr_returns.core.schemas import SchemaLibrary, SchemaProblem, check_schema, shared_schemas
from scr_returns.core.validation import PythonEngine, RustEngine, SchemaEngine

log = logging.getLogger(__name__)

GROUP = "scr_returns"
BUILTIN_DIST = "scr-returns"
ERROR_MAX = 500  # characters of a load error shown to an admin; the log has it all


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


@dataclass(frozen=True)
class PluginFailure:
    """An installed plugin that failed to load: listed with ``error``, never offered.

    ``error`` is one line, the loader's reason (exception type and message),
    with no traceback; ``agency`` is known only if its hook answered.
    """

    name: str
    error: str
    distribution: str | None
    version: str
    builtin: bool
    agency: str | None = None


def _one_line(reason: str) -> str:
    text = re.sub(r"\s+", " ", reason).strip()
    return text if len(text) <= ERROR_MAX else text[:ERROR_MAX - 1] + "…"


OLD_PACKAGES = ("core", "plugins", "schemas")
"""What scr-returns 0.1 installed as top-level packages: since 0.2, scr_returns.*."""


def _upgrade_hint(exc: Exception) -> str:
    """What to change in a plugin written for 0.1 that imports ``core``."""
    # ModuleNotFoundError, or ImportError when another package has a "core" of its own
    missing = exc.name if isinstance(exc, ImportError) else None
    if missing is None or missing.split(".")[0] not in OLD_PACKAGES:
        return ""
    return (" (this plugin was written for scr-returns 0.1, whose API was imported from "
            "'core': since 0.2 it is 'scr_returns', so 'from core import X' becomes "
            "'from scr_returns import X'; see docs/plugins.md, 'Upgrading a 0.1 plugin')")


def _schemas(spec: AgencySpec) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for form in spec.forms:
        for v in form.versions:
            yield f"{spec.name}/{form.name} v{v.version}", v.schema


class PluginHost:
    """Every installed plugin, loaded and checked, keyed by plugin and by agency.

    ``plugins`` and ``by_agency`` hold the plugins that loaded; ``failed`` the
    ones that did not, by plugin name.
    """

    def __init__(self, *, engine: str = "rust", entry_points: bool = True,
                 extra: Mapping[str, object] | None = None,
                 blocked: Iterable[str] = (), strict: bool = False) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.strict = strict
        self.failed: dict[str, PluginFailure] = {}
        self._dist: dict[str, tuple[str | None, str]] = {}
        # Plugins handed in directly were chosen by whoever built the host (a
        # test, an embedding application): they count as built in.
        self._direct = set(extra or {})
        for name in blocked:
            self.pm.set_blocked(name)
        if entry_points:
            self._load_entry_points()
        for name, plugin in (extra or {}).items():
            self._register(name, plugin, dist=None, version="0")
        self._check_pending()
        self._shared = shared_schemas()
        self.library: SchemaLibrary  # the shared schemas and every loaded plugin's
        self.plugins: dict[str, LoadedPlugin] = {}
        self.by_agency: dict[str, LoadedPlugin] = {}
        self._engine_cls: type[RustEngine] | type[PythonEngine] = \
            RustEngine if engine == "rust" else PythonEngine
        self._collect()

    # -- failures ----------------------------------------------------------------------
    def _fail(self, error: PluginLoadError, *, agency: str | None = None,
              source: tuple[str | None, str] | None = None, unregister: bool = True) -> None:
        """Leave the plugin out and record why; raise instead if it must not fail.

        ``source`` is its distribution and version when not the registered
        plugin's; ``unregister=False`` when the name may belong to another plugin.
        """
        name = error.plugin
        if self.strict or name in self._direct:
            raise error
        log.error("plugin %r failed to load; its forms are not offered: %s", name,
                  error.reason, exc_info=error.__cause__)
        if unregister and (registered := self.pm.get_plugin(name)) is not None:
            self.pm.unregister(registered, name=name)
        dist, version = source or self._dist.get(name, (None, "0"))
        self.failed.setdefault(name, PluginFailure(
            name, _one_line(error.reason), dist, version, dist == BUILTIN_DIST, agency))

    # -- loading -----------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
            if self.pm.is_blocked(ep.name):
                continue
            dist = ep.dist
            source = (dist.name if dist else None, dist.version if dist else "0")
            try:
                plugin = ep.load()
            except Exception as exc:
                error = PluginLoadError(ep.name, f"failed to import {ep.value!r}: "
                                        f"{type(exc).__name__}: {exc}"
                                        f"{_upgrade_hint(exc)}")
                error.__cause__ = exc
                self._fail(error, source=source, unregister=False)
                continue
            self._register(ep.name, plugin, dist=source[0], version=source[1])

    def _register(self, name: str, plugin: object, *, dist: str | None, version: str) -> None:
        if not NAME_RE.match(name):
            reason = "a plugin name must match [a-z][a-z0-9-]*"
        elif self.pm.has_plugin(name):
            reason = "two plugins are registered under this name"
        else:
            try:
                self.pm.register(plugin, name=name)
            except (ValueError, pluggy.PluginValidationError) as exc:
                reason = str(exc)
            else:
                self._dist[name] = (dist, version)
                return
        # NOTE: not unregistered: under a taken name that is the other plugin.
        self._fail(PluginLoadError(name, reason), source=(dist, version), unregister=False)

    def _check_pending(self) -> None:
        """pluggy's check for misspelt hooks, one offending plugin at a time."""
        while True:
            try:
                self.pm.check_pending()
            except pluggy.PluginValidationError as exc:
                name = self.pm.get_name(exc.plugin)
                if name is None:  # pluggy names only registered plugins: cannot happen
                    raise
                self._fail(PluginLoadError(name, str(exc)))
            else:
                return

    def _specs(self) -> list[tuple[str, AgencySpec]]:
        specs: list[tuple[str, AgencySpec]] = []
        for impl in self.pm.hook.scr_returns_register_agency.get_hookimpls():
            try:
                spec = impl.function()
            except Exception as exc:
                error = PluginLoadError(impl.plugin_name, "scr_returns_register_agency "
                                        f"raised {type(exc).__name__}: {exc}")
                error.__cause__ = exc
                self._fail(error)
                continue
            if not isinstance(spec, AgencySpec):
                self._fail(PluginLoadError(
                    impl.plugin_name, "scr_returns_register_agency must return an AgencySpec"))
                continue
            specs.append((impl.plugin_name, spec))
        # Built-in plugins first: on a clash over an agency name or a schema $id, an
        # installed package never displaces a built-in agency (and its stored returns).
        return sorted(specs, key=lambda item: (not self._builtin(item[0]), item[0]))

    def _builtin(self, plugin: str) -> bool:
        return self._dist.get(plugin, (None, "0"))[0] == BUILTIN_DIST or plugin in self._direct

    def _collect(self) -> None:
        claimed: dict[str, str] = {}
        accepted: list[LoadedPlugin] = []
        for plugin, spec in self._specs():
            try:
                self._check_agency(plugin, spec)
                if spec.name in claimed:
                    raise PluginLoadError(plugin, f"agency {spec.name!r} is already provided "
                                          f"by plugin {claimed[spec.name]!r}")
                self._check_ids(plugin, spec, accepted)
                # NOTE: each plugin compiles against the shared schemas and its own
                # alone. One dangling $ref makes a whole registry fail, so it must not
                # share one with the others; and no plugin resolves into another's.
                own = SchemaLibrary([*self._shared, *(s for _, s in _schemas(spec))])
                forms = {f.name: LoadedForm(plugin, spec.name, f,
                                            self._compile(plugin, spec, f, own))
                         for f in spec.forms}
            except PluginLoadError as exc:
                self._fail(exc, agency=spec.name)
                continue
            except Exception as exc:
                # NOTE: whatever a plugin hands over, the host lists it as failed and
                # goes on, so that `plugins disable NAME` always works.
                error = PluginLoadError(plugin, f"could not be checked: "
                                        f"{type(exc).__name__}: {exc}")
                error.__cause__ = exc
                self._fail(error, agency=spec.name)
                continue
            claimed[spec.name] = plugin
            dist, version = self._dist.get(plugin, (None, "0"))
            accepted.append(LoadedPlugin(plugin, spec, dist, spec.version or version,
                                         self._builtin(plugin), forms))
        self.library = SchemaLibrary(
            [*self._shared, *(s for p in accepted for _, s in _schemas(p.agency))])
        for loaded in accepted:
            self.plugins[loaded.name] = loaded
            self.by_agency[loaded.agency.name] = loaded

    def _check_ids(self, plugin: str, spec: AgencySpec, accepted: list[LoadedPlugin]) -> None:
        """Refuse a schema ``$id`` that another plugin (or the shared set) already uses."""
        taken = SchemaLibrary(
            [*self._shared, *(s for other in accepted for _, s in _schemas(other.agency))])
        for where, schema in _schemas(spec):
            try:
                taken.add(schema, where=where)
            except SchemaProblem as exc:
                raise PluginLoadError(plugin, str(exc)) from None

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

    def _compile(self, plugin: str, spec: AgencySpec, form: FormSpec,
                 library: SchemaLibrary) -> dict[int, SchemaEngine]:
        engines: dict[int, SchemaEngine] = {}
        for v in form.versions:
            try:
                engines[v.version] = self._engine_cls(v.schema, library)
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
