"""Concurrent requests against one service: what PostgreSQL's row locks must serialise.

SQLite serialises every writer (BEGIN IMMEDIATE); PostgreSQL runs writers side
by side under READ COMMITTED, so these answers hold only if the code locks
the right rows. Each test runs on both databases.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from falcon.testing import TestClient

from scr_returns.core.http import create_app
from scr_returns.core.service import Services
from tests.support.http_world import REF, RETURN, REVIEW, World, auth, document

THREADS = 6


def together(services: Services, call: Callable[[TestClient, int], Any]) -> list[Any]:
    """Run ``call`` from several threads at once, each with a client of its own."""
    start, answers = threading.Barrier(THREADS), []
    lock = threading.Lock()

    def run(i: int) -> None:
        client = TestClient(create_app(services=services))
        start.wait()
        answer = call(client, i)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_a_retried_amendment_gets_the_first_answer(world: World, services: Services) -> None:
    etag = world.put(document()).headers["ETag"]

    def amend(client: TestClient, _: int) -> tuple[int, str | None]:
        answer = client.simulate_put(RETURN, json={"document": document(description="Same.")},
                                     headers=auth(world.agency, **{"If-Match": etag,
                                                                   "Idempotency-Key": "k"}))
        return answer.status_code, answer.headers.get("Idempotent-Replayed")

    answers = Counter(together(services, amend))
    assert answers == {(200, None): 1, (200, "true"): THREADS - 1}
    assert len(world.get(RETURN + "/revisions").json["revisions"]) == 2


def test_concurrent_patches_with_one_etag_let_one_through(world: World,
                                                          services: Services) -> None:
    etag = world.get(f"/v1/reviews/{REF}").headers["ETag"]

    def patch(client: TestClient, i: int) -> int:
        return client.simulate_patch(f"/v1/reviews/{REF}", json={"title": f"Child A ({i})"},
                                     headers=auth(world.admin, **{"If-Match": etag})
                                     ).status_code

    assert Counter(together(services, patch)) == {200: 1, 412: THREADS - 1}
    assert world.get(f"/v1/reviews/{REF}").json["version"] == 2


def test_concurrent_openings_of_one_reference_are_409_not_500(world: World,
                                                               services: Services) -> None:
    review = copy.deepcopy(REVIEW)
    review["ref"] = "IOW-2026-09"

    def open_review(client: TestClient, _: int) -> int:
        return client.simulate_post("/v1/reviews", json=review,
                                    headers=auth(world.admin)).status_code

    assert Counter(together(services, open_review)) == {201: 1, 409: THREADS - 1}
