"""Admin routes: plugins and tokens."""

from __future__ import annotations

import pytest
from falcon.testing import TestClient

from core.service import Services
from tests.core.http.helpers import REF, World, auth


@pytest.fixture
def world(services: Services, client: TestClient) -> World:
    return World(services, client)


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


@pytest.mark.parametrize("body", [
    {"name": "x", "role": "agency", "reviews": [REF]},
    {"name": "x", "role": "panel"},
    {"name": "x", "role": "admin", "agency": "health"},
    {"name": "x", "role": "admin", "expires_in_days": 10_000},
])
def test_token_bindings_must_fit_the_role(world: World, body: dict[str, object]) -> None:
    response = world.client.simulate_post("/v1/admin/tokens", json=body,
                                          headers=auth(world.admin))
    assert response.status_code == 400


def test_plugins_listed_with_state(world: World) -> None:
    plugins = world.get("/v1/admin/plugins").json["plugins"]
    assert [(p["name"], p["enabled"]) for p in plugins] == [("testing", True)]
    assert plugins[0]["forms"] == {"chronology": [1, 2], "report": [1]}
    assert world.client.simulate_post("/v1/admin/plugins/nope/enable",
                                      headers=auth(world.admin)).status_code == 404
    assert world.client.simulate_post("/v1/admin/plugins/testing/disable",
                                      headers=auth(world.panel)).status_code == 403
