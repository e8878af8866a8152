"""The OpenAPI 3.1 document, generated from the route table and the envelopes.

Request bodies and the review shapes are the marshmallow envelopes (via
apispec's MarshmallowPlugin); every responder's ``@operation`` gives its
summary, responses, query parameters and headers. Each form's JSON Schema is
linked under ``x-forms``: a form document is described by its form, not here.
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from core import envelopes
from core.http.policy import policy_of
from core.service import Services

PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
METHODS = ("get", "post", "put", "patch", "delete")

MARSHMALLOW = {
    "Review": envelopes.ReviewSchema,
    "ReviewPatch": envelopes.ReviewPatchSchema,
    "ReturnPut": envelopes.ReturnPutSchema,
    "Revision": envelopes.RevisionSchema,
    "Validate": envelopes.ValidateSchema,
    "TokenCreate": envelopes.TokenCreateSchema,
    "Problem": envelopes.ProblemSchema,
    "Error": envelopes.ErrorSchema,
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def _list(key: str, item: dict[str, Any]) -> dict[str, Any]:
    return _obj(**{key: {"type": "array", "items": item}})


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_STR = {"type": ["string", "null"]}
WARNINGS = {"type": "array", "items": _ref("Problem")}
REVISION_META = {"revision": INT, "schema_version": INT, "submitted_at": STR,
                 "submitted_by": STR, "warnings": WARNINGS}
PLAIN: dict[str, dict[str, Any]] = {
    "Health": _obj(status=STR, checks={"type": "object"}),
    "AgencyList": _list("agencies", _obj(name=STR, title=STR, description=STR, plugin=STR,
                                         plugin_version=STR, forms={"type": "array"})),
    "Form": _obj(agency=STR, form=STR, title=STR, description=STR, version=INT,
                 versions={"type": "array", "items": INT}, schema={"type": "object"},
                 example={"type": ["object", "null"]}, chronology=BOOL),
    "ValidationResult": _obj(valid=BOOL, schema_version=INT, error_count=INT,
                             warning_count=INT, truncated=BOOL,
                             problems={"type": "array", "items": _ref("Problem")}),
    "ReturnSummary": _obj(review=STR, agency=STR, form=STR, state=STR,
                          revision_created=BOOL, **REVISION_META),
    "Return": _obj(review=STR, agency=STR, form=STR, state=STR, document={"type": "object"},
                   **REVISION_META),
    "RevisionList": _obj(review=STR, agency=STR, form=STR,
                         revisions={"type": "array", "items": _ref("Revision")}),
    "ReturnList": _obj(items={"type": "array", "items": _obj(
        agency=STR, form=STR, state=STR, revision=INT, schema_version=INT, submitted_at=STR,
        submitted_by=STR, warning_count=INT, href=STR)}, next_cursor=NULLABLE_STR),
    "ReviewList": _list("reviews", _ref("Review")),
    "Plugin": _obj(name=STR, agency=STR, title=STR, version=STR, distribution=NULLABLE_STR,
                   builtin=BOOL, enabled=BOOL, forms={"type": "object"},
                   load_error=NULLABLE_STR),
    "PluginList": _list("plugins", _ref("Plugin")),
    "Token": _obj(id=STR, name=STR, role=STR, agency=NULLABLE_STR,
                  reviews={"type": "array", "items": STR}, created_at=STR, expires_at=STR,
                  revoked_at=NULLABLE_STR, last_used_at=NULLABLE_STR),
    "TokenCreated": {"allOf": [_ref("Token"), _obj(token=STR)]},
    "TokenList": _list("tokens", _ref("Token")),
}


def openapi_path(template: str) -> str:
    return PARAM.sub(r"{\1}", template)


def _operation(template: str, method: str, responder: Any) -> dict[str, Any]:
    doc = getattr(responder, "openapi", None) or {"summary": method.upper() + " " + template,
                                                  "responses": {}, "query": {}, "headers": {}}
    declared = policy_of(responder)
    op: dict[str, Any] = {"summary": doc["summary"], "responses": {}}
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": INT if ":int" in template and name == "number" else STR}
        for name in PARAM.findall(template)]
    params += [{"name": n, "in": "query", "required": False,
                "schema": {"type": t}, "description": d} for n, (t, d) in doc["query"].items()]
    params += [{"name": n, "in": "header", "required": False, "schema": STR, "description": d}
               for n, d in doc["headers"].items()]
    if params:
        op["parameters"] = params
    if doc.get("request"):
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(doc["request"])}}}
    for status, declared_schema in doc["responses"].items():
        if isinstance(declared_schema, tuple):
            schema, description = declared_schema
        else:
            schema = declared_schema
            description = "success" if status < 400 else "see the problem's detail"
        media = "application/problem+json" if schema == "Error" else "application/json"
        op["responses"][str(status)] = {"description": description,
                                        "content": {media: {"schema": _ref(schema)}}}
    if declared is not None and not declared.public:
        op["security"] = [{"bearer": []}]
        for status, why in ((401, "no valid token"), (403, "this role may not use the route")):
            op["responses"].setdefault(str(status), {"description": why, "content": {
                "application/problem+json": {"schema": _ref("Error")}}})
        op["x-roles"] = list(declared.roles)
        op["x-binding"] = declared.binding
    op["responses"].setdefault("default", {"description": "an error", "content": {
        "application/problem+json": {"schema": _ref("Error")}}})
    return op


def build(table: list[tuple[str, object]], services: Services) -> dict[str, Any]:
    try:
        version = metadata.version("scr-returns")
    except metadata.PackageNotFoundError:
        version = "0"
    spec = APISpec(title="scr-returns", version=version, openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Multi-agency returns for safeguarding case reviews."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in MARSHMALLOW.items():
        spec.components.schema(name, schema=schema)
    for name, component in PLAIN.items():
        spec.components.schema(name, component=component)
    for template, resource in table:
        operations = {m: _operation(template, m, getattr(resource, f"on_{m}"))
                      for m in METHODS if hasattr(resource, f"on_{m}")}
        spec.path(path=openapi_path(template), operations=operations)
    document: dict[str, Any] = spec.to_dict()
    document["x-forms"] = [
        {"agency": p.agency.name, "form": f.spec.name, "version": v.version,
         "$id": v.schema.get("$id"),
         "href": f"/v1/agencies/{p.agency.name}/forms/{f.spec.name}?version={v.version}"}
        for p in services.catalog.host.plugins.values() for f in p.forms.values()
        for v in f.spec.offered]
    return document
