"""The OpenAPI 3.1 document, generated from the route table and the envelopes.

Request bodies and the review shapes are the marshmallow envelopes (via
apispec's MarshmallowPlugin), split into a request form (no field the service
sets) and a response form (every member required); the other shapes are in
``openapi_schemas``. Every responder's ``@operation`` gives its operationId,
summary, responses, query parameters and headers; its module is its tag. Each
form's JSON Schema is linked under ``x-forms``: a form document is described by
its form (``/v1/agencies/{agency}/forms/{form}``), not here.
"""

from __future__ import annotations

import copy
import re
from importlib import metadata
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from scr_returns.core import envelopes
from scr_returns.core.http.openapi_schemas import (
    NAME_SCHEMA,
    PLAIN,
    PROBLEM_MEMBERS,
    REF_SCHEMA,
    REVISION,
    STR,
    TOKEN_ID,
    ref,
    request_form,
    response_form,
)
from scr_returns.core.http.policy import policy_of
from scr_returns.core.service import Services

PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
METHODS = ("get", "head", "post", "put", "patch", "delete")

MARSHMALLOW = {
    "Review": envelopes.ReviewSchema,
    "ReturnPut": envelopes.ReturnPutSchema,
    "Validate": envelopes.ValidateSchema,
    "StateChange": envelopes.StateChangeSchema,
    "TokenCreate": envelopes.TokenCreateSchema,
    "Problem": envelopes.ProblemSchema,
    "Error": envelopes.ErrorSchema,
}
TAGS = {
    "meta": "Liveness, readiness, this document and metrics: public",
    "agencies": "The enabled agencies, their forms, and the dry run",
    "reviews": "Opening, reading and changing reviews",
    "returns": "Submitting and reading returns and their revisions",
    "panel": "The panel's tools: review states, diffs, the integrated chronology, the tracker",
    "admin": "Plugins and tokens",
    "audit": "The audit log",
    "problems": "What each problem type means, with an example: where `type` URIs lead",
    "schemas": "The schemas forms refer to by $id, served so that every $ref resolves",
}
PATH_PARAMS: dict[str, dict[str, Any]] = {
    # What the service accepts in each path segment; anything else is no such resource.
    "ref": REF_SCHEMA, "agency": NAME_SCHEMA, "form": NAME_SCHEMA, "name": NAME_SCHEMA,
    "token_id": TOKEN_ID, "number": REVISION,
    "slug": {"type": "string", "pattern": "^[a-z][a-z-]{0,39}$"},
    "group": NAME_SCHEMA, "file": {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{0,99}$"},
}
BAD_REQUEST = ("a malformed request: a query parameter the route does not take, a control "
               "character in the path or query, or a body that is not JSON")
PURPOSE = {"type": "string", "minLength": 3, "maxLength": 500, "pattern": "^[^\\x00-\\x1f\\x7f]*$"}


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
        return {"application/problem+json": {"schema": ref("Error")}}
    if schema == "Metrics":
        return {"text/plain": {"schema": ref("Metrics")}}
    return {media: {"schema": ref(schema) if media.endswith(("/json", "+json"))
                    else TEXT_MEDIA.get(media, STR)} for media in media_types}


PRINTABLE = "^[^\\x00-\\x1f\\x7f]*$"
"""A control character anywhere in the path or query answers 400."""


def _query(name: str, given: tuple[str | dict[str, Any], str]) -> dict[str, Any]:
    kind, description = given
    schema = {"type": kind} if isinstance(kind, str) else kind
    if schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema \
            and "format" not in schema and "anyOf" not in schema:
        schema = {**schema, "pattern": PRINTABLE}
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _parameters(template: str, doc: dict[str, Any], purpose: bool) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMS.get(name, STR)}
        for name in PARAM.findall(template)]
    params += [_query(n, given) for n, given in doc["query"].items()]
    for name, given in doc["headers"].items():
        description, schema = given if isinstance(given, tuple) else (given, STR)
        if not (purpose and name.lower() == "x-purpose"):
            params.append({"name": name, "in": "header",
                           "required": name in doc.get("required_headers", ()),
                           "schema": schema, "description": description})
    if purpose:
        params.append({"name": "X-Purpose", "in": "header", "required": True,
                       "schema": PURPOSE, "description": "why you read this (3-500 "
                       "printable characters); kept in the audit log"})
    return params


