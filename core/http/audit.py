"""Every request that reaches the service leaves one audit record, before its answer.

:class:`Audit` sits before authentication, so that denials (401, 403) are
recorded too; it starts an :class:`~scr_returns.core.audit.AuditEntry` for the request,
which a writing service appends inside its own transaction, and appends it
itself once the status is known otherwise. If that append fails, the caller
gets a 503 and none of the data. :class:`Purpose` sits after authentication:
it names the caller on the entry and asks a read of return content why.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import falcon

from scr_returns.core.audit import AuditEntry
from scr_returns.core.errors import BadRequestError, ServiceUnavailableError
from scr_returns.core.http.policy import policy_of
from scr_returns.core.http.problems import on_service_error
from scr_returns.core.service import Services

log = logging.getLogger(__name__)

PURPOSE = re.compile(r"^[^\x00-\x1f\x7f]{3,500}$")
KEEP_ON_FAILURE = ("X-Request-ID",)


def _responder(req: falcon.Request, resource: Any) -> Any:
    return getattr(resource, f"on_{req.method.lower()}", None) if resource is not None else None


class Audit:
    def __init__(self, services: Services) -> None:
        self.services = services

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.audit = AuditEntry(request_id=req.context.request_id, method=req.method,
                                       route=req.path)

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        entry: AuditEntry | None = req.context.audit
        declared = policy_of(_responder(req, resource))
        if declared is not None and declared.public:
            # Liveness probes and the API description touch no data; auditing them
            # would bury the accesses that matter and tie /health to the database.
            req.context.audit = None
            return
        if entry is None or resource is None:
            return
        entry.route = req.uri_template or entry.route
        entry.review = params.get("ref") or req.get_param("review")
        entry.agency = params.get("agency") or req.get_param("agency")
        entry.form = params.get("form") or req.get_param("form")
        number = params.get("number")
        entry.revision = number if isinstance(number, int) else None
        entry.target = params.get("token_id") or params.get("name")

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        entry: AuditEntry | None = getattr(req.context, "audit", None)
        if entry is None or entry.appended is not None:
            return
        principal = getattr(req.context, "principal", None)
        if principal is not None and entry.token_id is None:
            entry.token_id, entry.role = principal.token_id, principal.role
        try:
            with self.services.store.write() as tx:
                entry.append(tx, resp.status_code, self.services.clock())
        except Exception as exc:
            log.error("request %s: audit record not written (%s); answering 503",
                      entry.request_id, type(exc).__name__)
            _withhold(req, resp)


def _withhold(req: falcon.Request, resp: falcon.Response) -> None:
    """Replace the answer with a 503 that carries none of the data."""
    for name in list(resp.headers):
        if name.lower() not in {h.lower() for h in KEEP_ON_FAILURE}:
            resp.delete_header(name)
    resp.data = None
    resp.stream = None
    resp.media = None
    on_service_error(req, resp, ServiceUnavailableError(
        "The access could not be recorded in the audit log, so nothing is answered; retry "
        "shortly."), {})


class Purpose:
    """Name the authenticated caller on the audit entry; require ``X-Purpose`` where due."""

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        entry: AuditEntry | None = getattr(req.context, "audit", None)
        principal = getattr(req.context, "principal", None)
        if entry is None or principal is None:
            return
        entry.token_id, entry.role = principal.token_id, principal.role
        given = (req.get_header("X-Purpose") or "").strip()
        if given:
            if not PURPOSE.match(given):
                raise BadRequestError("X-Purpose is 3-500 printable characters saying why "
                                      "you read this.")
            entry.purpose = given
        declared = policy_of(_responder(req, resource))
        if declared is not None and declared.purpose and not given:
            raise BadRequestError("Reading return content needs an X-Purpose header saying "
                                  "why (for example 'X-Purpose: panel analysis for the "
                                  "review'); it is kept in the audit log.")
