"""Per-responder OpenAPI facts, declared beside the code they describe."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

HeaderDocs = Mapping[str, str | tuple[str, bool]]
"""header name -> description (always sent), or (description, always sent)."""
ResponseHeaders = Mapping[int, HeaderDocs]


def operation(summary: str, *, request: str | None = None,
              responses: Mapping[int, str | tuple[str, str]] | None = None,
              query: Mapping[str, tuple[str, str]] | None = None,
              headers: Mapping[str, str] | None = None,
              content_types: tuple[str, ...] = ("application/json",),
              response_headers: ResponseHeaders | None = None) -> Callable[[F], F]:
    """Describe a responder: request schema name, responses (status -> schema name or
    (schema, description)), query parameters (name -> (type, description)), request
    headers (name -> description), the media types of its success answer (first the
    default), and the headers its answers carry (see ``ResponseHeaders``)."""

    def mark(responder: F) -> F:
        responder.__dict__["openapi"] = {
            "summary": summary, "request": request, "responses": dict(responses or {}),
            "query": dict(query or {}), "headers": dict(headers or {}),
            "content_types": content_types,
            "response_headers": {s: dict(h) for s, h in (response_headers or {}).items()},
        }
        return responder

    return mark
