"""The one shape of every error: an RFC 9457 problem+json whose instance is the request id."""

from __future__ import annotations

import json
from typing import Any

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is a problem of ``status`` whose instance is its X-Request-ID."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = json.loads(response.text)
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert all(isinstance(body[k], str) and body[k] for k in PROBLEM_KEYS - {"status"}), body
    assert body["instance"] == response.headers["X-Request-ID"]
    return body
