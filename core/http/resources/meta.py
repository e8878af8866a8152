"""The public routes: liveness, readiness, the OpenAPI document."""

from __future__ import annotations

import logging

import falcon

from scr_returns.core.errors import ServiceUnavailableError
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.policy import policy
from scr_returns.core.http.problems import write_problem
from scr_returns.core.http.resources.base import send_json
from scr_returns.core.service import Services

log = logging.getLogger(__name__)


class Health:
    @policy(public=True)
    @operation(name="get_health", summary="The process answers", responses={200: "Health"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # NOTE: public, so it says nothing about the process (no pid, version or
        # host); which worker answered is in the access log line, by request id.
        send_json(resp, {"status": "ok"})


class Ready:
    """Ready to take traffic: the database answers and its schema is current.

    ``checks`` reports each check: ``database`` and ``migrations`` (booleans),
    ``plugins`` (how many loaded) and ``plugins_failed`` (how many did not). A
    plugin that failed to load is reported but does not make the instance
    unready: every other agency still works, and an instance taken out of the
    load balancer would serve none of them; the admin sees the error in
    ``GET /v1/admin/plugins``. Not ready answers 503 as a problem, with
    ``checks`` as an extension member.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(public=True)
    @operation(name="get_readiness",
               summary="Database reachable, migrations current, plugins loaded",
               responses={200: "Health", 503: "Error"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        host = self.services.catalog.host
        # Counts only: this route is public; the names and errors are the admin's.
        checks: dict[str, object] = {"database": False, "migrations": False,
                                     "plugins": len(host.plugins),
                                     "plugins_failed": len(host.failed)}
        try:
            with self.services.store.read() as tx:
                checks["database"] = True
                checks["migrations"] = tx.schema_current()
        except Exception as exc:
            log.warning("readiness check failed: %s", type(exc).__name__)
        if checks["database"] and checks["migrations"]:
            send_json(resp, {"status": "ready", "checks": checks})
            return
        reason = ("the database schema is not current; run 'scr-returns db upgrade'"
                  if checks["database"] else "the database cannot be reached")
        unavailable = ServiceUnavailableError
        write_problem(req, resp, status=unavailable.status, type_=unavailable.type,
                      title=unavailable.title, detail=f"Not ready: {reason}.",
                      extra={"checks": checks})


class OpenAPI:
    def __init__(self, document: dict[str, object]) -> None:
        self.document = document

    @policy(public=True)
    @operation(name="get_openapi", summary="This OpenAPI 3.1 document",
               responses={200: "OpenAPI"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, self.document)
