"""The OpenAPI 3.1 document, generated from the route table and the envelopes.

Request bodies and the review shapes are the marshmallow envelopes (via
apispec's MarshmallowPlugin); every responder's ``@operation`` gives its
summary, responses, query parameters and headers. Each form's JSON Schema is
linked under ``x-forms``: a form document is described by its form, not here.
"""

from __future__ import annotations

import copy
import re
from importlib import metadata
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from scr_returns.core import envelopes
from scr_returns.core.http.policy import policy_of
from scr_returns.core.service import Services

PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
METHODS = ("get", "post", "put", "patch", "delete")

MARSHMALLOW = {
    "Review": envelopes.ReviewSchema,
    "ReviewPatch": envelopes.ReviewPatchSchema,
    "ReturnPut": envelopes.ReturnPutSchema,
    "Revision": envelopes.RevisionSchema,
    "Validate": envelopes.ValidateSchema,
    "StateChange": envelopes.StateChangeSchema,
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
REVISION = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
WARNINGS = {"type": "array", "items": _ref("Problem")}
REVISION_META = {"revision": INT, "schema_version": INT, "submitted_at": STR,
                 "submitted_by": STR, "warnings": WARNINGS}
STATES = {"type": "string", "enum": ["submitted", "queried", "accepted"]}
NULLABLE_INT = {"type": ["integer", "null"]}
PANEL: dict[str, dict[str, Any]] = {
    "StateEvent": _obj(revision=INT, action={"type": "string", "enum": [
        "submitted", "amended", "resubmitted", "queried", "accepted", "reopened"]},
        **{"from": {"type": ["string", "null"]}}, to=STATES, comment=NULLABLE_STR, by=STR,
        at=STR),
    "StateChanged": _obj(review=STR, agency=STR, form=STR, state=STATES, revision=INT,
                         allowed={"type": "array", "items": STATES}, event=_ref("StateEvent")),
    "StateHistory": _obj(review=STR, agency=STR, form=STR, state=STATES, revision=INT,
                         allowed={"type": "array", "items": STATES},
                         events={"type": "array", "items": _ref("StateEvent")}),
    "Diff": _obj(review=STR, agency=STR, form=STR, **{"from": {"type": "object"}},
                 to={"type": "object"},
                 patch={"type": "array", "items": {"type": "object"},
                        "description": "RFC 6902 JSON Patch from 'from' to 'to'"},
                 chronology={"type": ["object", "null"], "description":
                             "entries added, removed and changed, by entry id"}),
    "ChronologyRow": _obj(
        agency=STR, entry_id=STR, agency_entry_id=STR, form=STR, revision=INT, state=STATES,
        date=NULLABLE_STR, date_precision=STR, time=NULLABLE_STR, sequence=NULLABLE_INT,
        subjects={"type": "array", "items": STR}, event_type=NULLABLE_STR,
        source={"type": ["object", "null"]}, description=NULLABLE_STR,
        decision_or_action=NULLABLE_STR, outcome=NULLABLE_STR, impact_on_child=NULLABLE_STR,
        background=BOOL, background_reason=NULLABLE_STR, agency_fields={"type": "object"}),
    "Chronology": _obj(review=STR, generated_at=STR, accepted_only=BOOL,
                       entries={"type": "array", "items": _ref("ChronologyRow")}, count=INT),
    "Tracker": _obj(review=STR, today=STR, counts_from=STR,
                    agencies={"type": "array", "items": {"type": "object"}},
                    completeness={"type": "object"}),
}
PLAIN: dict[str, dict[str, Any]] = {
    "Health": _obj(status=STR, checks={"type": "object"}),
    "Metrics": {"type": "string", "description": "Prometheus text exposition format 0.0.4"},
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
                   state_event={"oneOf": [_ref("StateEvent"), {"type": "null"}]},
                   **REVISION_META),
    "RevisionList": _obj(review=STR, agency=STR, form=STR,
                         revisions={"type": "array", "items": _ref("Revision")}),
    "ReturnList": _obj(items={"type": "array", "items": _obj(
        agency=STR, form=STR, state=STR, revision=INT, schema_version=INT, submitted_at=STR,
        submitted_by=STR, warning_count=INT, href=STR)}, next_cursor=NULLABLE_STR),
    "ReviewList": _list("reviews", _ref("Review")),
    **PANEL,
    # agency and title are null for a plugin that failed to load (see load_error)
    "Plugin": _obj(name=STR, agency=NULLABLE_STR, title=NULLABLE_STR, version=STR,
                   distribution=NULLABLE_STR,
                   builtin=BOOL, enabled=BOOL, forms={"type": "object"},
                   load_error=NULLABLE_STR),
    "PluginList": _list("plugins", _ref("Plugin")),
    "Token": _obj(id=STR, name=STR, role=STR, agency=NULLABLE_STR,
                  reviews={"type": "array", "items": STR}, created_at=STR, expires_at=STR,
                  revoked_at=NULLABLE_STR, last_used_at=NULLABLE_STR),
    "TokenCreated": {"allOf": [_ref("Token"), _obj(token=STR)]},
    "TokenList": _list("tokens", _ref("Token")),
    "AuditPage": _obj(items={"type": "array", "items": _obj(
        id=INT, at=STR, request_id=STR, token_id=NULLABLE_STR, role=NULLABLE_STR, method=STR,
        route=STR, review=NULLABLE_STR, agency=NULLABLE_STR, form=NULLABLE_STR,
        revision={"type": ["integer", "null"]}, target=NULLABLE_STR, status=INT,
        purpose=NULLABLE_STR, replay_of={"type": ["integer", "null"]}, hash=STR)},
        next_cursor=NULLABLE_STR),
}

