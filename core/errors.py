"""Service errors and validation problems; no HTTP framework is known here.

Every error the service raises on purpose is a :class:`ServiceError`; the HTTP
layer turns it into an RFC 9457 problem body, the CLI into a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from scr_returns.core.problem_types import TYPE_BASE

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a submitted document.

    ``pointer`` is a JSON Pointer (RFC 6901) into the document, ``code`` a
    stable dotted identifier (``health.nhs_number.check_digit``), ``message``
    plain English for a practitioner, ``severity`` ``"error"`` (blocks
    acceptance) or ``"warning"`` (stored with the return, shown to the panel).
    ``source`` says which layer found it: ``"envelope"``, ``"schema"`` or the
    name of the plugin whose rule produced it.
    """

    pointer: str
    code: str
    message: str
    severity: Severity = "error"
    source: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "pointer": self.pointer,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }


class ServiceError(Exception):
    """Base of every error the service raises on purpose."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = TYPE_BASE + "internal-error"
    title: ClassVar[str] = "Internal Server Error"

    def __init__(self, detail: str = "", *, headers: Mapping[str, str] | None = None,
                 extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers: dict[str, str] = dict(headers or {})
        self.extra: dict[str, Any] = dict(extra or {})


class BadRequestError(ServiceError):
    status, type, title = 400, TYPE_BASE + "bad-request", "Bad request"


class UnauthorizedError(ServiceError):
    status, type, title = 401, TYPE_BASE + "unauthorized", "Authentication required"

    def __init__(self, detail: str = "A valid bearer token is required.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="scr-returns"'})


class ForbiddenError(ServiceError):
    status, type, title = 403, TYPE_BASE + "forbidden", "Forbidden"


class NotFoundError(ServiceError):
    """Also what a caller gets for anything it may not see: the body is identical."""

    status, type, title = 404, TYPE_BASE + "not-found", "Not found"

    def __init__(self, detail: str = "No such resource.") -> None:
        super().__init__(detail)


class ConflictError(ServiceError):
    status, type, title = 409, TYPE_BASE + "conflict", "Conflict"


class PreconditionFailedError(ServiceError):
    status, type, title = 412, TYPE_BASE + "precondition-failed", "Precondition failed"


class PreconditionRequiredError(ServiceError):
    status, type, title = 428, TYPE_BASE + "precondition-required", "Precondition required"


class PayloadTooLargeError(ServiceError):
    status, type, title = 413, TYPE_BASE + "payload-too-large", "Request body too large"


class RequestTimeoutError(ServiceError):
    status, type, title = 408, TYPE_BASE + "request-timeout", "Request timeout"


class LengthRequiredError(ServiceError):
    status, type, title = 411, TYPE_BASE + "length-required", "Length required"


class UnprocessableError(ServiceError):
    """The request was well-formed JSON but its content is wrong."""

    status, type, title = 422, TYPE_BASE + "unprocessable", "Unprocessable content"


@dataclass
class ValidationReport:
    """Every problem found, capped for the response, with the true totals."""

    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    truncated: bool = False
    schema_version: int | None = None

    @property
    def valid(self) -> bool:
        return self.error_count == 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "schema_version": self.schema_version,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "truncated": self.truncated,
            "problems": [p.as_dict() for p in self.problems],
        }


class DocumentInvalidError(UnprocessableError):
    """A submitted document failed validation: carries every problem found."""

    type, title = TYPE_BASE + "invalid-document", "The document is not valid"

    def __init__(self, report: ValidationReport) -> None:
        detail = (f"{report.error_count} error(s) and {report.warning_count} warning(s) "
                  "were found; nothing was stored.")
        if report.truncated:
            detail += f" Only the first {len(report.problems)} are listed."
        super().__init__(detail, extra={
            "problems": [p.as_dict() for p in report.problems],
            "error_count": report.error_count,
            "warning_count": report.warning_count,
            "truncated": report.truncated,
        })
        self.report = report


class EnvelopeInvalidError(UnprocessableError):
    """The API envelope (not the form document) is wrong; names each field."""

    type, title = TYPE_BASE + "invalid-request", "The request body is not valid"

    def __init__(self, problems: Iterable[Problem], detail: str = "") -> None:
        listed = list(problems)
        super().__init__(detail or "The request body has fields that are missing, unknown "
                         "or may not be set by a client.",
                         extra={"problems": [p.as_dict() for p in listed]})
        self.problems = listed


class ServiceUnavailableError(ServiceError):
    status, type, title = 503, TYPE_BASE + "unavailable", "Service unavailable"

    def __init__(self, detail: str = "The service is busy; retry shortly.",
                 retry_after: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class PluginLoadError(Exception):
    """A plugin could not be loaded; start-up stops with this message."""

    def __init__(self, plugin: str, reason: str) -> None:
        super().__init__(f"plugin {plugin!r}: {reason}")
        self.plugin = plugin
        self.reason = reason


class PluginRuleError(Exception):
    """A plugin's rule raised on a document that passed its schema: a plugin bug."""

    def __init__(self, plugin: str, rule: str) -> None:
        super().__init__(f"rule {rule!r} of plugin {plugin!r} raised")
        self.plugin = plugin
        self.rule = rule
