"""The OpenAPI document matches the falcon app: routes, methods, roles and forms."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon
import pytest
import sqlalchemy.exc
from falcon.testing import Result, TestClient
from openapi_spec_validator import validate

from scr_returns.core.http import create_app
from scr_returns.core.http.openapi import METHODS, openapi_path
from scr_returns.core.http.policy import policy_of
from scr_returns.core.http.routes import routes
from scr_returns.core.service import Services
from scr_returns.core.service.exports import FORMATS
from scr_returns.core.storage.store import Tx
from tests.support.http_world import REF, RETURN, World, auth
from tests.support.http_world import document as return_document


@pytest.fixture
def app(services: Services) -> falcon.App[falcon.Request, falcon.Response]:
    return create_app(services=services)


@pytest.fixture
def document(app: falcon.App[falcon.Request, falcon.Response]) -> dict[str, Any]:
    response = TestClient(app).simulate_get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    found: dict[str, Any] = response.json
    return found


def compiled_routes(app: falcon.App[falcon.Request, falcon.Response]
                    ) -> Iterator[tuple[str, object, set[str]]]:
    """(template, resource, implemented methods) of every route falcon will dispatch.

    Walks falcon's compiled router itself rather than our route table, so that a
    route added with ``app.add_route`` outside the table is seen too. Falcon fills
    every other method with its own 405 responder: only the resource's own bound
    methods count as implemented.
    """
    stack = list(app._router._roots)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.resource is None:
            continue
        own = {method.lower() for method, responder in node.method_map.items()
               if getattr(responder, "__self__", None) is node.resource}
        yield node.uri_template, node.resource, own


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises OpenAPIValidationError with the path of the fault


def test_the_walk_sees_every_route(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    templates = {t for t, _, _ in compiled_routes(app)}
    assert "/v1/health" in templates
    assert ("/v1/reviews/{ref}/returns/{agency}/{form}/revisions/"
            "{number:int(min=1, max=2147483647)}") in templates
    assert all(methods for _, _, methods in compiled_routes(app))


def test_every_route_of_the_app_is_in_the_route_table(
        app: falcon.App[falcon.Request, falcon.Response], services: Services) -> None:
    table = {template for template, _ in routes(services, {})}
    assert {t for t, _, _ in compiled_routes(app)} == table


def test_every_route_is_documented_with_exactly_its_methods(
        app: falcon.App[falcon.Request, falcon.Response], document: dict[str, Any]) -> None:
    implemented = {openapi_path(t): methods for t, _, methods in compiled_routes(app)}
    documented = {path: {m for m in item if m in METHODS}
                  for path, item in document["paths"].items()}
    assert documented == implemented


def test_a_route_added_outside_the_table_is_caught(
        app: falcon.App[falcon.Request, falcon.Response], document: dict[str, Any]) -> None:
    """The check above can fail: an undocumented route shows up in the walk."""

    class Stray:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.media = {}

    app.add_route("/v1/stray", Stray())
    implemented = {openapi_path(t) for t, _, _ in compiled_routes(app)}
    assert implemented - set(document["paths"]) == {"/v1/stray"}


def test_every_operation_declares_the_responders_policy(
        app: falcon.App[falcon.Request, falcon.Response], document: dict[str, Any]) -> None:
    for template, resource, methods in compiled_routes(app):
        for method in methods:
            op = document["paths"][openapi_path(template)][method]
            declared = policy_of(getattr(resource, f"on_{method}"))
            assert declared is not None, (template, method)
            if declared.public:
                assert "x-roles" not in op and "security" not in op, (template, method)
            else:
                assert op["x-roles"] == list(declared.roles), (template, method)
                assert op["x-binding"] == declared.binding, (template, method)
                assert op["security"] == [{"bearer": []}], (template, method)
                assert {"401", "403"} <= set(op["responses"]), (template, method)


def test_path_parameters_are_declared(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        names = {segment[1:-1] for segment in path.split("/") if segment.startswith("{")}
        for method in set(item) & set(METHODS):
            declared = {p["name"] for p in item[method].get("parameters", [])
                        if p["in"] == "path"}
            assert declared == names, (path, method)


def test_error_responses_are_problem_json(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method in set(item) & set(METHODS) - {"head"}:  # a HEAD answer has no body
            for status, response in item[method]["responses"].items():
                if status == "default" or int(status) >= 400:
                    assert set(response["content"]) == {"application/problem+json"}, \
                        (path, method, status)


def test_x_forms_lists_every_offered_version(services: Services,
                                             document: dict[str, Any]) -> None:
    expected = {(p.agency.name, f.spec.name, v.version)
                for p in services.catalog.host.plugins.values() for f in p.forms.values()
                for v in f.spec.offered}
    listed = [(x["agency"], x["form"], x["version"]) for x in document["x-forms"]]
    assert sorted(listed) == sorted(expected)
    assert ("testing", "chronology", 2) in expected


def test_every_x_forms_href_answers_with_that_version(
        services: Services, app: falcon.App[falcon.Request, falcon.Response],
        document: dict[str, Any]) -> None:
    client = TestClient(app)
    secret = services.tokens.create(name="reader", role="admin")[0]
    for form in document["x-forms"]:
        response = client.simulate_get(form["href"], headers=auth(secret))
        assert response.status_code == 200, form["href"]
        assert response.json["version"] == form["version"]
        assert response.json["schema"]["$id"] == form["$id"]


# -- media types and response headers ---------------------------------------------------
CHRONOLOGY = "/v1/reviews/{ref}/chronology"
ITEM = "/v1/reviews/{ref}/returns/{agency}/{form}"
REVISION = ITEM + "/revisions/{number}"
WATCHED = {"ETag", "Location", "Idempotent-Replayed", "WWW-Authenticate", "Retry-After"}
"""Headers the service sets on some answers: each must be documented where it is sent."""


def test_the_chronology_is_described_in_every_format_it_streams(
        document: dict[str, Any]) -> None:
    content = document["paths"][CHRONOLOGY]["get"]["responses"]["200"]["content"]
    streamed = {media.split(";")[0] for media in FORMATS.values()}
    assert set(content) == streamed == {"application/json", "application/x-ndjson",
                                        "text/csv"}
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Chronology"}
    # Not one JSON value: text, so nothing parses them as the JSON answer's schema.
    assert content["application/x-ndjson"]["schema"]["type"] == "string"
    assert content["text/csv"]["schema"]["type"] == "string"


def test_the_put_documents_etag_and_location(document: dict[str, Any]) -> None:
    responses = document["paths"][ITEM]["put"]["responses"]
    for status in ("200", "201"):
        headers = responses[status]["headers"]
        assert headers["ETag"]["required"] is True, status
        assert headers["Location"]["required"] is True, status
        assert headers["Idempotent-Replayed"]["required"] is False, status
        assert all(h["description"] and h["schema"] for h in headers.values()), status


def test_the_return_and_revision_reads_document_their_etag(document: dict[str, Any]) -> None:
    for path in (ITEM, REVISION):
        etag = document["paths"][path]["get"]["responses"]["200"]["headers"]["ETag"]
        assert etag["required"] is True and etag["schema"] == {"type": "string"}, path


def test_every_authenticated_operation_documents_its_401_and_503_headers(
        document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method in set(item) & set(METHODS):
            op = item[method]
            if "security" not in op:
                continue
            responses = op["responses"]
            assert "WWW-Authenticate" in responses["401"]["headers"], (path, method)
            assert "Retry-After" in responses["503"]["headers"], (path, method)


def documented_headers(document: dict[str, Any], path: str, method: str,
                       status: int) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][path][method]["responses"][str(status)]
    return found.get("headers", {})


def assert_headers_match(document: dict[str, Any], path: str, method: str,
                         response: Result) -> None:
    """Every required header documented is sent; every watched header sent is documented."""
    documented = documented_headers(document, path, method, response.status_code)
    sent = {name.lower() for name in response.headers}
    required = {name for name, header in documented.items() if header["required"]}
    assert {name.lower() for name in required} <= sent, (path, method, response.status_code)
    undocumented = {n for n in WATCHED if n.lower() in sent} - set(documented)
    assert not undocumented, (path, method, response.status_code, undocumented)


def test_the_headers_sent_are_the_headers_documented(
        services: Services, app: falcon.App[falcon.Request, falcon.Response],
        document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(services, TestClient(app))
    key = {"Idempotency-Key": "openapi-1"}
    first = world.put(return_document(), **key)
    replayed = world.put(return_document(), **key)
    amended = world.put(return_document(description="Amended."),
                        **{"If-Match": first.headers["ETag"]})
    assert (first.status_code, replayed.status_code, amended.status_code) == (201, 201, 200)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    for response in (first, replayed, amended):
        assert_headers_match(document, ITEM, "put", response)
    assert_headers_match(document, ITEM, "get", world.get(RETURN))
    assert_headers_match(document, REVISION, "get", world.get(RETURN + "/revisions/1"))
    unauthenticated = world.client.simulate_get(f"/v1/reviews/{REF}/chronology")
    assert unauthenticated.status_code == 401
    assert_headers_match(document, CHRONOLOGY, "get", unauthenticated)

    def locked(self: Tx, refs: list[str] | None = None) -> Any:
        raise sqlalchemy.exc.OperationalError(
            "SELECT ...", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(Tx, "reviews", locked)
    busy = world.get("/v1/reviews")
    assert busy.status_code == 503
    assert_headers_match(document, "/v1/reviews", "get", busy)


def test_docs_api_lists_every_operation(document: dict[str, Any]) -> None:
    # docs/api.md is the readable map for those with only the repository: it must not
    # fall behind the document.
    text = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text(encoding="utf-8")
    for item in document["paths"].values():
        for method, op in item.items():
            if method in METHODS and method != "head":
                assert f"`{op['operationId']}`" in text, op["operationId"]


def test_the_document_has_servers_tags_and_an_open_error(document: dict[str, Any]) -> None:
    assert document["servers"] == [{"url": "/", "description": document["servers"][0][
        "description"]}]
    assert {t["name"] for t in document["tags"]} >= {"reviews", "returns", "problems"}
    error = document["components"]["schemas"]["Error"]
    assert "additionalProperties" not in error  # RFC 9457: extension members are allowed
    assert set(error["required"]) == {"type", "title", "status", "detail", "instance"}
    patch = document["components"]["schemas"]["ReviewPatch"]
    assert "required" not in patch
    assert all("default" not in p for p in patch["properties"].values())
    assert not {"version", "created_at", "ref", "type"} & set(patch["properties"])
    forms = document["components"]["schemas"]["AgencyForm"]
    assert forms["properties"]["versions"]["items"] == {"type": "integer"}
    read = document["paths"]["/v1/reviews/{ref}/returns/{agency}/{form}"]["get"]
    purpose = next(p for p in read["parameters"] if p["name"] == "X-Purpose")
    assert (purpose["schema"]["minLength"], purpose["schema"]["maxLength"]) == (3, 500)
    assert document["paths"]["/v1/openapi.json"]["get"]["responses"]["200"]
