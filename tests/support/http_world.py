"""The HTTP tests' world over the test plugin: a review, its tokens, headers, documents."""

from __future__ import annotations

import copy
from typing import Any

from falcon.testing import TestClient

from scr_returns.core.service import Services
from tests import testplugin

REF = "IOW-2026-01"
RETURN = f"/v1/reviews/{REF}/returns/testing/chronology"
PURPOSE = "panel analysis for the review"

REVIEW: dict[str, Any] = {
    "ref": REF, "type": "cspr", "title": "Child A",
    "scoping_period": {"from": "2024-01-01", "to": "2025-12-31"},
    "subjects": [{"key": "child-a", "role": "subject child"}, {"key": "mother", "role": "mother"}],
    "kloes": [{"id": "kloe-1", "question": "Was the child's voice heard?"}],
    "agencies": [{"agency": "testing", "forms": [{"form": "chronology", "due": "2026-02-01"},
                                                 {"form": "report", "due": None}]}],
}


def auth(secret: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **extra}


def document(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(testplugin._example())
    doc["entries"][0].update(changes)
    return doc


class World:
    """A review with an admin, a panel and two agency tokens."""

    def __init__(self, services: Services, client: TestClient) -> None:
        self.services = services
        self.client = client
        self.admin = services.tokens.create(name="admin", role="admin")[0]
        response = client.simulate_post("/v1/reviews", json=REVIEW, headers=auth(self.admin))
        assert response.status_code == 201, response.text
        self.panel = services.tokens.create(name="panel", role="panel", reviews=[REF])[0]
        self.agency = services.tokens.create(name="testing", role="agency", agency="testing",
                                             reviews=[REF])[0]
        self.other = services.tokens.create(name="health", role="agency", agency="health",
                                            reviews=[REF])[0]

    def put(self, doc: dict[str, Any], token: str | None = None, **headers: str) -> Any:
        return self.client.simulate_put(RETURN, json={"document": doc},
                                        headers=auth(token or self.agency, **headers))

    def get(self, path: str = RETURN, token: str | None = None, **headers: str) -> Any:
        # Reads of return content must say why (X-Purpose); other reads may.
        headers.setdefault("X-Purpose", PURPOSE)
        return self.client.simulate_get(path, headers=auth(token or self.admin, **headers))