PROBLEM_MEMBERS: dict[str, dict[str, Any]] = {
    # Members some problems add to RFC 9457's (core/errors.py, core/service/states.py);
    # the Error schema is closed, so each must be named here.
    "error_count": {"type": "integer", "description": "422 invalid document: errors found"},
    "warning_count": {"type": "integer",
                      "description": "422 invalid document: warnings found"},
    "truncated": {"type": "boolean",
                  "description": "422 invalid document: more problems than are listed"},
    "state": {"type": "string", "description": "409 state change: the return's state now"},
    "allowed": {"type": "array", "items": STR,
                "description": "409 state change: the states it may move to from here"},
    "checks": {"type": "object", "description": "503 not ready: each readiness check and its "
               "result (database and migrations true or false, plugins and plugins_failed counts)"},
}


TEXT_MEDIA: dict[str, dict[str, Any]] = {
    # Streams that are not one JSON value: described as text, so a client (and
    # schemathesis) does not try to parse them as the JSON answer's schema.
    "application/x-ndjson": {"type": "string", "description": "newline-delimited JSON: one "
                             "object per line, each an item of the JSON answer's list"},
    "text/csv": {"type": "string", "description": "UTF-8 CSV (RFC 4180) with a header row"},
}
HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
    "Location": {"type": "string", "format": "uri-reference"},
    "Idempotent-Replayed": {"type": "string", "enum": ["true"]},
    "Retry-After": {"type": "integer", "minimum": 0},
}


def _header(description: str, required: bool = True, *, name: str = "") -> dict[str, Any]:
    return {"description": description, "required": required,
            "schema": HEADER_SCHEMAS.get(name, STR)}


AUTHENTICATED: dict[str, dict[str, Any]] = {
    # What any authenticated route may answer, and the header core/errors.py sets on it.
    "401": {"description": "no valid token", "headers": {"WWW-Authenticate": _header(
        'how to authenticate: Bearer realm="scr-returns"', name="WWW-Authenticate")}},
    "403": {"description": "this role may not use the route"},
    "503": {"description": "the database is busy or unreachable, or the access could not "
            "be audited; retry", "headers": {"Retry-After": _header(
                "seconds to wait before retrying", name="Retry-After")}},
}


def openapi_path(template: str) -> str:
    return PARAM.sub(r"{\1}", template)


def _content(schema: str, media_types: tuple[str, ...]) -> dict[str, Any]:
    if schema == "Error":
        return {"application/problem+json": {"schema": _ref("Error")}}
    if schema == "Metrics":
        return {"text/plain": {"schema": _ref("Metrics")}}
    return {media: {"schema": _ref(schema) if media.endswith(("/json", "+json"))
                    else TEXT_MEDIA.get(media, STR)} for media in media_types}


def _operation(template: str, method: str, responder: Any) -> dict[str, Any]:
    doc = getattr(responder, "openapi", None) or {"summary": method.upper() + " " + template,
                                                  "responses": {}, "query": {}, "headers": {}}
    declared = policy_of(responder)
    op: dict[str, Any] = {"summary": doc["summary"], "responses": {}}
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": REVISION if ":int" in template and name == "number" else STR}
        for name in PARAM.findall(template)]
    params += [{"name": n, "in": "query", "required": False,
                "schema": {"type": t}, "description": d} for n, (t, d) in doc["query"].items()]
    params += [{"name": n, "in": "header", "required": False, "schema": STR, "description": d}
               for n, d in doc["headers"].items()]
    if declared is not None and declared.purpose:
        params = [p for p in params if p["name"].lower() != "x-purpose"]
        params.append({"name": "X-Purpose", "in": "header", "required": True, "schema": STR,
                       "description": "why you read this; kept in the audit log"})
        op["responses"]["400"] = {"description": "no X-Purpose", "content": {
            "application/problem+json": {"schema": _ref("Error")}}}
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
        op["responses"][str(status)] = {"description": description, "content": _content(
            schema, doc.get("content_types", ("application/json",)))}
    for status, headers in doc.get("response_headers", {}).items():
        if str(status) not in op["responses"]:
            raise ValueError(f"{method.upper()} {template}: headers for undeclared {status}")
        op["responses"][str(status)]["headers"] = {
            name: _header(*(given if isinstance(given, tuple) else (given, True)), name=name)
            for name, given in headers.items()}
    if declared is not None and not declared.public:
        op["security"] = [{"bearer": []}]
        for status, response in AUTHENTICATED.items():
            found = op["responses"].setdefault(status, {"description": response["description"],
                                                        "content": _content("Error", ())})
            if "headers" in response:
                found.setdefault("headers", {}).update(copy.deepcopy(response["headers"]))
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
    document["components"]["schemas"]["Error"]["properties"].update(PROBLEM_MEMBERS)
    document["x-forms"] = [
        {"agency": p.agency.name, "form": f.spec.name, "version": v.version,
         "$id": v.schema.get("$id"),
         "href": f"/v1/agencies/{p.agency.name}/forms/{f.spec.name}?version={v.version}"}
        for p in services.catalog.host.plugins.values() for f in p.forms.values()
        for v in f.spec.offered]
    return document
