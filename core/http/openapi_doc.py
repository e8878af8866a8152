"""Per-responder OpenAPI facts, declared beside the code they describe."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

HeaderDocs = Mapping[str, str | tuple[str, bool]]
"""header name -> description (always sent), or (description, always sent)."""
ResponseHeaders = Mapping[int, HeaderDocs]
QueryDocs = Mapping[str, tuple[str | dict[str, Any], str]]
"""query parameter -> (JSON type or JSON Schema, description)."""
RequestHeaders = Mapping[str, str | tuple[str, dict[str, Any]]]
"""request header -> description, or (description, JSON Schema of its value)."""


def operation(*, name: str, summary: str, request: str | None = None,
              responses: Mapping[int, str | tuple[str | None, str] | None] | None = None,
              query: QueryDocs | None = None,
              headers: RequestHeaders | None = None,
              required_headers: tuple[str, ...] = (),
              content_types: tuple[str, ...] = ("application/json",),
              request_types: tuple[str, ...] = ("application/json",),
              response_headers: ResponseHeaders | None = None,
              description: str = "") -> Callable[[F], F]:
    """Describe a responder: its operationId ``name`` (``{attr}`` is filled from the
    resource), request schema name, responses (status -> schema name, None for no body,
    or (schema, description)), query parameters, request headers (and which are
    required), the media types of its success answer (first the default) and of its
    request body, and the headers its answers carry (see ``ResponseHeaders``).

    The query parameters declared here are the only ones the responder accepts: any
    other answers 400 (``core/http/params.py``).
    """

    def mark(responder: F) -> F:
        responder.__dict__["openapi"] = {
            "name": name, "summary": summary, "description": description,
            "request": request, "responses": dict(responses or {}),
            "query": dict(query or {}), "headers": dict(headers or {}),
            "required_headers": required_headers, "content_types": content_types,
            "request_types": request_types,
            "response_headers": {s: dict(h) for s, h in (response_headers or {}).items()},
        }
        return responder

    return mark


def declared_query(responder: Any) -> frozenset[str]:
    """The query parameters ``responder`` declares (none if it declares nothing)."""
    doc = getattr(responder, "openapi", None)
    return frozenset(doc["query"]) if doc else frozenset()
