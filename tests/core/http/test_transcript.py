"""A recorded conversation with the service: the same requests must get the same answers.

About a hundred requests over every route, built-in agencies and every role, successes
and refusals, are sent through the real app with a fixed clock and fixed request ids, on
SQLite and on PostgreSQL alike. Each answer (status, headers, body) is compared with
``transcript.json``, recorded before the pipeline was restructured, so a refactor that
changes what a client sees fails here. Token secrets and ids, and the audit chain's
hashes (which cover token ids), are random per run: they are replaced by stable
placeholders in order of first appearance.

Record it again, deliberately, after an intended change of behaviour:
``SCR_RETURNS_RECORD_TRANSCRIPT=1 scripts/test tests/core/http/test_transcript.py``.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from falcon.testing import TestClient

import scr_returns.plugins.education
import scr_returns.plugins.health
import scr_returns.plugins.legal
import scr_returns.plugins.police
import scr_returns.plugins.social_care
from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.plugins import PluginHost
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine

HERE = Path(__file__).parent
TRANSCRIPT = HERE / "transcript.json"
ROOT = HERE.parents[2]
SECRET = re.compile(r"scr_[A-Za-z0-9_-]{43}")
TOKEN_ID = re.compile(r"tok_[0-9a-f]{16}")
HASH = re.compile(r"\b[0-9a-f]{64}\b")
KEPT_HEADERS = ("content-type", "etag", "location", "idempotent-replayed", "www-authenticate",
                "allow", "retry-after", "content-disposition", "x-request-id")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _load(path: str) -> Any:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


class Placeholders:
    """Random values (secrets, token ids, audit hashes) -> stable names, by first sight."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def _name(self, kind: str, value: str) -> str:
        if value not in self.seen:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.seen[value] = f"<{kind}-{self.counts[kind]}>"
        return self.seen[value]

    def text(self, text: str) -> str:
        text = SECRET.sub(lambda m: self._name("secret", m.group()), text)
        text = TOKEN_ID.sub(lambda m: self._name("token", m.group()), text)
        return HASH.sub(lambda m: self._name("hash", m.group()), text)