def _operation(template: str, method: str, resource: Any, tag: str) -> dict[str, Any]:
    responder = getattr(resource, f"on_{method}")
    doc = responder.openapi
    declared = policy_of(responder)
    purpose = declared is not None and declared.purpose
    name = doc["name"].format_map(vars(resource))
    op: dict[str, Any] = {"operationId": name if method != "head" else "head_" + name,
                          "tags": [tag], "summary": doc["summary"], "responses": {}}
    if method == "head":
        op["summary"] = "The headers of: " + doc["summary"][0].lower() + doc["summary"][1:]
    if doc.get("description"):
        op["description"] = doc["description"]
    if params := _parameters(template, doc, purpose):
        op["parameters"] = params
    if purpose:
        op["responses"]["400"] = {"description": "no X-Purpose", "content": {
            "application/problem+json": {"schema": ref("Error")}}}
    if doc.get("request"):
        op["requestBody"] = {"required": True, "content": {
            media: {"schema": ref(doc["request"])} for media in doc["request_types"]}}
    for status, declared_schema in doc["responses"].items():
        if isinstance(declared_schema, tuple):
            schema, description = declared_schema
        else:
            schema = declared_schema
            description = "success" if status < 400 else "see the problem's detail"
        op["responses"][str(status)] = {"description": description}
        if schema is not None:
            op["responses"][str(status)]["content"] = _content(
                schema, doc.get("content_types", ("application/json",)))
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
    etag = "ETag" in doc.get("response_headers", {}).get(200, {})
    if etag and method in ("get", "head"):
        op["responses"]["304"] = {"description": "not modified: the ETag in If-None-Match is "
                                  "still current", "headers": {"ETag": _header("the ETag")}}
        op.setdefault("parameters", []).append({
            "name": "If-None-Match", "in": "header", "required": False, "schema": STR,
            "description": "an ETag you hold: 304 with no body if it is still current"})
    op["responses"].setdefault("400", {"description": BAD_REQUEST,
                                       "content": _content("Error", ())})
    if PARAM.search(template):
        op["responses"].setdefault("404", {"description": "no such resource, or one the "
                                           "caller may not see",
                                           "content": _content("Error", ())})
    op["responses"].setdefault("default", {"description": "an error", "content": {
        "application/problem+json": {"schema": ref("Error")}}})
    if method == "head":
        for response in op["responses"].values():
            response.pop("content", None)
    return op


def _components(spec: APISpec) -> None:
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in MARSHMALLOW.items():
        spec.components.schema(name, schema=schema)
    for name, component in PLAIN.items():
        spec.components.schema(name, component=component)


def _request_and_response_forms(schemas: dict[str, Any]) -> None:
    review = schemas["Review"]
    schemas["ReviewCreate"] = request_form(review)
    schemas["ReviewPatch"] = {**request_form(review, drop=("ref", "type"), partial=True),
                              "minProperties": 1}
    schemas["Review"] = response_form(review)
    schemas["ReturnPut"] = request_form(schemas["ReturnPut"])
    schemas["TokenCreate"] = request_form(schemas["TokenCreate"])
    error = schemas["Error"]
    error.pop("additionalProperties", None)
    error["properties"].update(PROBLEM_MEMBERS)
    error["required"] = ["type", "title", "status", "detail", "instance"]
    error["description"] = ("RFC 9457 problem details. `type` is a URI reference relative to "
                            "this service: GET it for the page that explains the problem. "
                            "A problem may carry extension members; ignore those you do not "
                            "know.")
    # A query needs a comment for the agency: stated here, as the service enforces it.
    schemas["StateChange"]["allOf"] = [{"if": {"properties": {"state": {"const": "queried"}},
                                               "required": ["state"]},
                                        "then": {"required": ["comment"], "properties": {
                                            "comment": {"type": "string", "pattern": "\\S"}}}}]
    schemas["Problem"]["required"] = ["pointer", "code", "message", "severity"]
    schemas["Problem"].pop("additionalProperties", None)


def build(table: list[tuple[str, object]], services: Services) -> dict[str, Any]:
    try:
        version = metadata.version("scr-returns")
    except metadata.PackageNotFoundError:
        version = "0"
    spec = APISpec(title="scr-returns", version=version, openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Multi-agency returns for safeguarding case reviews. "
                         "A guide for integrators: docs/api.md in the repository."},
                   servers=[{"url": "/", "description": "this service: every path is "
                             "relative to where this document was fetched"}],
                   tags=[{"name": n, "description": d} for n, d in TAGS.items()])
    _components(spec)
    for template, resource in table:
        tag = type(resource).__module__.rsplit(".", 1)[-1]
        tag = tag if tag in TAGS else "meta"
        operations = {m: _operation(template, m, resource, tag)
                      for m in METHODS if hasattr(resource, f"on_{m}")}
        spec.path(path=openapi_path(template), operations=operations)
    document: dict[str, Any] = spec.to_dict()
    _request_and_response_forms(document["components"]["schemas"])
    document["x-forms"] = [
        {"agency": p.agency.name, "form": f.spec.name, "version": v.version,
         "$id": v.schema.get("$id"),
         "href": f"/v1/agencies/{p.agency.name}/forms/{f.spec.name}?version={v.version}"}
        for p in services.catalog.host.plugins.values() for f in p.forms.values()
        for v in f.spec.offered]
    return document
