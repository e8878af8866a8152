"""Conformance of a chronology form: its entries are the common entry plus the agency's own.

Checked on the schema (the entry schema references the common entry and is
closed) and by behaviour: one bad common field in a valid example must give
one problem, not a cascade of "not part of the form" on every other field.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from scr_returns.core.descriptors import ChronologyMapping, FormSpec
from scr_returns.core.plugins import LoadedForm, LoadedPlugin
from scr_returns.core.plugintools.examples import Example
from scr_returns.core.plugintools.report import Report
from scr_returns.schemas import SCHEMAS_DIR

COMMON_ENTRY = "https://scr-returns.invalid/schemas/common/chronology-entry.v1.json"


def _local(root: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref``s ("#/...") from ``node``; stop at any other."""
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) \
            and node["$ref"].startswith("#") and seen < 32:
        target: Any = root
        for raw in node["$ref"][1:].split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        node, seen = target, seen + 1
    return node


def entry_schema(root: Mapping[str, Any], mapping: ChronologyMapping) -> Any:
    """The schema of one chronology entry: the items of the array at ``mapping.entries``."""
    node: Any = root
    for raw in mapping.entries.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        node = _local(root, node)
        props = node.get("properties") if isinstance(node, Mapping) else None
        node = props.get(part) if isinstance(props, Mapping) else None
    node = _local(root, node)
    items = node.get("items") if isinstance(node, Mapping) else None
    return _local(root, items)


def _entry_refs(root: Mapping[str, Any], entry: Mapping[str, Any]) -> set[str]:
    base = str(root.get("$id", ""))
    refs = [entry.get("$ref")] + [m.get("$ref") for m in entry.get("allOf", [])
                                  if isinstance(m, Mapping)]
    return {urljoin(base, r) for r in refs if isinstance(r, str)}


def _cascade(loaded: LoadedForm, version: int, document: Any,
             mapping: ChronologyMapping) -> list[str]:
    """Pointers besides a broken common field that the schema then also reports."""
    broken = copy.deepcopy(document)
    entries = broken
    for raw in mapping.entries.split("/")[1:]:
        entries = entries[raw.replace("~1", "/").replace("~0", "~")]
    field_name = mapping.columns.get("date", "date")
    entries[0][field_name] = 20240101  # a number where the common date is text
    target = f"{mapping.entries}/0/{field_name}"
    engine = loaded.engines[version]
    before = {(p.pointer, p.code) for p in engine.problems(document)}
    after = {(p.pointer, p.code) for p in engine.problems(broken)} - before
    return sorted(f"{code} at {pointer}" for pointer, code in after if pointer != target)


def check_chronology(report: Report, plugin: LoadedPlugin, examples: list[Example]) -> None:
    for loaded in plugin.forms.values():
        form: FormSpec = loaded.spec
        mapping = form.chronology
        if mapping is None:
            if form.name == "chronology":
                report.add("chronology", form.name, False,
                           "the chronology form needs chronology=ChronologyMapping() so the "
                           "panel's integrated chronology can merge its entries")
            continue
        for v in form.versions:
            subject = f"{form.name} v{v.version}"
            entry = entry_schema(v.schema, mapping)
            if not isinstance(entry, Mapping):
                report.add("chronology", subject, False,
                           f"no entry schema at {mapping.entries!r} (properties ... items)")
                continue
            problems = []
            if COMMON_ENTRY not in _entry_refs(v.schema, entry):
                problems.append(f"the entry schema must $ref {COMMON_ENTRY}")
            if entry.get("unevaluatedProperties") is not False:
                problems.append('the entry schema must close with "unevaluatedProperties": '
                                "false (fields beside the common ones are the agency's own)")
            unknown = sorted(set(mapping.columns) - set(common_columns()))
            if unknown:
                problems.append(f"ChronologyMapping.columns renames {unknown}, which are not "
                                "common columns")
            valid = next((ex for ex in examples if ex.kind == "valid" and ex.error is None
                          and ex.form == form.name and ex.version == v.version), None)
            if not problems and valid is not None:
                try:
                    cascade = _cascade(loaded, v.version, valid.document, mapping)
                except (LookupError, TypeError):
                    cascade = ["the valid example has no entries at the mapped pointer"]
                if cascade:
                    problems.append("one bad common field (the first entry's date) also "
                                    "makes the schema report: " + "; ".join(cascade[:5]) +
                                    ' (put "$ref" beside "properties", not in "allOf")')
            report.add("chronology", subject, not problems, "; ".join(problems) or
                       "entries $ref the common chronology entry; one bad field gives one "
                       "problem")


@lru_cache(maxsize=1)
def common_columns() -> tuple[str, ...]:
    """The common chronology entry's columns, read from its schema, not from a copy."""
    common = json.loads((SCHEMAS_DIR / "common" / "chronology-entry.v1.json")
                        .read_text(encoding="utf-8"))
    return tuple(common["properties"])
