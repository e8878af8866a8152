"""The falcon application factory."""

from __future__ import annotations

from typing import Any

import falcon

from scr_returns.core.bootstrap import build_services, refuse_missing_agencies
from scr_returns.core.http import audit, middleware, openapi, problems
from scr_returns.core.http.body import ReceiveBody
from scr_returns.core.http.conditional import NotModified
from scr_returns.core.http.media import media_handlers
from scr_returns.core.http.observe import Observe
from scr_returns.core.http.params import KnownParams
from scr_returns.core.http.policy import policy_of
from scr_returns.core.http.routes import routes
from scr_returns.core.http.stopping import RefuseWhileStopping
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings

METHODS = ("get", "head", "post", "put", "patch", "delete")


def create_app(settings: Settings | None = None, *,
               services: Services | None = None) -> falcon.App[falcon.Request, falcon.Response]:
    """A WSGI app over ``services`` (built from ``settings`` when not given)."""
    settings = settings or (services.settings if services else Settings.from_env())
    services = services or build_services(settings)
    refuse_missing_agencies(services)
    stack: list[Any] = [middleware.RequestId(), Observe(), RefuseWhileStopping(),
                        audit.Audit(services),
                        middleware.CleanPath(),
                        middleware.BodyLimit(settings.max_body_bytes),
                        middleware.Authenticate(services), KnownParams(), audit.Purpose(),
                        ReceiveBody(settings.max_body_bytes, settings.data_dir / "spool",
                                    grace=settings.body_timeout,
                                    min_rate=settings.body_min_rate),
                        NotModified()]
    app = falcon.App(middleware=stack)
    app.req_options.media_handlers = media_handlers(settings.max_body_bytes,
                                                    settings.max_json_depth)
    app.resp_options.media_handlers = app.req_options.media_handlers
    problems.install(app)
    document: dict[str, object] = {}
    table = routes(services, document)
    for template, resource in table:
        if hasattr(resource, "on_get") and not hasattr(resource, "on_head"):
            # NOTE: HEAD is GET without the body (falcon drops it): same policy, audit
            # and headers, so a client can check an ETag or a Content-Length cheaply.
            resource.on_head = resource.on_get  # type: ignore[attr-defined]
        for method in METHODS:
            responder = getattr(resource, f"on_{method}", None)
            if responder is not None and policy_of(responder) is None:
                raise RuntimeError(f"{method.upper()} {template} declares no access policy")
        app.add_route(template, resource)
    document.update(openapi.build(table, services))
    return app
