"""The conformance check of one installed plugin (``scr-returns plugins check``).

Each check is a :class:`~scr_returns.core.plugintools.report.Finding`; the plugin
conforms when none failed. The examples are validated exactly as the API validates a
submission (:func:`scr_returns.core.validation.validate_document`, same engine, same
rules) against the example review, so an example that passes here passes over HTTP.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from typing import Any

import scr_returns
from scr_returns.core.descriptors import AgencySpec
from scr_returns.core.errors import PluginRuleError
from scr_returns.core.plugins import (
    GROUP,
    OLD_PACKAGES,
    LoadedForm,
    LoadedPlugin,
    PluginHost,
)
from scr_returns.core.plugintools.chronology import check_chronology
from scr_returns.core.plugintools.examples import (
    Example,
    example_context,
    examples_folder,
    examples_of,
    review_for,
)
from scr_returns.core.plugintools.report import Report
from scr_returns.core.schemas import SchemaProblem, check_schema
from scr_returns.core.validation import validate_document, with_chronology

SCHEMA_BASE = "https://scr-returns.invalid/schemas/"
CAP = 100_000  # every problem, so that an example's codes are never cut short


def host_for(name: str) -> tuple[PluginHost, str]:
    """A plugin host holding the plugin ``name`` (a plugin or an agency name), and its name.

    A plugin named by its entry point is loaded alone, so that the check also
    shows it stands without any other plugin. Raises ``LookupError`` when no
    installed plugin has that name, ``PluginLoadError`` when it fails to load.
    """
    names = {ep.name for ep in metadata.entry_points(group=GROUP)}
    if name in names:
        host = PluginHost(blocked=names - {name}, strict=True)
        return host, name
    host = PluginHost(strict=True)
    loaded = host.by_agency.get(name)
    if loaded is None:
        installed = ", ".join(sorted(names)) or "none"
        raise LookupError(f"no installed plugin or agency is called {name!r} "
                          f"(installed plugins: {installed})")
    return host, loaded.name


def check_plugin(host: PluginHost, name: str) -> Report:
    """Every conformance check of plugin ``name`` loaded in ``host``."""
    plugin = host.plugins[name]
    spec = plugin.agency
    report = Report(name, spec.name, plugin.version, plugin.distribution)
    module = host.pm.get_plugin(name)
    _check_schemas(report, spec)
    examples = list(examples_of(module))
    if examples_folder(module) is None:
        report.add("examples", "examples/", False,
                   "no examples/ folder in the plugin's package")
    produced = _check_examples(report, plugin, examples)
    _check_form_examples(report, plugin)
    _check_codes(report, spec, produced)
    _check_coverage(report, spec, examples)
    check_chronology(report, plugin, examples)
    _check_imports(report, module)
    _check_hook(report, host, name)
    return report


# -- schemas ----------------------------------------------------------------------------
def _check_schemas(report: Report, spec: AgencySpec) -> None:
    for form in spec.forms:
        for v in form.versions:
            subject = f"{form.name} v{v.version}" + (" (retired)" if v.retired else "")
            try:
                check_schema(v.schema, where=subject)
            except SchemaProblem as exc:
                report.add("schemas", subject, False, str(exc))
                continue
            want = f"{SCHEMA_BASE}{spec.name}/{form.name}.v{v.version}.json"
            problems = []
            if v.schema.get("$id") != want:
                problems.append(f"$id must be {want!r}, not {v.schema.get('$id')!r}")
            for key in ("title", "description"):
                if not isinstance(v.schema.get(key), str) or not v.schema[key].strip():
                    problems.append(f"the schema needs a {key} a practitioner understands")
            report.add("schemas", subject, not problems,
                       "; ".join(problems) or "passes the draft 2020-12 meta-schema; $id, "
                                               "title and description in place")


# -- examples ---------------------------------------------------------------------------
def _validate(loaded: LoadedForm, spec: AgencySpec, example: Example) -> list[Any]:
    forms = tuple(f.name for f in spec.forms)
    context = with_chronology(example_context(spec.name, loaded.spec.name, example.version,
                                              review_for(example.review, spec.name, forms),
                                              config=example.config),
                              example.document, loaded.spec.chronology)
    result = validate_document(loaded.engines[example.version], loaded.spec.rules,
                               example.document, context, plugin=loaded.plugin, cap=CAP)
    return result.problems


def _fmt(codes: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(codes)) or "nothing"


def _check_examples(report: Report, plugin: LoadedPlugin,
                    examples: list[Example]) -> dict[str, set[str]]:
    """Each example as it says; returns every rule code produced -> the examples."""
    produced: dict[str, set[str]] = {}
    for ex in examples:
        if ex.error is not None:
            report.add("examples", ex.path, False, ex.error)
            continue
        loaded = plugin.forms.get(ex.form)
        if loaded is None:
            report.add("examples", ex.path, False, f"the agency has no form {ex.form!r}")
            continue
        if ex.version not in loaded.engines:
            report.add("examples", ex.path, False,
                       f"form {ex.form!r} has no version {ex.version}")
            continue
        try:
            problems = _validate(loaded, plugin.agency, ex)
        except PluginRuleError as exc:
            report.add("examples", ex.path, False, f"{exc}: {exc.__cause__!r}")
            continue
        for p in problems:
            if not p.code.startswith("schema."):
                produced.setdefault(p.code, set()).add(ex.path)
        codes = {p.code for p in problems}
        if ex.kind == "valid":
            errors = [f"{p.code} at {p.pointer or '/'}" for p in problems
                      if p.severity == "error"]
            stray = {p.code for p in problems if p.severity == "warning"} - ex.expect
            ok = not errors and not stray
            detail = "no errors" if ok else "; ".join(
                [*errors, *(f"warning {c} not listed in its .warnings.json" for c in
                            sorted(stray))])
        else:
            ok = codes == ex.expect
            detail = f"gives exactly {_fmt(codes)}" if ok else (
                f"expected {_fmt(ex.expect)}; got {_fmt(codes)} (missing: "
                f"{_fmt(ex.expect - codes)}; unexpected: {_fmt(codes - ex.expect)})")
        report.add("examples", ex.path, ok, detail)
    return produced


def _check_form_examples(report: Report, plugin: LoadedPlugin) -> None:
    """The example each form serves at /v1/agencies/{agency}/forms/{form} is clean."""
    for loaded in plugin.forms.values():
        form = loaded.spec
        newest = form.newest
        subject = f"{form.name} FormSpec.example"
        if form.example is None or newest is None:
            report.add("examples", subject, False,
                       "every form needs an example document (a valid one)")
            continue
        ex = Example("valid", subject, form.name, newest.version, document=form.example)
        try:
            problems = _validate(loaded, plugin.agency, ex)
        except PluginRuleError as exc:
            report.add("examples", subject, False, f"{exc}: {exc.__cause__!r}")
            continue
        report.add("examples", subject, not problems,
                   f"valid against v{newest.version}" if not problems else "; ".join(
                       f"{p.code} at {p.pointer or '/'}" for p in problems))


# -- codes and coverage -------------------------------------------------------------------
def _check_codes(report: Report, spec: AgencySpec, produced: Mapping[str, set[str]]) -> None:
    undocumented = sorted(set(produced) - set(spec.codes))
    for code in undocumented:
        report.add("codes", code, False,
                   f"produced by {', '.join(sorted(produced[code]))} but not documented in "
                   "AgencySpec.codes")
    if not undocumented:
        report.add("codes", "AgencySpec.codes", True,
                   f"all {len(produced)} rule codes the examples produce are documented")
    unexercised = sorted(c for c in spec.codes if c not in produced)
    if unexercised:
        report.notes.append(f"{len(unexercised)} documented codes no example produces: "
                            + ", ".join(unexercised))


def _check_coverage(report: Report, spec: AgencySpec, examples: list[Example]) -> None:
    have = {(ex.kind, ex.form, ex.version) for ex in examples if ex.error is None}
    for form in spec.forms:
        for v in form.offered:
            missing = [kind for kind in ("valid", "invalid")
                       if (kind, form.name, v.version) not in have]
            report.add("coverage", f"{form.name} v{v.version}", not missing,
                       "valid and invalid examples" if not missing else
                       f"no {' and no '.join(missing)} example "
                       f"(examples/{missing[0]}/{form.name}.v{v.version}.json)")


# -- the contract: imports and hook -----------------------------------------------------
# NOTE: both are in the section "imports", the plugin's side of the contract with
# core: what it may import and what its hook must do.
def _python_files(folder: Traversable) -> Iterator[Traversable]:
    for item in folder.iterdir():
        if item.is_dir() and item.name not in ("__pycache__", "examples", "schemas"):
            yield from _python_files(item)
        elif item.is_file() and item.name.endswith(".py"):
            yield item


def private_imports(source: str, public: Collection[str]) -> list[str]:
    """Every import in ``source`` a plugin may not make, as 'line: what'.

    A plugin imports from scr-returns only the public API: ``from scr_returns
    import X`` (or ``scr_returns.X``) with X in ``public``. The rest of
    ``scr_returns`` may change without notice, and the 0.1 names ``core``,
    ``plugins`` and ``schemas`` are gone.
    """
    found: list[str] = []
    bound: set[str] = set()  # names bound to the package by "import scr_returns"
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if node.module == "scr_returns":
                found += [f"{node.lineno}: from scr_returns import {a.name}"
                          for a in node.names if a.name not in public]
            elif top == "scr_returns" or top in OLD_PACKAGES:
                found.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if alias.name == "scr_returns":
                    bound.add(alias.asname or alias.name)
                elif top == "scr_returns" or top in OLD_PACKAGES:
                    found.append(f"{node.lineno}: import {alias.name}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound and node.attr not in public):
            found.append(f"{node.lineno}: scr_returns.{node.attr}")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def _check_imports(report: Report, module: object) -> None:
    """A plugin imports only ``from scr_returns import ...``: the rest may change."""
    name = getattr(module, "__package__", None) or getattr(module, "__name__", None)
    if not isinstance(name, str):
        return
    try:
        root = resources.files(name)
    except (ModuleNotFoundError, TypeError):
        return
    bad = []
    for item in _python_files(root):
        bad += [f"{item.name}: {line.split(': ', 1)[1]}" for line in
                private_imports(item.read_text(encoding="utf-8"), scr_returns.__all__)]
    report.add("imports", name, not bad,
               "imports only the public API (from scr_returns import ...)" if not bad else
               "imports what is not the public API (from scr_returns import ...): "
               + "; ".join(bad))


def _check_hook(report: Report, host: PluginHost, name: str) -> None:
    """The hook returns an equal ``AgencySpec`` on every call, as its contract says."""
    subject = "scr_returns_register_agency"
    first = host.plugins[name].agency
    (hook,) = [impl.function for impl in host.pm.hook.scr_returns_register_agency.get_hookimpls()
               if impl.plugin_name == name]
    try:
        again = [hook() for _ in range(2)]
    except Exception as exc:
        report.add("imports", subject, False,
                   f"raised {type(exc).__name__} when called again: {exc}")
        return
    same = all(spec == first for spec in again)
    report.add("imports", subject, same,
               "returns an equal AgencySpec on every call" if same else
               "returns a different AgencySpec on each call; it must return the same value "
               "every time: build the spec once (standard_agency(...) does, and caches it) "
               "rather than on each call, since the common rule factories make new "
               "functions each time")
