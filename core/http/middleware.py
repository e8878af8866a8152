"""Per-request work done before any resource: request id, size limit, authentication."""

from __future__ import annotations

import re
import uuid
from typing import Any

import falcon

from scr_returns.core.errors import (
    BadRequestError,
    ForbiddenError,
    LengthRequiredError,
    PayloadTooLargeError,
    UnauthorizedError,
)
from scr_returns.core.http.policy import policy_of
from scr_returns.core.service import Services

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ENCODED_CONTROL = re.compile(r"%[01][0-9a-f]|%7f", re.I)


class RequestId:
    """Take a sane client ``X-Request-ID`` or make one; echo it on the response."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header("X-Request-ID")
        req.context.request_id = given if given and REQUEST_ID.match(given) \
            else uuid.uuid4().hex
        resp.set_header("X-Request-ID", req.context.request_id)


class BodyLimit:
    """Refuse a declared body over the limit before reading any of it.

    A chunked body (no Content-Length) is counted as it is received
    (core/http/body.py); a server that does not mark such input as terminated
    gets 411, since its end cannot be trusted.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        length = req.content_length
        if length is not None:
            if length > self.max_bytes:
                raise PayloadTooLargeError(f"The body is larger than {self.max_bytes} bytes.")
            return
        if "chunked" not in (req.get_header("Transfer-Encoding") or "").lower():
            return
        if not req.env.get("wsgi.input_terminated"):
            raise LengthRequiredError("Send a Content-Length with the body.")


class CleanPath:
    """A NUL or other control character in the path or query is never a valid name."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = req.query_string or ""
        if CONTROL.search(req.path) or CONTROL.search(query) or ENCODED_CONTROL.search(query):
            raise BadRequestError("The request path contains a control character.")


class Authenticate:
    """Resolve the bearer token into ``req.context.principal`` per the responder's policy.

    The token is read in ``req.context.reads``, a read transaction that a
    responder whose policy ``shares_reads`` continues (and ends); for every
    other responder it ends here, and whatever is left open ends with the response.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        req.context.principal = None
        if resource is None:
            return
        responder = getattr(resource, f"on_{req.method.lower()}", None)
        declared = policy_of(responder)
        if declared is None or declared.public:
            return  # no responder (falcon answers 405) or a public route
        if "access_token" in req.params or "token" in req.params:
            raise UnauthorizedError("Tokens are accepted only in the Authorization header.")
        header = req.get_header("Authorization")
        if not header:
            raise UnauthorizedError()
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise UnauthorizedError("Use 'Authorization: Bearer <token>'.")
        reads = req.context.reads = self.services.store.reader()
        try:
            principal = self.services.tokens.authenticate(secret.strip(), reads)
        finally:
            if not declared.shares_reads:
                reads.close()
        req.context.principal = principal  # known even when refused: the audit names it
        if principal.role not in declared.roles:
            article = "An" if principal.role[0] in "aeiou" else "A"
            raise ForbiddenError(f"{article} {principal.role} token may not use this route.")

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        reads = getattr(req.context, "reads", None)
        if reads is not None:
            reads.close()
