"""``/metrics``: requests by route template, latency, validation, returns, plugin state.

In process the metrics live in prometheus-client's default registry, which
every test of the run shares, so each test reads differences. A served test
shows the multiprocess mode: whichever worker answers, /metrics counts the
requests of all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.support.http_world import REF, RETURN, World, auth, document
from tests.support.serving import Served, serve, which_worker

TEMPLATE = "/v1/reviews/{ref}/returns/{agency}/{form}"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_is_public_and_in_the_text_format(world: World) -> None:
    response = world.client.simulate_get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    names = {f.name for f in text_string_to_metric_families(response.text)}
    assert {"scr_returns_http_requests", "scr_returns_http_request_duration_seconds",
            "scr_returns_validation_duration_seconds", "scr_returns_returns",
            "scr_returns_plugin_enabled"} <= names


def test_requests_are_counted_by_route_template_and_status(world: World) -> None:
    before = sample("scr_returns_http_requests_total", method="GET", route=TEMPLATE,
                    status="404")
    seen = sample("scr_returns_http_request_duration_seconds_count", method="GET",
                  route=TEMPLATE)
    assert world.get(RETURN.replace("testing", "nobody")).status_code == 404
    assert sample("scr_returns_http_requests_total", method="GET", route=TEMPLATE,
                  status="404") == before + 1
    assert sample("scr_returns_http_request_duration_seconds_count", method="GET",
                  route=TEMPLATE) == seen + 1
    text = world.client.simulate_get("/metrics").text
    assert REF not in text and "nobody" not in text  # templates, never paths


def test_unrouted_paths_share_one_label(world: World) -> None:
    before = sample("scr_returns_http_requests_total", method="GET", route="unmatched",
                    status="404")
    world.client.simulate_get("/v1/no/such/thing")
    assert sample("scr_returns_http_requests_total", method="GET", route="unmatched",
                  status="404") == before + 1


def test_returns_accepted_and_refused_and_validation_time(world: World) -> None:
    def count(outcome: str) -> float:
        return sample("scr_returns_returns_total", agency="testing", form="chronology",
                      outcome=outcome)

    validated = sample("scr_returns_validation_duration_seconds_count", agency="testing",
                       form="chronology")
    accepted, refused = count("accepted"), count("refused")
    assert world.put(document(subjects=["nobody"])).status_code == 422
    assert world.put(document()).status_code == 201
    assert world.put(document(), **{"Idempotency-Key": "k1"}).status_code == 200
    assert count("refused") == refused + 1
    assert count("accepted") == accepted + 2
    assert sample("scr_returns_validation_duration_seconds_count", agency="testing",
                  form="chronology") == validated + 3


def test_plugin_state_follows_the_admin(world: World) -> None:
    def enabled() -> float:
        samples = scrape(world.client.simulate_get("/metrics").text)
        labels = frozenset({"plugin": "testing", "agency": "testing", "version": "1.0"}.items())
        return samples[("scr_returns_plugin_enabled", labels)]

    assert enabled() == 1.0
    off = world.client.simulate_post("/v1/admin/plugins/testing/disable",
                                     headers=auth(world.admin))
    assert off.status_code == 200, off.text
    assert enabled() == 0.0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory.mktemp("metrics"), workers=2)


def test_every_worker_is_counted_and_the_folder_is_fresh(served: Served) -> None:
    pids: set[int] = set()
    sent = 0
    # Until both workers have answered some (which one accepts is the kernel's choice),
    # each on a new connection: a kept-alive one stays with the worker that accepted it.
    while sent < 40 or (len(pids) < 2 and sent < 1000):
        with httpx.Client(base_url=served.url, timeout=10) as fresh:
            pids.add(which_worker(fresh, served.log))
        sent += 1
    text = httpx.get(served.url + "/metrics", timeout=10).text
    assert len(pids) == 2
    samples = scrape(text)
    health = frozenset({"method": "GET", "route": "/v1/health", "status": "200"}.items())
    # Whichever worker answered the scrape, it reports every request (+ the start-up polls).
    assert samples[("scr_returns_http_requests_total", health)] >= sent
    folders = list((Path(served.env["SCR_RETURNS_DATA_DIR"]) / "metrics").iterdir())
    assert len(folders) == 1 and any(folders[0].glob("counter_*.db"))
