"""Per-request observation: the request id for the logs, and the request metrics.

Sits right after :class:`~scr_returns.core.http.middleware.RequestId` so that every later
log line of the request carries its id, and so that its ``process_response``
runs after every other middleware's: the status it counts is the one sent.
"""

from __future__ import annotations

import time
from typing import Any

import falcon

from scr_returns.core import metrics
from scr_returns.core.logs import REQUEST_ID

KNOWN_METHODS = frozenset(falcon.COMBINED_METHODS)


class Observe:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.observe_started = time.perf_counter()
        req.context.observe_token = REQUEST_ID.set(req.context.request_id)

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        started = getattr(req.context, "observe_started", None)
        if started is not None:
            # The template, never the path: labels stay few and carry no identifiers.
            route = req.uri_template or "unmatched"
            method = req.method if req.method in KNOWN_METHODS else "OTHER"
            metrics.observe_request(method, route, resp.status_code,
                                    time.perf_counter() - started)
        token = getattr(req.context, "observe_token", None)
        if token is not None:
            REQUEST_ID.reset(token)
