"""The audit log, filtered, for admins."""

from __future__ import annotations

import falcon

from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.openapi_schemas import INSTANT_OR_DAY
from scr_returns.core.http.policy import ADMIN, policy
from scr_returns.core.http.resources.base import PAGE, limit, send_page
from scr_returns.core.service import Services


class AuditLog:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation(name="list_audit_records",
               summary="The audit log, oldest first, filtered, a page at a time",
               responses={200: "AuditPage", 400: "Error"},
               query={"from": (INSTANT_OR_DAY, "at or after this instant (ISO 8601 date, or "
                                               "date and time with its offset)"),
                      "to": (INSTANT_OR_DAY, "before this instant"),
                      "token_id": ("string", "only this token (its id, never the secret)"),
                      "review": ("string", "only this review reference"),
                      "agency": ("string", "only this agency"),
                      "outcome": ({"type": "string", "pattern":
                                   "^(allowed|refused|[1-5](xx|[0-9][0-9]))$"},
                                  "a status (404), a class (4xx), 'allowed' or 'refused'"),
                      **PAGE})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_page(req, resp, self.services.audit.page(
            since=req.get_param("from"), until=req.get_param("to"),
            token=req.get_param("token_id"), review=req.get_param("review"),
            agency=req.get_param("agency"), outcome=req.get_param("outcome"),
            cursor=req.get_param("cursor"),
            limit=limit(req)))
