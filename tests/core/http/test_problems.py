"""Every error has one shape: RFC 9457 problem+json whose instance is the request id."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import falcon.testing
import pytest
import sqlalchemy.exc

from scr_returns.core.settings import Settings
from scr_returns.core.storage.store import Tx
from tests.support.clock import Clock
from tests.support.http_world import REF, RETURN, World, auth, document
from tests.support.problems import PROBLEM_KEYS, assert_problem

VALIDATE = "/v1/agencies/testing/forms/chronology/validate"
SMALL_LIMIT = 2048


def json_post(world: World, path: str, raw: bytes, token: str | None = None) -> Any:
    return world.client.simulate_post(path, body=raw, headers=auth(
        token or world.admin, **{"Content-Type": "application/json"}))


# -- routing: 404 and 405 ---------------------------------------------------------------
def test_unknown_path_is_the_same_404_as_an_invisible_review(world: World) -> None:
    unknown = assert_problem(world.client.simulate_get("/v1/no/such/path"), 404)
    # A panel token bound to another review may not see REF: it must not learn it exists.
    outsider = world.services.tokens.create(name="p2", role="panel", reviews=["OTHER-1"])[0]
    hidden = assert_problem(world.get(f"/v1/reviews/{REF}", token=outsider), 404)
    missing = assert_problem(world.get("/v1/reviews/NO-SUCH-REVIEW"), 404)
    other_agency = assert_problem(world.get(RETURN, token=world.other), 404)
    for body in (hidden, missing, other_agency):
        assert {k: v for k, v in body.items() if k != "instance"} == \
               {k: v for k, v in unknown.items() if k != "instance"}


def test_client_request_id_is_echoed_as_instance(world: World) -> None:
    response = world.client.simulate_get("/v1/nowhere", headers={"X-Request-ID": "req-12345678"})
    assert assert_problem(response, 404)["instance"] == "req-12345678"


def test_unsafe_request_id_is_replaced(world: World) -> None:
    response = world.client.simulate_get("/v1/nowhere", headers={"X-Request-ID": "<script>"})
    body = assert_problem(response, 404)
    assert body["instance"] != "<script>"


def test_405_lists_allowed_methods(world: World) -> None:
    response = world.client.simulate_delete("/v1/health")
    body = assert_problem(response, 405)
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allowed and "DELETE" not in allowed
    assert "DELETE" in body["detail"]
    put = world.client.simulate_put(f"/v1/reviews/{REF}", json={}, headers=auth(world.admin))
    assert_problem(put, 405)
    assert "PATCH" in put.headers["Allow"] and "PUT" not in put.headers["Allow"]


# -- bodies: 415, 413, 400 ----------------------------------------------------------------
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_415_for_text_plain(world: World, method: str) -> None:
    path, token = (RETURN, world.agency) if method == "PUT" else (VALIDATE, world.admin)
    response = world.client.simulate_request(
        method, path, body=json.dumps({"document": document()}),
        headers=auth(token, **{"Content-Type": "text/plain"}))
    assert_problem(response, 415)


class TestBodyLimit:
    """413 before reading more than the limit (the settings override applies to this class)."""

    @pytest.fixture
    def settings(self, database_url: str, tmp_path: Path) -> Settings:
        """A small body limit, so that 413 is cheap to provoke."""
        return Settings(data_dir=tmp_path, database_url=database_url, production=True,
                        plugin_refresh_seconds=0.0, max_body_bytes=SMALL_LIMIT)

    def test_413_when_content_length_exceeds_the_limit(self, world: World) -> None:
        raw = json.dumps({"document": {"summary": "x" * SMALL_LIMIT}}).encode()
        body = assert_problem(json_post(world, VALIDATE, raw), 413)
        assert str(SMALL_LIMIT) in body["detail"]
        put = world.client.simulate_put(RETURN, body=raw, headers=auth(
            world.agency, **{"Content-Type": "application/json"}))
        assert_problem(put, 413)

    def test_a_body_at_the_limit_is_read(self, world: World) -> None:
        envelope = {"document": {"summary": ""}}
        padding = SMALL_LIMIT - len(json.dumps(envelope).encode())
        envelope["document"]["summary"] = "x" * padding
        raw = json.dumps(envelope).encode()
        assert len(raw) == SMALL_LIMIT
        response = json_post(world, "/v1/agencies/testing/forms/report/validate", raw)
        assert response.status_code == 200, response.text

    @staticmethod
    def _chunked(world: World, raw: bytes,
                 terminated: bool = True) -> tuple[str, dict[str, str], bytes]:
        """POST ``raw`` as a server passes a chunked body: no CONTENT_LENGTH, input terminated."""
        headers = auth(world.admin, **{"Content-Type": "application/json",
                                       "Transfer-Encoding": "chunked"})
        env = falcon.testing.create_environ(VALIDATE.replace("chronology", "report"),
                                            method="POST", headers=headers)
        env.pop("CONTENT_LENGTH", None)
        env["wsgi.input"] = io.BytesIO(raw)
        if terminated:
            env["wsgi.input_terminated"] = True  # what gunicorn sets for a chunked body
        start = falcon.testing.StartResponseMock()
        out = b"".join(world.client.app(env, start))
        return start.status, dict(start.headers), out

    def test_413_for_a_chunked_body_over_the_limit(self, world: World) -> None:
        raw = json.dumps({"document": {"summary": "x" * (4 * SMALL_LIMIT)}}).encode()
        status, headers, out = self._chunked(world, raw)
        assert status.startswith("413"), out
        assert headers["content-type"] == "application/problem+json"

    def test_411_for_a_chunked_body_whose_end_is_not_marked(self, world: World) -> None:
        raw = json.dumps({"document": {"summary": "ok"}}).encode()
        status, headers, out = self._chunked(world, raw, terminated=False)
        assert status.startswith("411"), out
        assert headers["content-type"] == "application/problem+json"

    def test_a_small_chunked_body_is_read(self, world: World) -> None:
        raw = json.dumps({"document": {"summary": "ok"}}).encode()
        status, _, out = self._chunked(world, raw)
        assert status.startswith("200"), out


BAD_JSON = {
    "nan": b'{"document": {"summary": NaN}}',
    "infinity": b'{"document": {"summary": Infinity}}',
    "minus-infinity": b'{"document": {"summary": -Infinity}}',
    "duplicate-key": b'{"document": {"summary": "a", "summary": "b"}}',
    "duplicate-envelope-key": b'{"document": {}, "document": {"summary": "b"}}',
    "40-digit-integer": b'{"document": {"summary": 1234567890123456789012345678901234567890}}',
    "float-overflow": b'{"document": {"summary": 1e999}}',
    "too-deep": b'{"document": {"summary": ' + b"[" * 70 + b"]" * 70 + b"}}",
    "100k-brackets": b"[" * 100_000,
    "100k-brackets-closed": b"[" * 100_000 + b"]" * 100_000,
    "invalid-utf8": b'{"document": {"summary": "\xff\xfe"}}',
    "truncated": b'{"document": {"summary": "a"',
    "empty": b"",
    "whitespace": b"  \r\n ",
}


@pytest.mark.parametrize("name", sorted(BAD_JSON))
def test_400_for_bad_json(world: World, name: str) -> None:
    assert_problem(json_post(world, VALIDATE, BAD_JSON[name]), 400)
    put = world.client.simulate_put(RETURN, body=BAD_JSON[name], headers=auth(
        world.agency, **{"Content-Type": "application/json"}))
    assert_problem(put, 400)


def test_nesting_at_the_limit_is_not_refused_as_json(world: World) -> None:
    depth = world.services.settings.max_json_depth
    inner = b"[" * (depth - 2) + b"]" * (depth - 2)  # envelope and document are 2 levels
    response = json_post(world, VALIDATE, b'{"document": {"entries": ' + inner + b"}}")
    assert response.status_code == 200, response.text


# -- authentication: 401 -----------------------------------------------------------------
def _assert_401(response: Any) -> None:
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer-ish scr_x",
    "Bearer not-a-token", "Bearer scr_" + "A" * 43, "Bearer scr_" + "é" * 43,
    "Bearer scr_" + "A" * 200,
])
def test_401_for_missing_malformed_or_unknown_tokens(world: World, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    _assert_401(world.client.simulate_get("/v1/reviews", headers=headers))


def test_401_for_an_expired_token(world: World, clock: Clock) -> None:
    secret, _ = world.services.tokens.create(name="short", role="admin", expires_in_days=1)
    assert world.get("/v1/reviews", token=secret).status_code == 200
    clock.now += timedelta(days=1, seconds=1)
    _assert_401(world.get("/v1/reviews", token=secret))


def test_401_for_a_revoked_token_on_the_next_request(world: World) -> None:
    secret, record = world.services.tokens.create(name="soon revoked", role="admin")
    assert world.get("/v1/reviews", token=secret).status_code == 200
    revoked = world.client.simulate_delete(f"/v1/admin/tokens/{record['id']}",
                                           headers=auth(world.admin))
    assert revoked.status_code == 200
    _assert_401(world.get("/v1/reviews", token=secret))


@pytest.mark.parametrize("param", ["access_token", "token"])
def test_a_token_in_the_query_string_is_refused(world: World, param: str) -> None:
    alone = world.client.simulate_get("/v1/reviews", params={param: world.admin})
    _assert_401(alone)
    # Even beside a valid header: a token in a URL ends up in logs, so the request fails.
    both = world.client.simulate_get("/v1/reviews", params={param: world.admin},
                                     headers=auth(world.admin))
    _assert_401(both)


def test_public_routes_need_no_token(world: World) -> None:
    for path in ("/v1/health", "/v1/ready", "/v1/openapi.json"):
        assert world.client.simulate_get(path).status_code == 200, path


# -- authorisation: 403 ------------------------------------------------------------------
def test_403_for_a_panel_put(world: World) -> None:
    response = world.put(document(), token=world.panel)
    assert_problem(response, 403)
    assert world.get(RETURN).status_code == 404  # nothing was stored


def test_403_for_an_agency_opening_a_review(world: World) -> None:
    review = {"ref": "NEW-2026-01", "type": "cspr", "title": "x",
              "scoping_period": {"from": "2024-01-01", "to": "2024-12-31"}}
    response = world.client.simulate_post("/v1/reviews", json=review, headers=auth(world.agency))
    assert_problem(response, 403)
    assert world.get("/v1/reviews/NEW-2026-01").status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/admin/plugins"), ("POST", "/v1/admin/plugins/testing/disable"),
    ("GET", "/v1/admin/tokens"), ("PATCH", f"/v1/reviews/{REF}"),
])
def test_403_for_admin_routes(world: World, method: str, path: str) -> None:
    for token in (world.panel, world.agency):
        response = world.client.simulate_request(method, path, json={"title": "x"},
                                                 headers=auth(token))
        assert_problem(response, 403)


# -- mass assignment: 422 ----------------------------------------------------------------
def test_mass_assignment_is_refused_naming_each_field(world: World) -> None:
    envelope = {"document": document(), "agency": "health", "state": "accepted",
                "revision": 7, "submitted_by": "tok_someone"}
    response = world.client.simulate_put(RETURN, json=envelope, headers=auth(world.agency))
    body = assert_problem(response, 422)
    pointers = {p["pointer"] for p in body["problems"]}
    assert pointers == {"/agency", "/state", "/revision", "/submitted_by"}
    assert {p["code"] for p in body["problems"]} == {"request.read_only"}
    for field in ("agency", "state", "revision", "submitted_by"):
        assert field in body["detail"]
    assert world.get(RETURN).status_code == 404  # nothing was stored


def test_unknown_envelope_field_is_named(world: World) -> None:
    response = world.client.simulate_put(RETURN, json={"document": document(), "colour": 1},
                                         headers=auth(world.agency))
    body = assert_problem(response, 422)
    assert [(p["pointer"], p["code"]) for p in body["problems"]] == \
           [("/colour", "request.unknown_field")]


def test_invalid_document_lists_problems(world: World) -> None:
    response = world.put(document(date="2024-02-30", subjects=["stranger"]))
    body = assert_problem(response, 422)
    assert {(p["pointer"], p["code"]) for p in body["problems"]} >= {
        ("/entries/0/subjects/0", "testing.subject.unknown")}
    assert all({"pointer", "code", "message", "severity"} <= set(p) for p in body["problems"])


# -- faults: 500 and 503 -----------------------------------------------------------------
def test_a_raising_rule_is_a_bare_500_and_the_next_request_works(world: World) -> None:
    doc = document()
    doc["explode"] = True
    response = world.put(doc)
    body = assert_problem(response, 500)
    assert set(body) == PROBLEM_KEYS
    assert "explode" not in response.text and "RuntimeError" not in response.text
    assert "broken on purpose" not in response.text
    assert world.get(RETURN).status_code == 404  # nothing was stored
    again = world.put(document())
    assert again.status_code == 201, again.text


def test_a_raising_rule_in_a_dry_run_is_a_500(world: World) -> None:
    doc = document()
    doc["explode"] = True
    response = world.client.simulate_post(VALIDATE, json={"document": doc},
                                          headers=auth(world.panel))
    assert set(assert_problem(response, 500)) == PROBLEM_KEYS


def test_database_locked_is_a_503_with_retry_after(world: World,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(self: Tx, refs: list[str] | None = None) -> Any:
        raise sqlalchemy.exc.OperationalError(
            "SELECT ...", {}, sqlite3.OperationalError("database is locked"))

    with monkeypatch.context() as patch:
        patch.setattr(Tx, "reviews", locked)
        response = world.get("/v1/reviews")
        assert_problem(response, 503)
        assert int(response.headers["Retry-After"]) >= 1
        assert "locked" not in response.text  # no database detail leaks
    assert world.get("/v1/reviews").status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), [
    ("PATCH", f"/v1/reviews/{REF}", {"title": "nul \u0000 here"}),
    ("POST", "/v1/admin/tokens", {"name": "nul \u0000 here", "role": "admin"}),
    ("POST", "/v1/reviews", {"ref": "NUL-2026-01", "type": "cspr", "title": "a\u0000b",
                             "scoping_period": {"from": "2024-01-01", "to": "2024-12-31"}}),
    ("GET", "/v1/reviews/NUL%00REF", None),
    ("GET", f"/v1/reviews/{REF}/returns/test%00ing/chronology", None),
])
def test_a_nul_character_is_a_400_not_a_500(world: World, method: str, path: str,
                                            body: dict[str, Any] | None) -> None:
    # PostgreSQL text cannot hold U+0000 (psycopg raises DataError): refused before storage.
    response = world.client.simulate_request(method, path, json=body, headers=auth(world.admin))
    assert_problem(response, 400)


LONE_SURROGATE = rb'"a\ud800b"'
"""JSON text with an unpaired UTF-16 surrogate escape: valid JSON syntax, but no Unicode
character, so it can be neither stored nor written back as UTF-8."""


def _with_surrogate(template: str) -> bytes:
    return template.encode().replace(b'"@"', LONE_SURROGATE)


@pytest.mark.parametrize(("method", "path", "token", "template"), [
    ("POST", VALIDATE, "agency", '{"document": {"organisation": "@", "entries": []}}'),
    ("PUT", RETURN, "agency", '{"document": {"organisation": "x", "entries": [], "@": 1}}'),
    ("POST", "/v1/reviews", "admin", '{"ref": "SUR-2026-01", "type": "cspr", "title": "@", '
                                     '"scoping_period": {"from": "2024-01-01", '
                                     '"to": "2024-12-31"}}'),
    ("PATCH", f"/v1/reviews/{REF}", "admin", '{"title": "@"}'),
    ("POST", "/v1/admin/tokens", "admin", '{"name": "@", "role": "admin"}'),
])
def test_a_lone_surrogate_is_a_400_at_parse_time(world: World, method: str, path: str,
                                                 token: str, template: str) -> None:
    def admin_get(where: str) -> Any:
        return world.client.simulate_get(where, headers=auth(world.admin)).json

    tokens = len(admin_get("/v1/admin/tokens")["tokens"])
    response = world.client.simulate_request(method, path, body=_with_surrogate(template),
                                             headers=auth(getattr(world, token), **{
                                                 "Content-Type": "application/json"}))
    problem = assert_problem(response, 400)
    assert "surrogate" in problem["detail"]
    # Nothing was stored or changed.
    assert world.get().status_code == 404
    assert [r["ref"] for r in admin_get("/v1/reviews")["reviews"]] == [REF]
    assert admin_get(f"/v1/reviews/{REF}")["title"] == "Child A"
    assert len(admin_get("/v1/admin/tokens")["tokens"]) == tokens
