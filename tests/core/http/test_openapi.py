"""The OpenAPI document matches the falcon app: routes, methods, roles and forms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import falcon
import pytest
from falcon.testing import TestClient
from openapi_spec_validator import validate

from core.http import create_app
from core.http.openapi import METHODS, openapi_path
from core.http.policy import policy_of
from core.http.routes import routes
from core.service import Services
from tests.core.http.helpers import auth


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
        for method in set(item) & set(METHODS):
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
