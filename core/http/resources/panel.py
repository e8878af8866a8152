"""The panel's tools: review states, revision diffs, the integrated chronology, the tracker."""

from __future__ import annotations

import falcon

from scr_returns.core.auth import Role
from scr_returns.core.envelopes import StateChangeSchema
from scr_returns.core.errors import BadRequestError
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.openapi_schemas import DAY, REVISION
from scr_returns.core.http.paths import return_url
from scr_returns.core.http.policy import ANY, policy
from scr_returns.core.http.resources.base import audit, body, principal, send_json
from scr_returns.core.service import Services
from scr_returns.core.service.exports import FORMATS, Format
from scr_returns.core.storage.chronology import EntryFilter

REVISION_MAX = 2**31 - 1
"""Revision numbers are 32-bit integers in the database; anything larger cannot exist."""
STATE_CHANGE = StateChangeSchema()

PANEL: tuple[Role, ...] = ("panel",)
PANEL_ADMIN: tuple[Role, ...] = ("panel", "admin")
ACCEPTED: dict[str, Format] = {"application/json": "json", "application/x-ndjson": "ndjson",
                               "application/ndjson": "ndjson", "text/csv": "csv"}
WILDCARDS = frozenset({"*/*", "application/*"})
"""Accept ranges JSON falls under: with one sent, an Accept that matches nothing we make
(or does not parse) gets JSON rather than 406."""


class ReturnState:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=PANEL, binding="review")
    @operation(name="change_return_state",
               summary="Move a return to another review state (query, accept, reopen)",
               request="StateChange",
               responses={200: "StateChanged", 404: "Error", 409: "Error", 412: "Error",
                          422: "Error"},
               headers={"If-Match": "the return's ETag: refuse if a newer revision came in"})
    def on_post(self, req: falcon.Request, resp: falcon.Response, ref: str, agency: str,
                form: str) -> None:
        change = body(req, STATE_CHANGE)
        send_json(resp, self.services.states.change(
            principal(req), ref, agency, form, change["state"], change["comment"],
            if_match=req.get_header("If-Match"), audit=audit(req)))

    @policy(roles=ANY, binding="review+agency")
    @operation(name="get_return_state",
               summary="The return's review state, the states the panel may move it to, and every "
               "transition with who, when and why", responses={200: "StateHistory",
                                                               404: "Error"})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str, agency: str,
               form: str) -> None:
        send_json(resp, self.services.states.history(principal(req), ref, agency, form))


class ReturnDiff:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY, binding="review+agency", purpose=True)
    @operation(name="diff_revisions",
               summary="What changed between two revisions: RFC 6902 JSON Patch, and for a "
               "chronology the entries added, removed and changed",
               responses={200: "Diff", 404: "Error"},
               query={"from": (REVISION, "revision to start from (default: the one before "
                               "'to')"),
                      "to": (REVISION, "revision to end at (default: the latest)")},
               headers={"X-Purpose": "why the return's content is read (audited)"})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str, agency: str,
               form: str) -> None:
        send_json(resp, self.services.history.diff(
            principal(req), ref, agency, form,
            req.get_param_as_int("from", min_value=1, max_value=REVISION_MAX),
            req.get_param_as_int("to", min_value=1, max_value=REVISION_MAX)))


def _format(req: falcon.Request) -> Format:
    given = req.get_param("format")
    if given is not None:
        if given not in FORMATS:
            raise BadRequestError(f"format is one of {', '.join(FORMATS)}.")
        return given
    # NOTE: client_prefers weighs q-values and, among equals, takes the first
    # offered, so JSON (first in ACCEPTED) answers a bare */* or application/*.
    best = req.client_prefers(list(ACCEPTED))
    if best is not None:
        return ACCEPTED[best]
    ranges = {r.split(";")[0].strip().lower() for r in req.accept.split(",")}
    if ranges & WILDCARDS:
        return "json"
    raise falcon.HTTPNotAcceptable(description="The chronology comes as application/json,"
                                   " application/x-ndjson or text/csv.")


def _list(req: falcon.Request, name: str) -> tuple[str, ...]:
    """A filter given repeated (``?agency=a&agency=b``) or comma-separated."""
    values = req.get_param_as_list(name) or []
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


class Chronology:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=PANEL_ADMIN, binding="review", purpose=True)
    @operation(name="get_chronology",
               summary="The integrated chronology: every agency's latest chronology merged in time "
               "order, streamed as JSON, NDJSON or CSV",
               responses={200: "Chronology", 400: "Error", 404: "Error", 406: "Error"},
               query={"format": ({"type": "string", "enum": list(FORMATS)},
                                 "json, ndjson or csv (else by Accept)"),
                      "agency": ("string", "only these agencies (repeat or comma-separate)"),
                      "subject": ("string", "only entries about these subject keys"),
                      "event_type": ("string", "only these event types"),
                      "from": (DAY, "only entries on or after this date (YYYY-MM-DD)"),
                      "to": (DAY, "only entries on or before this date"),
                      "background": ("boolean", "true: background entries only; false: none"),
                      "accepted_only": ("boolean", "only returns the panel has accepted"),
                      "bom": ("boolean", "CSV: start with a UTF-8 byte-order mark (default "
                              "true, for spreadsheets)")},
               headers={"X-Purpose": "why the returns' content is read (audited)"},
               content_types=("application/json", "application/x-ndjson", "text/csv"))
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str) -> None:
        fmt = _format(req)
        entry_filter = EntryFilter(
            agencies=_list(req, "agency"), subjects=_list(req, "subject"),
            event_types=_list(req, "event_type"),
            date_from=req.get_param_as_date("from"), date_to=req.get_param_as_date("to"),
            background=req.get_param_as_bool("background"),
            accepted_only=bool(req.get_param_as_bool("accepted_only")))
        bom = req.get_param_as_bool("bom")
        export = self.services.chronology.export(principal(req), ref, fmt, entry_filter,
                                                 bom=True if bom is None else bom)
        resp.content_type = export.content_type
        if fmt == "csv":
            resp.downloadable_as = export.filename
        resp.stream = export.chunks


class Tracker:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=PANEL_ADMIN, binding="review")
    @operation(name="get_tracker",
               summary="Per agency asked in and per form it owes: due date, submitted, revision, "
               "state, error and warning counts, overdue; and overall completeness",
               responses={200: "Tracker", 404: "Error"},
               query={"recheck": ("boolean", "validate the latest revisions again against "
                                  "the review as it is now")})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str) -> None:
        tracker = self.services.tracker.tracker(
            principal(req), ref, recheck=bool(req.get_param_as_bool("recheck")))
        for agency in tracker["agencies"]:
            for item in agency["forms"]:
                item["href"] = return_url(ref, agency["agency"], item["form"]) \
                    if item["submitted"] else None
        send_json(resp, tracker)
