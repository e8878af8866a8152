"""Every problem ``type`` the service answers with, its meaning and an example.

A problem's ``type`` is the relative URI reference ``/v1/problems/<slug>``
(RFC 9457 allows a relative reference; it resolves against the request's URI,
so it names a page of the very service that answered, wherever that is
deployed). ``GET /v1/problems`` lists them all and ``GET /v1/problems/<slug>``
explains one: meaning, status, what to do, and an example body. A test holds
every :class:`~scr_returns.core.errors.ServiceError` to having an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_BASE = "/v1/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    meaning: str
    example: str
    """An example ``detail``."""

    @property
    def uri(self) -> str:
        return TYPE_BASE + self.slug

    def example_body(self) -> dict[str, object]:
        body: dict[str, object] = {"type": self.uri, "title": self.title,
                                   "status": self.status, "detail": self.example,
                                   "instance": "5f0c0e0a3b0d4c9e8a6f2b1d7c3e9a41"}
        if self.slug == "invalid-document":
            body.update(problems=[{"pointer": "/entries/0/date", "code": "schema.format",
                                   "message": "Must be a real date written YYYY-MM-DD.",
                                   "severity": "error"}],
                        error_count=1, warning_count=0, truncated=False)
        elif self.slug == "invalid-request":
            body["problems"] = [{"pointer": "/revision", "code": "request.read_only",
                                 "message": "'revision' is set by the service and may not be "
                                            "sent.", "severity": "error"}]
        return body


TYPES: tuple[ProblemType, ...] = (
    ProblemType("bad-request", 400, "Bad request",
                "The request is malformed: a body that is not JSON (or nested too deeply, or "
                "with a NUL character), a query parameter the route does not take, a control "
                "character in the path, a bad cursor, or a missing X-Purpose. Fix the request; "
                "retrying it unchanged gets the same answer.",
                "Unknown query parameter 'anonymise': this route takes agency, cursor, form, "
                "has_warnings, limit, state. Nothing was done with it."),
    ProblemType("unauthorized", 401, "Authentication required",
                "No token, or one that is malformed, expired or revoked. Send "
                "'Authorization: Bearer <token>' with a current token.",
                "A valid bearer token is required."),
    ProblemType("forbidden", 403, "Forbidden",
                "The token's role may never use this route (for example an agency token "
                "reading the integrated chronology).",
                "An agency token may not use this route."),
    ProblemType("not-found", 404, "Not found",
                "No such resource, or one the caller may not see: the answer is the same, so "
                "that nobody learns which reviews or returns exist.",
                "No such resource."),
    ProblemType("method-not-allowed", 405, "Method not allowed",
                "The route exists but not with this method; the Allow header lists the "
                "methods it takes.",
                "DELETE is not allowed here; allowed: GET, HEAD, POST."),
    ProblemType("not-acceptable", 406, "Not acceptable",
                "The Accept header asks for no media type this route can send.",
                "This route sends application/json, application/x-ndjson or text/csv."),
    ProblemType("conflict", 409, "Conflict",
                "The request conflicts with the resource's state: a review reference already "
                "used, a state change not allowed from the return's state (the answer's "
                "'state' and 'allowed' say where it stands), a plugin that failed to load.",
                "A review with this reference already exists."),
    ProblemType("length-required", 411, "Length required",
                "A body was sent without a length the server can trust; send Content-Length.",
                "Send the body with a Content-Length header."),
    ProblemType("precondition-failed", 412, "Precondition failed",
                "The If-Match ETag is not the current one: someone changed the resource since "
                "you read it. Read it again, reapply your change, and send the new ETag.",
                "The review has changed since you read it; read it again."),
    ProblemType("request-timeout", 408, "Request timeout",
                "The request body arrived too slowly (it must come within a few seconds plus "
                "one second per 64 KiB); nothing was stored. Send it again on a faster "
                "connection.",
                "The body arrived too slowly (1024 bytes so far); send it again on a faster "
                "connection."),
    ProblemType("payload-too-large", 413, "Request body too large",
                "The body is larger than the service accepts (SCR_RETURNS_MAX_BODY_BYTES).",
                "The body is larger than 33554432 bytes."),
    ProblemType("unsupported-media-type", 415, "Unsupported media type",
                "The body's Content-Type is not one the route reads: application/json (and, "
                "for a review PATCH, application/merge-patch+json).",
                "Send the body as application/json."),
    ProblemType("unprocessable", 422, "Unprocessable content",
                "The request is well-formed JSON but asks for something impossible: a token "
                "for an agency that is not enabled or a review that does not exist, a form "
                "version that is not offered.",
                "The token's review 'IOW-2026-99' does not exist."),
    ProblemType("invalid-request", 422, "The request body is not valid",
                "The API envelope (not the form's document) has a field that is missing, "
                "unknown, of the wrong type, or set by the service. 'problems' names each "
                "one by JSON Pointer into the body.",
                "The request body is not valid: revision."),
    ProblemType("invalid-document", 422, "The document is not valid",
                "The form's document failed validation; nothing was stored. 'problems' lists "
                "every problem at once (pointer into the document, stable code, message, "
                "severity); 'error_count', 'warning_count' and 'truncated' give the totals.",
                "1 error(s) and 0 warning(s) were found; nothing was stored."),
    ProblemType("precondition-required", 428, "Precondition required",
                "Changing an existing resource (amending a return, changing a review) needs "
                "If-Match with the ETag you read, so that no change is lost.",
                "Changing a review needs If-Match with the ETag you read."),
    ProblemType("internal-error", 500, "Internal Server Error",
                "The service failed; nothing about the request is told. Quote the 'instance' "
                "(the request id) when reporting it.",
                "The service failed to answer; quote the request id when reporting it."),
    ProblemType("unavailable", 503, "Service unavailable",
                "The database is busy or unreachable, the access could not be audited, the "
                "service is not ready, or it is stopping. Retry after the Retry-After "
                "header's seconds.",
                "The database is busy or unreachable; retry shortly."),
)

BY_SLUG = {t.slug: t for t in TYPES}
BY_STATUS = {t.status: t for t in TYPES if t.slug not in ("invalid-request",
                                                          "invalid-document")}


def for_status(status: int) -> ProblemType:
    """The generic type of an HTTP status (for errors raised by the framework)."""
    return BY_STATUS.get(status) or BY_STATUS[500 if status >= 500 else 400]
