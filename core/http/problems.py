"""One error shape for everything: RFC 9457 problem+json with the request id."""

from __future__ import annotations

import logging
from typing import Any

import falcon
import sqlalchemy.exc

from scr_returns.core import jsonio, problem_types
from scr_returns.core.errors import (
    NotFoundError,
    PluginRuleError,
    ServiceError,
    ServiceUnavailableError,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def _request_id(req: falcon.Request) -> str:
    return str(getattr(req.context, "request_id", "") or "")


def write_problem(req: falcon.Request, resp: falcon.Response, *, status: int, type_: str,
                  title: str, detail: str, headers: dict[str, str] | None = None,
                  extra: dict[str, Any] | None = None) -> None:
    body = {"type": type_, "title": title, "status": status, "detail": detail,
            "instance": _request_id(req), **(extra or {})}
    resp.status = status
    resp.content_type = PROBLEM_JSON
    resp.text = jsonio.dumps(body)
    for name, value in (headers or {}).items():
        resp.set_header(name, value)


def on_service_error(req: falcon.Request, resp: falcon.Response, exc: ServiceError,
                     _params: dict[str, Any]) -> None:
    write_problem(req, resp, status=exc.status, type_=exc.type, title=exc.title,
                  detail=exc.detail, headers=exc.headers, extra=exc.extra)


def on_http_error(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError,
                  _params: dict[str, Any]) -> None:
    """falcon's own errors (404 and 405 from routing, 415, ...) in our shape."""
    status = exc.status_code
    if status == 404:
        # Identical to a resource the caller may not see: nothing to tell apart.
        missing = NotFoundError()
        write_problem(req, resp, status=404, type_=missing.type, title=missing.title,
                      detail=missing.detail)
        return
    headers = dict(exc.headers or {})
    title = falcon.code_to_http_status(status)[4:]
    detail = str(exc.description or "")
    if not detail:
        detail = (f"{req.method} is not allowed here; allowed: {headers.get('Allow', 'none')}."
                  if status == 405 else title + ".")
    write_problem(req, resp, status=status, type_=problem_types.for_status(status).uri,
                  title=title, detail=detail, headers=headers)


def on_database_error(req: falcon.Request, resp: falcon.Response,
                      exc: sqlalchemy.exc.OperationalError, params: dict[str, Any]) -> None:
    """Contention that outlasted the busy timeout, or a database that went away: 503."""
    log.warning("database unavailable for request %s: %s", _request_id(req),
                type(exc.orig).__name__)
    on_service_error(req, resp, ServiceUnavailableError(
        "The database is busy or unreachable; retry shortly."), params)


def on_unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception,
                  _params: dict[str, Any]) -> None:
    """The last resort: a 500 that says nothing but the request id."""
    if isinstance(exc, PluginRuleError):
        log.error("request %s: %s", _request_id(req), exc, exc_info=exc.__cause__)
    else:
        log.error("request %s failed", _request_id(req), exc_info=exc)
    write_problem(req, resp, status=500, type_=problem_types.BY_SLUG["internal-error"].uri,
                  title="Internal Server Error",
                  detail="The service failed to answer; quote the request id when reporting "
                         "it.")


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    # NOTE: falcon picks the handler of the most specific class in the MRO,
    # so the generic Exception handler never shadows the others.
    app.add_error_handler(Exception, on_unexpected)
    app.add_error_handler(sqlalchemy.exc.OperationalError, on_database_error)
    app.add_error_handler(falcon.HTTPError, on_http_error)
    app.add_error_handler(ServiceError, on_service_error)
