"""What every resource shares: the caller, the body, writing answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import falcon
from marshmallow import Schema

from scr_returns.core import envelopes, jsonio
from scr_returns.core.audit import AuditEntry
from scr_returns.core.auth import Principal


def principal(req: falcon.Request) -> Principal:
    found = req.context.principal
    assert isinstance(found, Principal)  # the middleware set it, per the route's policy
    return found


def audit(req: falcon.Request) -> AuditEntry | None:
    """This request's audit entry, for a service to append inside its write transaction."""
    found = getattr(req.context, "audit", None)
    return found if isinstance(found, AuditEntry) else None


def body(req: falcon.Request, schema: Schema) -> dict[str, Any]:
    """The JSON body loaded with an envelope schema (415/400/413/422 on bad input)."""
    return envelopes.load(schema, req.get_media())


PAGE: dict[str, tuple[str | dict[str, Any], str]] = {
    "limit": ({"type": "integer", "minimum": 1, "maximum": 500}, "page size (default 100)"),
    "cursor": ({"type": "string", "pattern": "^[0-9]{1,9}$"},
               "next_cursor of the previous page (also in the Link header, rel=next)"),
}
"""The query parameters of every paginated list."""


def limit(req: falcon.Request) -> int:
    return req.get_param_as_int("limit", min_value=1, max_value=500) or 100


def send_page(req: falcon.Request, resp: falcon.Response, value: dict[str, Any]) -> None:
    """A page of a list, with ``Link: <...>; rel="next"`` when there is a next page."""
    cursor = value.get("next_cursor")
    if cursor:
        params = [(k, v) for k, v in req.params.items() if k != "cursor"]
        flat = [(k, item) for k, v in params for item in (v if isinstance(v, list) else [v])]
        query = urlencode([*flat, ("cursor", cursor)])
        resp.set_header("Link", f'<{req.path}?{query}>; rel="next"')
    send_json(resp, value)


def send_json(resp: falcon.Response, value: Any, status: int = 200) -> None:
    send_text(resp, jsonio.dumps(value), status)


def send_text(resp: falcon.Response, text: str, status: int = 200) -> None:
    """JSON already encoded (e.g. with stored documents spliced in unparsed)."""
    resp.status = status
    resp.content_type = falcon.MEDIA_JSON
    resp.text = text
