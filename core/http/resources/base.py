"""What every resource shares: the caller, the body, writing answers."""

from __future__ import annotations

from typing import Any

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


def send_json(resp: falcon.Response, value: Any, status: int = 200) -> None:
    send_text(resp, jsonio.dumps(value), status)


def send_text(resp: falcon.Response, text: str, status: int = 200) -> None:
    """JSON already encoded (e.g. with stored documents spliced in unparsed)."""
    resp.status = status
    resp.content_type = falcon.MEDIA_JSON
    resp.text = text