def _conversation(call: Callable[..., Any], secrets: dict[str, str]) -> None:
    """Every request, in order; ``call(name, method, path, token=..., **kwargs)``."""
    review = _load("docs/tour/review.json")
    health_chron = _load("plugins/health/examples/valid/chronology.v1.json")
    police_chron = _load("plugins/police/examples/valid/chronology.v2.json")
    police_v1 = _load("plugins/police/examples/valid/chronology.v1.json")
    health_report = _load("plugins/health/examples/valid/agency-report.v1.json")
    health_nil = _load("plugins/health/examples/valid/nil-return.v1.json")
    bad = _load("plugins/health/examples/invalid/chronology.v1.nhs-check-digit.json")["document"]
    schema_errors = _load("plugins/health/examples/invalid/chronology.v1.schema-errors.json")[
        "document"]
    ref = review["ref"]
    ret = f"/v1/reviews/{ref}/returns"
    purpose = {"X-Purpose": "recorded transcript of the API"}

    # Public routes, and requests without or with a bad token.
    call("health", "GET", "/v1/health")
    call("ready", "GET", "/v1/ready")
    call("openapi", "GET", "/v1/openapi.json")
    call("no token", "GET", "/v1/reviews")
    call("malformed token", "GET", "/v1/reviews", headers={"Authorization": "Bearer nope"})
    call("unknown token", "GET", "/v1/reviews",
         headers={"Authorization": "Bearer scr_" + "A" * 43})
    call("token in query", "GET", "/v1/reviews", token="admin", params={"token": "x"})
    call("unknown route", "GET", "/v1/nowhere", token="admin")
    call("method not allowed", "DELETE", "/v1/reviews", token="admin")

    # Reviews.
    call("open review", "POST", "/v1/reviews", token="admin", json=review)
    call("open again", "POST", "/v1/reviews", token="admin", json=review)
    second = {**review, "ref": "IOW-2026-02", "title": "Child B",
              "agencies": [{"agency": "education", "forms": [{"form": "chronology"}]}]}
    call("open second review", "POST", "/v1/reviews", token="admin", json=second)
    call("open invalid review", "POST", "/v1/reviews", token="admin",
         json={"ref": "bad ref", "type": "nope", "extra": 1})
    call("list reviews (admin)", "GET", "/v1/reviews", token="admin")
    read = call("get review", "GET", f"/v1/reviews/{ref}", token="admin")
    call("patch review", "PATCH", f"/v1/reviews/{ref}", token="admin",
         headers={"If-Match": read.headers["ETag"]}, json={"title": "Child A (renamed)"})
    call("patch review invalid", "PATCH", f"/v1/reviews/{ref}", token="admin",
         json={"status": "nope"})

    # Tokens.
    for name, body in (
        ("health", {"name": "health submitter", "role": "agency", "agency": "health",
                    "reviews": [ref]}),
        ("police", {"name": "police submitter", "role": "agency", "agency": "police",
                    "reviews": [ref]}),
        ("panel", {"name": "panel chair", "role": "panel", "reviews": [ref]}),
        ("education", {"name": "education", "role": "agency", "agency": "education",
                       "reviews": ["IOW-2026-02"]}),
    ):
        answer = call(f"issue {name} token", "POST", "/v1/admin/tokens", token="admin",
                      json=body)
        secrets[name] = answer.json["token"]
    call("issue invalid token", "POST", "/v1/admin/tokens", token="admin",
         json={"name": "x", "role": "panel"})
    call("list tokens", "GET", "/v1/admin/tokens", token="admin")
    call("list reviews (health)", "GET", "/v1/reviews", token="health")
    call("other review (health)", "GET", "/v1/reviews/IOW-2026-02", token="health")
    call("admin route as agency", "GET", "/v1/admin/tokens", token="health")

    # Forms.
    call("agencies", "GET", "/v1/agencies", token="health")
    call("form", "GET", "/v1/agencies/health/forms/chronology", token="health")
    call("form old version", "GET", "/v1/agencies/police/forms/chronology",
         token="police", params={"version": "1"})
    call("unknown form", "GET", "/v1/agencies/health/forms/nope", token="health")
    call("validate valid", "POST", "/v1/agencies/health/forms/chronology/validate",
         token="health", json={"document": health_chron}, params={"review": ref})
    call("validate invalid", "POST", "/v1/agencies/health/forms/chronology/validate",
         token="health", json={"document": schema_errors})
    call("validate bad envelope", "POST", "/v1/agencies/health/forms/chronology/validate",
         token="health", json={"doc": {}})
    call("validate version not offered", "POST",
         "/v1/agencies/health/forms/chronology/validate", token="health",
         json={"document": health_chron, "schema_version": 9})
    call("validate not JSON", "POST", "/v1/agencies/health/forms/chronology/validate",
         token="health", body="{nope", headers={"Content-Type": "application/json"})

    # Returns: submit, replay, amend, preconditions, refusals.
    chron = f"{ret}/health/chronology"
    call("submit invalid", "PUT", chron, token="health", json={"document": bad},
         headers={"Idempotency-Key": "k-bad"})
    first = call("submit", "PUT", chron, token="health", json={"document": health_chron},
                 headers={"Idempotency-Key": "k-1"})
    call("replay", "PUT", chron, token="health", json={"document": health_chron},
         headers={"Idempotency-Key": "k-1"})
    call("reuse key", "PUT", chron, token="health",
         json={"document": health_chron, "reason": "different"},
         headers={"Idempotency-Key": "k-1"})
    call("bad key", "PUT", chron, token="health", json={"document": health_chron},
         headers={"Idempotency-Key": "bad key"})
    amended = copy.deepcopy(health_chron)
    amended["entries"][0]["description"] += " Amended."
    call("amend without If-Match", "PUT", chron, token="health", json={"document": amended})
    call("amend stale", "PUT", chron, token="health", json={"document": amended},
         headers={"If-Match": '"1-0000"'})
    call("amend", "PUT", chron, token="health",
         json={"document": amended, "reason": "a typo"},
         headers={"If-Match": first.headers["etag"]})
    call("same document again", "PUT", chron, token="health", json={"document": amended},
         headers={"If-Match": "*"})
    call("submit as panel", "PUT", chron, token="panel", json={"document": health_chron})
    call("submit other agency", "PUT", f"{ret}/police/chronology", token="health",
         json={"document": police_chron})
    call("submit police v2", "PUT", f"{ret}/police/chronology", token="police",
         json={"document": police_chron}, headers={"Idempotency-Key": "p-1"})
    call("submit police v1 elsewhere", "PUT", f"{ret}/police/nil-return", token="police",
         json={"document": police_v1, "schema_version": 1})
    call("submit report", "PUT", f"{ret}/health/agency-report", token="health",
         json={"document": health_report})
    call("submit nil return", "PUT", f"{ret}/health/nil-return", token="health",
         json={"document": health_nil})
    call("submit unknown form", "PUT", f"{ret}/health/nope", token="health",
         json={"document": {}})
    call("submit unknown review", "PUT", "/v1/reviews/NOPE-1/returns/health/chronology",
         token="health", json={"document": health_chron})

    # Reading returns.
    call("latest (agency)", "GET", chron, token="health", headers=purpose)
    call("latest without purpose", "GET", chron, token="health")
    call("latest (panel)", "GET", chron, token="panel", headers=purpose)
    call("latest other agency", "GET", f"{ret}/police/chronology", token="health",
         headers=purpose)
    call("revisions", "GET", f"{chron}/revisions", token="panel", headers=purpose)
    call("revision 1", "GET", f"{chron}/revisions/1", token="panel", headers=purpose)
    call("revision 9", "GET", f"{chron}/revisions/9", token="panel", headers=purpose)
    call("list returns (panel)", "GET", ret, token="panel")
    call("list returns (health)", "GET", ret, token="health")
    call("list returns page", "GET", ret, token="panel", params={"limit": "1"})
    call("list returns filtered", "GET", ret, token="panel",
         params={"agency": "police", "state": "submitted", "has_warnings": "false"})
    call("list returns bad cursor", "GET", ret, token="panel", params={"cursor": "zzz"})
    call("diff", "GET", f"{chron}/diff", token="panel", headers=purpose)

    # The panel's review states.
    call("state history", "GET", f"{chron}/state", token="health")
    call("query", "POST", f"{chron}/state", token="panel",
         json={"state": "queried", "comment": "Entry h-002: who attended?"})
    call("query as agency", "POST", f"{chron}/state", token="health",
         json={"state": "accepted"})
    call("answer with reason", "PUT", chron, token="health",
         json={"document": amended, "reason": "Nothing to change: see entry."},
         headers={"If-Match": "*"})
    call("accept", "POST", f"{chron}/state", token="panel", json={"state": "accepted"})
    call("amend accepted", "PUT", chron, token="health", json={"document": health_chron},
         headers={"If-Match": "*"})
    call("reopen without reason", "POST", f"{chron}/state", token="panel",
         json={"state": "submitted"})
    call("state history after", "GET", f"{chron}/state", token="panel")

    # The panel's tools.
    chronology = f"/v1/reviews/{ref}/chronology"
    call("chronology json", "GET", chronology, token="panel", headers=purpose)
    call("chronology ndjson", "GET", chronology, token="panel",
         headers={**purpose, "Accept": "application/x-ndjson"})
    call("chronology csv", "GET", chronology, token="panel", headers=purpose,
         params={"format": "csv"})
    call("chronology filtered", "GET", chronology, token="panel", headers=purpose,
         params={"agency": "police", "from": "2024-06-01", "subject": "child-a"})
    call("chronology bad format", "GET", chronology, token="panel", headers=purpose,
         params={"format": "xml"})
    call("chronology not acceptable", "GET", chronology, token="panel",
         headers={**purpose, "Accept": "image/png"})
    call("chronology as agency", "GET", chronology, token="health", headers=purpose)
    call("tracker", "GET", f"/v1/reviews/{ref}/tracker", token="panel")
    call("tracker recheck", "GET", f"/v1/reviews/{ref}/tracker", token="admin",
         params={"recheck": "true"})

    # Admin: plugins and the audit log.
    call("plugins", "GET", "/v1/admin/plugins", token="admin")
    call("disable police", "POST", "/v1/admin/plugins/police/disable", token="admin")
    call("police form disabled", "GET", "/v1/agencies/police/forms/chronology",
         token="police")
    call("police put disabled", "PUT", f"{ret}/police/agency-report", token="police",
         json={"document": {}})
    call("police return readable", "GET", f"{ret}/police/chronology", token="panel",
         headers=purpose)
    call("enable police", "POST", "/v1/admin/plugins/police/enable", token="admin")
    call("enable unknown", "POST", "/v1/admin/plugins/nope/enable", token="admin")
    call("revoke token", "DELETE", f"/v1/admin/tokens/{_token_id(call, secrets)}",
         token="admin")
    call("revoked token", "GET", "/v1/reviews", token="education")
    call("revoke unknown", "DELETE", "/v1/admin/tokens/tok_0000000000000000", token="admin")
    call("close review", "PATCH", f"/v1/reviews/{ref}", token="admin",
         headers={"If-Match": "*"}, json={"status": "completed"})
    call("submit to closed", "PUT", f"{ret}/police/agency-report", token="police",
         json={"document": {}})
    call("audit", "GET", "/v1/admin/audit", token="admin", params={"limit": "500"})
    call("audit filtered", "GET", "/v1/admin/audit", token="admin",
         params={"outcome": "4xx", "review": ref})
    call("audit bad outcome", "GET", "/v1/admin/audit", token="admin",
         params={"outcome": "teapot"})
    # The contract's conventions (issue 17), last, so that the ids above stay put.
    review = call("review again", "GET", f"/v1/reviews/{ref}", token="admin")
    call("review not modified", "GET", f"/v1/reviews/{ref}", token="admin",
         headers={"If-None-Match": review.headers["ETag"]})
    call("review headers", "HEAD", f"/v1/reviews/{ref}", token="admin")
    call("patch without If-Match", "PATCH", f"/v1/reviews/{ref}", token="admin",
         json={"title": "Child A"})
    call("unknown parameter", "GET", f"{ret}/health/chronology", token="panel",
         headers={"X-Purpose": "transcript"}, params={"anonymise": "true"})
    call("reviews page", "GET", "/v1/reviews", token="admin", params={"limit": "1"})
    call("problem type", "GET", "/v1/problems/precondition-required")
    call("shared schema", "GET", "/v1/schemas/common/nil-return.v1.json", token="panel")
    call("bundled form", "GET", "/v1/agencies/health/forms/nil-return", token="panel",
         params={"bundle": "1"})


