"""Admin routes: plugins and tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from falcon.testing import TestClient

from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine
from tests.support.clock import Clock
from tests.support.entry_points import BROKEN_ERROR, install_with_a_broken_plugin
from tests.support.http_world import REF, World, auth
from tests.support.problems import assert_problem


def test_token_lifecycle(world: World) -> None:
    created = world.client.simulate_post(
        "/v1/admin/tokens", json={"name": "panel chair", "role": "panel", "reviews": [REF]},
        headers=auth(world.admin))
    assert created.status_code == 201
    secret = created.json["token"]
    assert secret.startswith("scr_") and len(secret) >= 43
    assert world.get(f"/v1/reviews/{REF}", token=secret).status_code == 200
    listed = world.get("/v1/admin/tokens").text
    assert secret not in listed
    assert created.json["id"] in listed
    revoked = world.client.simulate_delete(f"/v1/admin/tokens/{created.json['id']}",
                                           headers=auth(world.admin))
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert world.get(f"/v1/reviews/{REF}", token=secret).status_code == 401


@pytest.mark.parametrize(("body", "pointers"), [
    ({"name": "x", "role": "agency", "reviews": [REF]}, ["/agency"]),
    ({"name": "x", "role": "panel"}, ["/reviews"]),
    ({"name": "x", "role": "admin", "agency": "health"}, ["/agency"]),
    ({"name": "x", "role": "admin", "expires_in_days": 10_000}, ["/expires_in_days"]),
    # issue 17: an unknown agency and a review that does not exist were accepted
    ({"name": "x", "role": "agency", "agency": "nowhere", "reviews": [REF]}, ["/agency"]),
    ({"name": "x", "role": "panel", "reviews": [REF, "NOPE-2026-01"]}, ["/reviews/1"]),
    # every problem at once, not the first one found
    ({"name": "x", "role": "agency", "agency": "nowhere", "reviews": ["NOPE-2026-01"]},
     ["/agency", "/reviews/0"]),
])
def test_token_bindings_must_fit_the_role(world: World, body: dict[str, object],
                                          pointers: list[str]) -> None:
    response = world.client.simulate_post("/v1/admin/tokens", json=body,
                                          headers=auth(world.admin))
    assert response.status_code == 422, response.text
    assert response.json["type"] == "/v1/problems/invalid-request"
    assert sorted(p["pointer"] for p in response.json["problems"]) == pointers


def test_plugins_listed_with_state(world: World) -> None:
    plugins = world.get("/v1/admin/plugins").json["plugins"]
    assert [(p["name"], p["enabled"]) for p in plugins] == [("testing", True)]
    assert plugins[0]["forms"] == {"chronology": [1, 2], "report": [1]}
    assert world.client.simulate_post("/v1/admin/plugins/nope/enable",
                                      headers=auth(world.admin)).status_code == 404
    assert world.client.simulate_post("/v1/admin/plugins/testing/disable",
                                      headers=auth(world.panel)).status_code == 403


@pytest.fixture
def broken_world(settings: Settings, clock: Clock,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A deployment where the installed plugin ``acme`` failed to load."""
    host = install_with_a_broken_plugin(monkeypatch)
    store = Store(make_engine(settings.database_url))
    services = build_services(settings, host=host, store=store, clock=clock)
    yield World(services, TestClient(create_app(services=services)))
    store.engine.dispose()


def test_a_plugin_that_failed_to_load_is_listed_with_its_error(broken_world: World) -> None:
    response = broken_world.get("/v1/admin/plugins")
    assert response.status_code == 200
    plugins = {p["name"]: p for p in response.json["plugins"]}
    assert list(plugins) == ["acme", "testing", "zeta"]
    assert plugins["acme"] == {
        "name": "acme", "agency": None, "title": None, "version": "2.1",
        "distribution": "acme-scr", "builtin": False, "enabled": False, "forms": {},
        "load_error": BROKEN_ERROR}
    assert "Traceback" not in response.text
    assert plugins["testing"]["load_error"] is None and plugins["testing"]["enabled"]
    assert plugins["zeta"]["load_error"] is None and not plugins["zeta"]["enabled"]


def test_a_plugin_that_failed_to_load_cannot_be_enabled(broken_world: World) -> None:
    enable = broken_world.client.simulate_post("/v1/admin/plugins/acme/enable",
                                               headers=auth(broken_world.admin))
    problem = assert_problem(enable, 409)
    assert "'acme' failed to load" in problem["detail"] and BROKEN_ERROR in problem["detail"]
    disable = broken_world.client.simulate_post("/v1/admin/plugins/acme/disable",
                                                headers=auth(broken_world.admin))
    assert disable.status_code == 200 and disable.json["load_error"] == BROKEN_ERROR
    agencies = broken_world.get("/v1/agencies").json["agencies"]
    assert [a["name"] for a in agencies] == ["testing"]
    zeta = broken_world.client.simulate_post("/v1/admin/plugins/zeta/enable",
                                             headers=auth(broken_world.admin))
    assert zeta.status_code == 200  # the others are unaffected
    agencies = broken_world.get("/v1/agencies").json["agencies"]
    assert [a["name"] for a in agencies] == ["testing", "zeta"]
