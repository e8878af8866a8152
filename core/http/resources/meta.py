"""The public routes: liveness, readiness, the OpenAPI document."""

from __future__ import annotations

import logging
import os

import falcon

from core.http.openapi_doc import operation
from core.http.policy import policy
from core.http.resources.base import send_json
from core.service import Services
from core.storage.migrate import is_current

log = logging.getLogger(__name__)


class Health:
    @policy(public=True)
    @operation("The process answers", responses={200: "Health"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # The worker's pid lets an operator (and the tests) see which worker answered.
        send_json(resp, {"status": "ok", "pid": os.getpid()})


class Ready:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(public=True)
    @operation("Database reachable, migrations current, plugins loaded",
               responses={200: "Health", 503: "Error"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks = {"database": False, "migrations": False,
                  "plugins": len(self.services.catalog.host.plugins)}
        try:
            with self.services.store.read() as tx:
                checks["database"] = True
                checks["migrations"] = is_current(tx.conn)
        except Exception as exc:
            log.warning("readiness check failed: %s", type(exc).__name__)
        ready = bool(checks["database"] and checks["migrations"])
        send_json(resp, {"status": "ready" if ready else "not ready", "checks": checks},
                  200 if ready else 503)


class OpenAPI:
    def __init__(self, document: dict[str, object]) -> None:
        self.document = document

    @policy(public=True)
    @operation("This OpenAPI 3.1 document")
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, self.document)
