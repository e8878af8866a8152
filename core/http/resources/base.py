"""What every resource shares: the caller, the body, writing answers."""

from __future__ import annotations

from typing import Any

import falcon
from marshmallow import Schema

from core import envelopes, jsonio
from core.audit import AuditEntry
from core.auth import Principal
from core.service.returns import Answer


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


def send(resp: falcon.Response, answer: Answer) -> None:
    resp.status = answer.status
    resp.content_type = falcon.MEDIA_JSON
    resp.text = answer.body
    for name, value in answer.headers.items():
        resp.set_header(name, value)


def send_json(resp: falcon.Response, value: Any, status: int = 200) -> None:
    resp.status = status
    resp.content_type = falcon.MEDIA_JSON
    resp.text = jsonio.dumps(value)