def _token_id(call: Callable[..., Any], secrets: dict[str, str]) -> str:
    tokens = call("tokens before revoking", "GET", "/v1/admin/tokens", token="admin").json
    return next(t["id"] for t in tokens["tokens"] if t["name"] == "education") \
        if isinstance(tokens, dict) and "tokens" in tokens else \
        next(t["id"] for t in tokens if t["name"] == "education")


def record(url: str, tmp_path: Path) -> list[dict[str, Any]]:
    """Run the conversation on a fresh, migrated database; every exchange, normalised."""
    engine = make_engine(url)
    settings = Settings(data_dir=tmp_path, database_url=url, production=True,
                        plugin_refresh_seconds=0.0)
    host = PluginHost(entry_points=False, extra={
        "health": scr_returns.plugins.health, "police": scr_returns.plugins.police,
        "education": scr_returns.plugins.education,
        "social-care": scr_returns.plugins.social_care, "legal": scr_returns.plugins.legal})
    clock = Clock()
    services = build_services(settings, host=host, store=Store(engine), clock=clock)
    client = TestClient(create_app(services=services))
    secret, admin = services.tokens.create(name="first admin", role="admin")
    secrets = {"admin": secret}
    places = Placeholders()
    places.text(secret)
    places.text(admin["id"])
    exchanges: list[dict[str, Any]] = []

    def call(name: str, method: str, path: str, *, token: str | None = None,
             headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        sent = {"X-Request-ID": f"transcript-{len(exchanges) + 1:04d}", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {secrets[token]}"
        clock.now += timedelta(seconds=1)  # so that things made in turn sort in turn
        result = client.simulate_request(method, path, headers=sent, **kwargs)
        content_type = result.headers.get("content-type", "")
        text = result.text
        body: Any = text
        if "json" in content_type and "ndjson" not in content_type and text:
            body = json.loads(places.text(text))
            if isinstance(body, dict) and "pid" in body:
                body["pid"] = "<pid>"  # the worker's process id
        else:
            body = places.text(text)
        exchanges.append({
            "name": name, "request": places.text(f"{method} {path}"),
            "status": result.status_code,
            "headers": {k: places.text(v) for k, v in sorted(result.headers.items())
                        if k.lower() in KEPT_HEADERS},
            "body": body})
        return result

    _conversation(call, secrets)
    engine.dispose()
    return exchanges


def test_the_same_requests_get_the_same_answers(database_url: str, tmp_path: Path) -> None:
    exchanges = record(database_url, tmp_path)
    if os.environ.get("SCR_RETURNS_RECORD_TRANSCRIPT") and database_url.startswith("sqlite"):
        TRANSCRIPT.write_text(json.dumps(exchanges, indent=1, ensure_ascii=False) + "\n",
                              encoding="utf-8")
        pytest.skip("transcript recorded")
    expected = json.loads(TRANSCRIPT.read_text(encoding="utf-8"))
    assert [e["name"] for e in exchanges] == [e["name"] for e in expected]
    for got, want in zip(exchanges, expected, strict=True):
        assert got == want, f"{want['name']} ({want['request']}) answers differently"
