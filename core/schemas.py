"""Loading and checking JSON Schemas: the shared ones and every plugin's.

One :class:`SchemaLibrary` holds every schema resource by its ``$id`` and
offers it both as a ``referencing.Registry`` (python-jsonschema) and as a
``jsonschema_rs.Registry`` (the compiled engine), so ``$ref`` resolves the
same way in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema
import jsonschema_rs
import referencing
import referencing.jsonschema
from jsonschema.exceptions import SchemaError

from scr_returns.schemas import SCHEMAS_DIR

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class SchemaProblem(ValueError):
    """A schema is unusable: fails the meta-schema, lacks or repeats an ``$id``."""


def _ecma_regex(instance: object) -> bool:
    # NOTE: a pattern is ECMA-262 (as JSON Schema says), checked by jsonschema-rs, not
    # Python's re: \p{L} is legal, and a pattern nested 500 deep does not recurse here.
    # Each engine compiles the patterns it will run when the form is loaded.
    return jsonschema_rs.is_valid({"format": "regex"}, instance, validate_formats=True)


META_FORMATS = jsonschema.FormatChecker(formats=())
for _name, (_check, _raises) in jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers.items():
    META_FORMATS.checks(_name, _raises)(_ecma_regex if _name == "regex" else _check)


def check_schema(schema: object, *, where: str) -> None:
    """Refuse a schema that is not a draft 2020-12 object schema or fails the meta-schema.

    A boolean schema is legal JSON Schema, but a form's (or a shared) schema must
    be an object: it carries the ``$id`` that documents are pinned to.
    """
    if not isinstance(schema, Mapping):
        raise SchemaProblem(f"{where}: the schema must be a JSON object with an $id, not "
                            f"a {type(schema).__name__}")
    declared = schema.get("$schema")
    if declared not in (None, DRAFT):
        raise SchemaProblem(f"{where}: $schema must be {DRAFT!r}, not {declared!r}")
    try:
        jsonschema.Draft202012Validator.check_schema(schema, format_checker=META_FORMATS)
    except SchemaError as exc:
        at = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise SchemaProblem(f"{where}: fails the draft 2020-12 meta-schema at {at}: "
                            f"{exc.message}") from None
    except RecursionError:
        raise SchemaProblem(f"{where}: is nested too deeply to check") from None


def shared_schemas(directory: Path = SCHEMAS_DIR) -> list[dict[str, Any]]:
    """The shared definitions under the top-level ``schemas/`` folder."""
    found = []
    for path in sorted(directory.rglob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        check_schema(schema, where=str(path.relative_to(directory)))
        if "$id" not in schema:
            raise SchemaProblem(f"{path.name}: a shared schema needs an $id")
        found.append(schema)
    return found


def _refuse(uri: str) -> Any:
    """Never fetch a schema from the network: every $ref must be in the library."""
    raise ValueError(f"$ref {uri!r} is not a schema known to this service")


class SchemaLibrary:
    """Every schema resource known to the service, by ``$id``."""

    def __init__(self, resources: Iterable[Mapping[str, Any]] = ()) -> None:
        self._by_id: dict[str, Mapping[str, Any]] = {}
        for schema in resources:
            self.add(schema, where=str(schema.get("$id")))
        self._py: referencing.Registry[Any] | None = None
        self._rs: Any = None
        self._hints: dict[str, str] | None = None

    @classmethod
    def with_shared(cls) -> SchemaLibrary:
        return cls(shared_schemas())

    def add(self, schema: Mapping[str, Any], *, where: str) -> None:
        sid = schema.get("$id")
        if not isinstance(sid, str):
            return
        if sid in self._by_id and self._by_id[sid] != schema:
            raise SchemaProblem(f"{where}: $id {sid!r} is already used by another schema")
        self._by_id[sid] = schema
        self._py = self._rs = self._hints = None

    def __contains__(self, sid: str) -> bool:
        return sid in self._by_id

    def get(self, sid: str) -> Mapping[str, Any] | None:
        """The schema whose ``$id`` is ``sid``, if known."""
        return self._by_id.get(sid)

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    @property
    def python_registry(self) -> referencing.Registry[Any]:
        if self._py is None:
            spec = referencing.jsonschema.DRAFT202012
            self._py = referencing.Registry().with_resources(
                (sid, spec.create_resource(dict(s))) for sid, s in self._by_id.items())
        return self._py

    @property
    def rust_registry(self) -> Any:
        if self._rs is None:
            self._rs = jsonschema_rs.Registry(
                [(sid, dict(s)) for sid, s in self._by_id.items()], retriever=_refuse)
        return self._rs

    @property
    def pattern_hints(self) -> Mapping[str, str]:
        """Each ``pattern`` -> the ``description`` of a subschema that has both.

        A pattern failure then tells the practitioner the expected form ("NHS
        number: 10 digits, no spaces.") instead of showing a regular expression.
        Where one pattern is described differently in two places, the first
        schema by ``$id`` wins.
        """
        if self._hints is None:
            hints: dict[str, str] = {}
            for sid in sorted(self._by_id):
                _collect_hints(self._by_id[sid], hints)
            self._hints = hints
        return self._hints

    def check_refs(self, schema: Mapping[str, Any], *, where: str) -> None:
        """Refuse a schema whose ``$ref`` cannot be resolved in this library."""
        try:
            jsonschema_rs.validator_for(dict(schema), registry=self.rust_registry)
        except (jsonschema_rs.ReferencingError, ValueError) as exc:
            raise SchemaProblem(f"{where}: {exc}") from None


ID_PREFIX = "https://scr-returns.invalid/schemas/"
"""Every schema ``$id`` starts with this: an identifier, never fetched (``.invalid`` cannot
resolve); ``GET /v1/schemas/<rest>`` serves the schema whose ``$id`` is ``ID_PREFIX + rest``."""


def _refs(node: Any, base: str) -> Iterator[str]:
    """Every ``$ref`` under ``node``, made absolute against the resource ``base``."""
    if isinstance(node, Mapping):
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
        if isinstance(node.get("$ref"), str):
            yield urljoin(base, node["$ref"])
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default"):
                yield from _refs(value, base)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value, base)


def bundle(schema: Mapping[str, Any], library: SchemaLibrary) -> dict[str, Any]:
    """``schema`` made self-contained (JSON Schema 2020-12, section 9.3, "bundling"): every
    schema resource it refers to, directly or not, is embedded under ``$defs`` with its own
    ``$id``, so every ``$ref`` resolves inside the document with no registry and no fetch."""
    own = str(schema.get("$id", ""))
    found: dict[str, Mapping[str, Any]] = {}
    todo = [(schema, own)]
    while todo:
        node, base = todo.pop()
        for target in _refs(node, base):
            sid = urldefrag(target).url
            if sid and sid != own and sid not in found:
                resource = library.get(sid)
                if resource is None:
                    raise SchemaProblem(f"{own}: $ref {target!r} is not a known schema")
                found[sid] = resource
                todo.append((resource, sid))
    bundled = dict(schema)
    defs = dict(bundled.get("$defs", {}))
    for sid in sorted(found):
        embedded = {k: v for k, v in found[sid].items() if k != "$schema"}
        defs["bundled:" + sid.removeprefix(ID_PREFIX)] = embedded
    if defs:
        bundled["$defs"] = defs
    return bundled


def _collect_hints(node: Any, hints: dict[str, str]) -> None:
    if isinstance(node, Mapping):
        pattern, description = node.get("pattern"), node.get("description")
        if isinstance(pattern, str) and isinstance(description, str):
            hints.setdefault(pattern, description)
        for value in node.values():
            _collect_hints(value, hints)
    elif isinstance(node, list):
        for value in node:
            _collect_hints(value, hints)
