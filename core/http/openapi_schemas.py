"""The component schemas of the OpenAPI document that are not marshmallow envelopes.

Every member a response always carries is ``required``, so that a generated client
types it as present; request bodies never show a field the service sets (those are
``readOnly`` in the response shapes only, see :func:`request_form`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from scr_returns.core.envelopes import NAME, REF


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(optional: tuple[str, ...] = (), /, **props: Any) -> dict[str, Any]:
    """An object whose members are all required except ``optional``; closed to none."""
    return {"type": "object", "properties": props,
            "required": [p for p in props if p not in optional]}


def array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
INSTANT = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
INSTANT_OR_DAY = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}
REVISION = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
REF_SCHEMA = {"type": "string", "pattern": REF.regex.pattern}
NAME_SCHEMA = {"type": "string", "pattern": NAME.regex.pattern}
TOKEN_ID_RE = re.compile(r"^tok_[0-9a-f]{16}$")
TOKEN_ID = {"type": "string", "pattern": TOKEN_ID_RE.pattern}
WARNINGS = array(ref("Problem"))
REVISION_META = {"revision": INT, "schema_version": INT, "submitted_at": INSTANT,
                 "submitted_by": STR, "warnings": WARNINGS}
STATES = {"type": "string", "enum": ["submitted", "queried", "accepted"]}
ANY_OBJECT = {"type": "object"}

PANEL: dict[str, dict[str, Any]] = {
    "StateEvent": obj(revision=INT, action={"type": "string", "enum": [
        "submitted", "amended", "resubmitted", "queried", "accepted", "reopened"]},
        **{"from": {"type": ["string", "null"]}}, to=STATES, comment=NULLABLE_STR, by=STR,
        at=INSTANT),
    "StateChanged": obj(review=STR, agency=STR, form=STR, state=STATES, revision=INT,
                        allowed=array(STATES), event=ref("StateEvent")),
    "StateHistory": obj(review=STR, agency=STR, form=STR, state=STATES, revision=INT,
                        allowed=array(STATES), events=array(ref("StateEvent"))),
    "Diff": obj(review=STR, agency=STR, form=STR, **{"from": ANY_OBJECT}, to=ANY_OBJECT,
                patch={**array(ANY_OBJECT),
                       "description": "RFC 6902 JSON Patch from 'from' to 'to'"},
                chronology={"type": ["object", "null"], "description":
                            "entries added, removed and changed, by entry id"}),
    "ChronologyRow": obj(
        agency=STR, entry_id=STR, agency_entry_id=STR, form=STR, revision=INT, state=STATES,
        date=NULLABLE_STR, date_precision=STR, time=NULLABLE_STR, sequence=NULLABLE_INT,
        subjects=array(STR), event_type=NULLABLE_STR, source={"type": ["object", "null"]},
        description=NULLABLE_STR, decision_or_action=NULLABLE_STR, outcome=NULLABLE_STR,
        impact_on_child=NULLABLE_STR, background=BOOL, background_reason=NULLABLE_STR,
        agency_fields=ANY_OBJECT),
    "Chronology": obj(review=STR, generated_at=INSTANT, accepted_only=BOOL,
                      entries=array(ref("ChronologyRow")), count=INT),
    "TrackerForm": obj(
        ("warning_codes",), form=STR, owed=BOOL, due={"type": ["string", "null"], "format": "date"},
        submitted=BOOL, first_submitted_at={"type": ["string", "null"]},
        last_submitted_at={"type": ["string", "null"]}, submitted_late=BOOL,
        revision=NULLABLE_INT, state={"type": ["string", "null"]}, error_count=NULLABLE_INT,
        warning_count=NULLABLE_INT, warning_codes=ANY_OBJECT, overdue=BOOL, days_overdue=INT,
        href=NULLABLE_STR),
    "TrackerAgency": {**obj(agency=STR, forms=array(ref("TrackerForm"))),
                      "description": "and counts: forms_owed, submitted, accepted, ..."},
    "Tracker": obj(review=STR, today=DAY, counts_from=STR,
                   agencies=array(ref("TrackerAgency")), completeness=ANY_OBJECT),
}

PLAIN: dict[str, dict[str, Any]] = {
    "Health": obj(("checks",), status=STR, checks=ANY_OBJECT),
    "Metrics": {"type": "string", "description": "Prometheus text exposition format 0.0.4"},
    "OpenAPI": {"type": "object", "description": "this document"},
    "AgencyForm": obj(name=NAME_SCHEMA, title=STR, versions=array(INT), newest=NULLABLE_INT,
                      href=STR),
    "Agency": obj(name=NAME_SCHEMA, title=STR, description=STR, plugin=STR,
                  plugin_version=STR, forms=array(ref("AgencyForm"))),
    "AgencyList": obj(agencies=array(ref("Agency"))),
    "Form": obj(agency=STR, form=STR, title=STR, description=STR, version=INT,
                versions=array(INT), schema=ANY_OBJECT, example={"type": ["object", "null"]},
                chronology=BOOL),
    "ValidationResult": obj(valid=BOOL, schema_version=INT, error_count=INT,
                            warning_count=INT, truncated=BOOL, problems=array(ref("Problem"))),
    "ReturnSummary": obj(review=STR, agency=STR, form=STR, state=STATES,
                         revision_created=BOOL, **REVISION_META),
    "Return": obj(review=STR, agency=STR, form=STR, state=STATES, document=ANY_OBJECT,
                  state_event={"oneOf": [ref("StateEvent"), {"type": "null"}]},
                  **REVISION_META),
    "RevisionEntry": obj(document=ANY_OBJECT, **REVISION_META),
    "Revision": obj(review=STR, agency=STR, form=STR, document=ANY_OBJECT, **REVISION_META),
    "RevisionList": obj(review=STR, agency=STR, form=STR,
                        revisions=array(ref("RevisionEntry"))),
    "ReturnListItem": obj(agency=STR, form=STR, state=STATES, revision=INT,
                          schema_version=INT, submitted_at=INSTANT, submitted_by=STR,
                          warning_count=INT, href=STR),
    "ReturnList": obj(items=array(ref("ReturnListItem")), next_cursor=NULLABLE_STR),
    "ReviewList": obj(reviews=array(ref("Review")), next_cursor=NULLABLE_STR),
    **PANEL,
    # agency and title are null for a plugin that failed to load (see load_error)
    "Plugin": obj(name=STR, agency=NULLABLE_STR, title=NULLABLE_STR, version=STR,
                  distribution=NULLABLE_STR, builtin=BOOL, enabled=BOOL,
                  forms={"type": "object", "additionalProperties": array(INT)},
                  load_error=NULLABLE_STR),
    "PluginList": obj(plugins=array(ref("Plugin"))),
    "Token": obj(id=TOKEN_ID, name=STR, role={"type": "string", "enum": [
                 "admin", "panel", "agency"]}, agency=NULLABLE_STR, reviews=array(STR),
                 created_at=INSTANT, expires_at=INSTANT,
                 revoked_at={"type": ["string", "null"], "format": "date-time"},
                 last_used_at={"type": ["string", "null"], "format": "date-time"}),
    "TokenCreated": {"allOf": [ref("Token"), obj(token={
        "type": "string", "description": "the secret: shown once, never again"})]},
    "TokenList": obj(tokens=array(ref("Token")), next_cursor=NULLABLE_STR),
    "AuditRecord": obj(
        id=INT, at=INSTANT, request_id=STR, token_id=NULLABLE_STR, role=NULLABLE_STR,
        method=STR, route=STR, review=NULLABLE_STR, agency=NULLABLE_STR, form=NULLABLE_STR,
        revision=NULLABLE_INT, target=NULLABLE_STR, status=INT, purpose=NULLABLE_STR,
        replay_of={**NULLABLE_INT, "description": "an idempotent replay: the audit record of "
                   "the first answer (0: stored before replays were recorded)"},
        hash=STR),
    "SchemaList": obj(id_prefix=STR, served_at=STR, schemas=array(obj(
        **{"$id": STR}, href=STR))),
    "JsonSchema": {"type": "object", "description": "a JSON Schema (draft 2020-12)"},
    "ProblemType": obj(type=STR, status=INT, title=STR, meaning=STR, example=ref("Error")),
    "ProblemTypeList": obj(types=array(ref("ProblemType"))),
    "AuditPage": obj(items=array(ref("AuditRecord")), next_cursor=NULLABLE_STR),
}

PROBLEM_MEMBERS: dict[str, dict[str, Any]] = {
    # Extension members some problems add to RFC 9457's (core/errors.py,
    # core/service/states.py). The Error schema stays open: RFC 9457 lets a problem
    # type add members, and a client must ignore the ones it does not know.
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


def request_form(component: dict[str, Any], *, drop: tuple[str, ...] = (),
                 partial: bool = False) -> dict[str, Any]:
    """The request shape of a marshmallow component: no ``readOnly`` member, none of
    ``drop``; with ``partial`` nothing required and no defaults (a PATCH sends only
    what it changes)."""
    found = copy.deepcopy(component)
    props = found["properties"]
    for name in [n for n, p in props.items() if p.get("readOnly") or n in drop]:
        del props[name]
    found["required"] = [] if partial else [r for r in found.get("required", [])
                                            if r in props]
    if not found["required"]:
        del found["required"]
    if partial:
        for prop in props.values():
            prop.pop("default", None)
    return found


def response_form(component: dict[str, Any]) -> dict[str, Any]:
    """The response shape of a marshmallow component: every member always sent."""
    found = copy.deepcopy(component)
    for prop in found["properties"].values():
        prop.pop("default", None)
    found["required"] = list(found["properties"])
    found.pop("additionalProperties", None)
    return found
