"""The panel's tools over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from falcon.testing import TestClient

from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from tests.support.clock import Clock
from tests.support.panel import (
    REF,
    doc,
    entry,
    gamma_record,
    make_services,
    open_review,
    submit,
)

HYPERLINK = '=HYPERLINK("http://x","y")'
RETURN = f"/v1/reviews/{REF}/returns/testing/chronology"
CHRONOLOGY = f"/v1/reviews/{REF}/chronology"
WHY = {"X-Purpose": "panel analysis"}


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Iterator[Services]:
    built = make_services(settings, clock)
    open_review(built)
    yield built
    built.store.engine.dispose()


class Tokens:
    def __init__(self, services: Services) -> None:
        create = services.tokens.create
        self.admin = create(name="admin", role="admin")[0]
        self.panel = create(name="panel", role="panel", reviews=[REF])[0]
        self.testing = create(name="t", role="agency", agency="testing", reviews=[REF])[0]


@pytest.fixture
def tokens(services: Services) -> Tokens:
    return Tokens(services)


def h(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **WHY, **extra}


def put(client: TestClient, token: str, document: dict[str, Any], etag: str | None) -> Any:
    headers = h(token, **({"If-Match": etag} if etag else {}))
    return client.simulate_put(RETURN, json={"document": document}, headers=headers)


def state(client: TestClient, token: str, body: dict[str, Any]) -> Any:
    return client.simulate_post(RETURN + "/state", json=body, headers=h(token))


def test_the_state_walk_over_http(client: TestClient, tokens: Tokens) -> None:
    first = put(client, tokens.testing, doc(entry("e1", "2024-03-01")), None)
    assert first.status_code == 201
    asked = state(client, tokens.panel, {"state": "queried",
                                         "comment": "Was the child seen alone?"})
    assert asked.status_code == 200, asked.text
    assert asked.json["allowed"] == ["accepted"]
    read = client.simulate_get(RETURN, headers=h(tokens.testing))
    assert read.json["state"] == "queried"
    assert read.json["state_event"]["comment"] == "Was the child seen alone?"
    amended = put(client, tokens.testing, doc(entry("e1", "2024-03-01", outcome="Seen alone.")),
                  read.headers["ETag"])
    assert amended.status_code == 200 and amended.json["state"] == "submitted"
    assert state(client, tokens.panel, {"state": "accepted"}).status_code == 200
    locked = put(client, tokens.testing, doc(entry("e1", "2024-03-02")), amended.headers["ETag"])
    assert locked.status_code == 409
    again = state(client, tokens.panel, {"state": "accepted"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json["allowed"] == ["submitted"] and "submitted" in again.json["detail"]
    assert state(client, tokens.panel, {"state": "submitted"}).status_code == 422
    reopened = state(client, tokens.panel, {"state": "submitted", "comment": "Dates wrong."})
    assert reopened.status_code == 200
    third = put(client, tokens.testing, doc(entry("e1", "2024-03-02")), amended.headers["ETag"])
    assert third.status_code == 200 and third.json["revision"] == 3
    history = client.simulate_get(RETURN + "/state", headers=h(tokens.testing))
    assert [e["action"] for e in history.json["events"]] == [
        "submitted", "queried", "resubmitted", "accepted", "reopened", "amended"]


def test_a_query_answered_without_a_change_goes_back_with_the_reason(
        client: TestClient, tokens: Tokens) -> None:
    document = doc(entry("e1", "2024-03-01"))
    first = put(client, tokens.testing, document, None)
    state(client, tokens.panel, {"state": "queried", "comment": "Was the child seen alone?"})
    same = put(client, tokens.testing, document, None)  # without a reason: nothing happens
    assert same.status_code == 200 and same.json["state"] == "queried"
    answered = client.simulate_put(RETURN, json={
        "document": document, "reason": "Yes: entry e1 records it; no change needed."},
        headers=h(tokens.testing))
    assert answered.status_code == 200, answered.text
    assert answered.json["revision_created"] is False and answered.json["state"] == "submitted"
    assert answered.headers["ETag"] == first.headers["ETag"]
    history = client.simulate_get(RETURN + "/state", headers=h(tokens.testing)).json["events"]
    assert [(e["action"], e["revision"], e["comment"]) for e in history][-1] == (
        "resubmitted", 1, "Yes: entry e1 records it; no change needed.")
    assert state(client, tokens.panel, {"state": "accepted"}).status_code == 200


def test_state_changes_are_the_panels(client: TestClient, tokens: Tokens) -> None:
    put(client, tokens.testing, doc(entry("e1", "2024-03-01")), None)
    assert state(client, tokens.testing, {"state": "accepted"}).status_code == 403
    assert state(client, tokens.admin, {"state": "accepted"}).status_code == 403
    bad = state(client, tokens.panel, {"state": "approved", "revision": 1})
    assert bad.status_code == 422
    assert {p["pointer"] for p in bad.json["problems"]} == {"/state", "/revision"}


def test_diff_over_http(client: TestClient, tokens: Tokens) -> None:
    one = put(client, tokens.testing, doc(entry("e1", "2024-03-01"), entry("e2", "2024-03-02")),
              None)
    two = put(client, tokens.testing, doc(entry("e1", "2024-03-01", outcome="x"),
                                          entry("e3", "2024-03-03")), one.headers["ETag"])
    put(client, tokens.testing, doc(entry("e1", "2024-03-01", outcome="x"),
                                    entry("e3", "2024-03-03"), entry("e4", "2024-03-04")),
        two.headers["ETag"])
    diff = client.simulate_get(RETURN + "/diff?from=1&to=3", headers=h(tokens.panel))
    assert diff.status_code == 200, diff.text
    changes = diff.json["chronology"]
    assert [a["entry_id"] for a in changes["added"]] == ["testing:e3", "testing:e4"]
    assert [r["entry_id"] for r in changes["removed"]] == ["testing:e2"]
    assert [c["entry_id"] for c in changes["changed"]] == ["testing:e1"]
    assert all({"op", "path"} <= set(op) for op in diff.json["patch"])
    assert client.simulate_get(RETURN + "/diff?from=1&to=9",
                               headers=h(tokens.panel)).status_code == 404
    assert client.simulate_get(RETURN + "/diff?from=0",
                               headers=h(tokens.panel)).status_code == 400
    no_purpose = client.simulate_get(RETURN + "/diff", headers={
        "Authorization": f"Bearer {tokens.panel}"})
    assert no_purpose.status_code == 400


@pytest.fixture
def three(services: Services) -> None:
    submit(services, "testing", doc(entry("t1", "2024-03-01", description=HYPERLINK),
                                    entry("t2", "2024-01-01", date_precision="month")))
    submit(services, "alpha", {"entries": [entry("a1", "2024-03-01", time="08:00",
                                                 team_code="A")]})
    submit(services, "gamma", {"records": [gamma_record("g1", "2024-02-01"),
                                           gamma_record("g2", "2025-01-01", background=True)]})


ORDER = ["testing:t2", "gamma:g1", "alpha:a1", "testing:t1", "gamma:g2"]


@pytest.mark.usefixtures("three")
@pytest.mark.parametrize(("query", "accept", "media"), [
    ("", None, "application/json"),
    ("?format=json", "text/csv", "application/json"),
    ("", "application/x-ndjson", "application/x-ndjson"),
    ("?format=ndjson", None, "application/x-ndjson"),
    ("", "text/csv", "text/csv"),
    ("?format=csv", None, "text/csv"),
    # q-values decide; a wildcard at low quality does not outrank what is named.
    ("", "text/csv, */*;q=0.1", "text/csv"),
    ("", "application/x-ndjson;q=0.9, application/json;q=0.5", "application/x-ndjson"),
    ("", "application/ndjson, application/*;q=0.2", "application/x-ndjson"),
    ("", "text/*", "text/csv"),
    ("", "*/*", "application/json"),
    ("", "application/*", "application/json"),
    ("", "text/csv, application/json", "application/json"),  # a tie: the default
    ("", "text/html, */*;q=0", "application/json"),  # nothing wanted, a wildcard sent
    ("", "nonsense, */*", "application/json"),  # unparseable, a wildcard sent
    ("?format=ndjson", "text/csv, */*;q=0.1", "application/x-ndjson"),
])
def test_chronology_formats(client: TestClient, tokens: Tokens, query: str,
                            accept: str | None, media: str) -> None:
    headers = h(tokens.panel, **({"Accept": accept} if accept else {}))
    response = client.simulate_get(CHRONOLOGY + query, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    if media == "application/json":
        ids = [r["entry_id"] for r in response.json["entries"]]
    elif media == "application/x-ndjson":
        ids = [json.loads(line)["entry_id"] for line in response.text.splitlines()]
    else:
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        ids = [r["entry_id"] for r in rows]
        assert rows[3]["description"] == "'" + HYPERLINK
        assert rows[2]["alpha.team_code"] == "A"
    assert ids == ORDER


@pytest.mark.usefixtures("three")
@pytest.mark.parametrize("accept", ["text/html", "image/*, text/plain", "text/csv;q=0"])
def test_chronology_not_acceptable_without_a_wildcard(client: TestClient, tokens: Tokens,
                                                      accept: str) -> None:
    response = client.simulate_get(CHRONOLOGY, headers=h(tokens.panel, Accept=accept))
    assert response.status_code == 406, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.usefixtures("three")
def test_chronology_filters_and_refusals(client: TestClient, tokens: Tokens) -> None:
    def ids(query: str, token: str = tokens.panel) -> list[str]:
        response = client.simulate_get(CHRONOLOGY + query, headers=h(token))
        assert response.status_code == 200, response.text
        return [r["entry_id"] for r in response.json["entries"]]

    assert ids("?agency=gamma&agency=alpha") == ["gamma:g1", "alpha:a1", "gamma:g2"]
    assert ids("?agency=gamma,testing&background=false") == ["testing:t2", "gamma:g1",
                                                             "testing:t1"]
    assert ids("?subject=mother") == ["gamma:g1", "gamma:g2"]
    assert ids("?event_type=arrest&to=2024-12-31") == ["gamma:g1"]
    assert ids("?from=2024-01-20&to=2024-02-10") == ["testing:t2", "gamma:g1"]
    assert ids("?background=true") == ["gamma:g2"]
    assert ids("?accepted_only=true") == []
    assert ids("", tokens.admin) == ORDER
    bad = {"?format=xml": 400, "?from=yesterday": 400, "?background=maybe": 400}
    for query, status in bad.items():
        response = client.simulate_get(CHRONOLOGY + query, headers=h(tokens.panel))
        assert response.status_code == status, query
    refused = client.simulate_get(CHRONOLOGY, headers=h(tokens.panel, Accept="text/html"))
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.simulate_get(CHRONOLOGY, headers=h(tokens.testing)).status_code == 403
    assert client.simulate_get("/v1/reviews/NOPE-1/chronology",
                               headers=h(tokens.panel)).status_code == 404


@pytest.mark.usefixtures("three")
def test_tracker_and_listing_show_warnings(client: TestClient, tokens: Tokens,
                                           services: Services) -> None:
    submit(services, "beta", {"entries": [entry("b1", "2024-03-01",
                                                 description="A gap in contact.")]})
    tracker = client.simulate_get(f"/v1/reviews/{REF}/tracker", headers=h(tokens.panel))
    assert tracker.status_code == 200, tracker.text
    owed = {(a["agency"], f["form"]): f for a in tracker.json["agencies"] for f in a["forms"]}
    assert owed[("testing", "chronology")]["submitted"] is True
    # Links are the HTTP layer's: the service gives facts (tests/core/service/test_tracker.py)
    assert owed[("testing", "chronology")]["href"] == \
        f"/v1/reviews/{REF}/returns/testing/chronology"
    assert owed[("beta", "chronology")]["warning_count"] == 0  # beta has no warning rule
    assert tracker.json["completeness"]["submitted"] == 4
    submit(services, "testing", doc(entry("t1", "2024-03-01", description="A gap.")))
    listing = f"/v1/reviews/{REF}/returns"
    warned = client.simulate_get(listing + "?has_warnings=true", headers=h(tokens.panel))
    assert [(i["agency"], i["warning_count"]) for i in warned.json["items"]] == [("testing", 1)]
    clean = client.simulate_get(listing + "?has_warnings=false", headers=h(tokens.panel))
    assert {i["agency"] for i in clean.json["items"]} == {"alpha", "beta", "gamma"}
    again = client.simulate_get(f"/v1/reviews/{REF}/tracker", headers=h(tokens.panel))
    testing = next(a for a in again.json["agencies"] if a["agency"] == "testing")
    assert testing["forms"][0]["warning_codes"] == {"testing.gap.noted": 1}
    assert client.simulate_get(f"/v1/reviews/{REF}/tracker",
                               headers=h(tokens.testing)).status_code == 403


def test_openapi_describes_the_panel_routes(client: TestClient) -> None:
    paths = client.simulate_get("/v1/openapi.json").json["paths"]
    for path in ("/v1/reviews/{ref}/chronology", "/v1/reviews/{ref}/tracker",
                 "/v1/reviews/{ref}/returns/{agency}/{form}/state",
                 "/v1/reviews/{ref}/returns/{agency}/{form}/diff"):
        assert path in paths
    assert paths["/v1/reviews/{ref}/returns/{agency}/{form}/state"]["post"]["x-roles"] == \
        ["panel"]
