"""``/metrics``: the Prometheus text exposition of every worker."""

from __future__ import annotations

import falcon

from scr_returns.core import metrics
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.policy import policy
from scr_returns.core.service import Services


class Metrics:
    def __init__(self, services: Services) -> None:
        self.services = services

    # NOTE: public like /v1/health, as scrapers expect: it holds counts by route
    # template, status, agency and form, and plugin state, never a review, a
    # return or anyone's data. Reverse proxies keep it off the public side.
    @policy(public=True)
    @operation(name="get_metrics",
               summary="Prometheus metrics of every worker (text exposition format)",
               responses={200: "Metrics"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = metrics.CONTENT_TYPE
        resp.data = metrics.exposition(self.services.catalog)
