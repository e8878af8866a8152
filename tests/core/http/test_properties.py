"""Property: no request body makes a write route answer 5xx; every 4xx is problem+json.

SQLite only: the property is about parsing and validation, and one app is
shared by every example (hypothesis runs examples inside one test call).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from falcon.testing import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.plugins import PluginHost
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine, upgrade
from tests import testplugin
from tests.support.clock import Clock
from tests.support.http_world import REF, RETURN, REVIEW, auth

ENDPOINTS = {
    # name: (method, path, which token)
    "put-return": ("PUT", RETURN, "agency"),
    "put-report": ("PUT", f"/v1/reviews/{REF}/returns/testing/report", "agency"),
    "validate": ("POST", "/v1/agencies/testing/forms/chronology/validate", "agency"),
    "validate-review": ("POST", f"/v1/agencies/testing/forms/chronology/validate?review={REF}",
                        "panel"),
    "open-review": ("POST", "/v1/reviews", "admin"),
    "patch-review": ("PATCH", f"/v1/reviews/{REF}", "admin"),
    "create-token": ("POST", "/v1/admin/tokens", "admin"),
}


class App:
    """One app over a SQLite file, with a review and a token per role."""

    def __init__(self, tmp: Path) -> None:
        url = f"sqlite:///{tmp / 'properties.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        self.store = Store(engine)
        settings = Settings(data_dir=tmp, database_url=url, plugin_refresh_seconds=0.0,
                            max_body_bytes=64 * 1024)
        host = PluginHost(entry_points=False, extra={"testing": testplugin})
        self.services = build_services(settings, host=host, store=self.store, clock=Clock())
        self.client = TestClient(create_app(services=self.services))
        tokens = self.services.tokens
        self.tokens = {
            "admin": tokens.create(name="admin", role="admin")[0],
            "panel": tokens.create(name="panel", role="panel", reviews=[REF])[0],
            "agency": tokens.create(name="agency", role="agency", agency="testing",
                                    reviews=[REF])[0],
        }
        opened = self.client.simulate_post("/v1/reviews", json=REVIEW,
                                           headers=auth(self.tokens["admin"]))
        assert opened.status_code == 201, opened.text


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    made = App(tmp_path_factory.mktemp("properties"))
    yield made
    made.store.engine.dispose()


# -- strategies ---------------------------------------------------------------------------
scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**40), max_value=10**40)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
field_names = st.sampled_from(["entries", "summary", "id", "date", "time", "source", "subjects",
                               "event_type", "description", "location", "code", "title",
                               "status", "scoping_period", "agencies", "kloes",
                               "name", "role", "agency", "reviews", "expires_in_days"]) \
    | st.text(max_size=8)


@st.composite
def mutated_examples(draw: st.DrawFn) -> dict[str, Any]:
    """The test plugin's valid example with a few fields replaced or removed."""
    doc = copy.deepcopy(testplugin._example())
    entry = doc["entries"][0]
    for _ in range(draw(st.integers(0, 3))):
        # An earlier round may have removed or replaced "source".
        nested = [entry["source"]] if isinstance(entry.get("source"), dict) else []
        target = draw(st.sampled_from([doc, entry, *nested]))
        name = draw(field_names)
        if draw(st.booleans()):
            target.pop(name, None)
        else:
            target[name] = draw(json_values)
    # NOTE: "explode": true on a schema-valid document makes the test plugin's
    # rule raise on purpose, a designed 500 (test_problems covers it).
    doc["explode"] = False
    return doc


documents = mutated_examples() | st.dictionaries(field_names, json_values, max_size=5)
envelope_extras = st.dictionaries(
    st.sampled_from(["schema_version", "agency", "state", "revision", "name", "role",
                     "reviews", "expires_in_days", "title", "status", "ref", "type",
                     "scoping_period", "subjects", "agencies", "kloes", "terms_of_reference"]),
    json_values | st.integers(-3, 3) | st.sampled_from(["admin", "agency", "open", "cspr"]),
    max_size=4)


@st.composite
def envelopes(draw: st.DrawFn) -> bytes:
    envelope: dict[str, Any] = {"document": draw(documents), **draw(envelope_extras)}
    return json.dumps(envelope).encode()


bodies = (st.binary(max_size=200)
          | json_values.map(lambda v: json.dumps(v).encode())
          | envelopes())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(endpoint=st.sampled_from(sorted(ENDPOINTS)), body=bodies,
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8"]))
def test_no_body_makes_a_write_route_fail(app: App, endpoint: str, body: bytes,
                                          content_type: str) -> None:
    method, path, role = ENDPOINTS[endpoint]
    response = app.client.simulate_request(
        method, path, body=body,
        headers=auth(app.tokens[role], **{"Content-Type": content_type}))
    event(f"{endpoint} {response.status_code}")
    assert response.status_code < 500, (endpoint, body, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        problem = json.loads(response.text)
        assert problem["status"] == response.status_code
        assert problem["instance"] == response.headers["X-Request-ID"]
        assert {"type", "title", "detail"} <= set(problem)
