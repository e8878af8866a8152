"""The return pipeline over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from scr_returns.core.service import Services
from tests.support.http_world import REF, RETURN, World, auth, document


def test_first_submission_is_201_with_location_and_etag(world: World) -> None:
    response = world.put(document())
    assert response.status_code == 201
    assert response.headers["Location"] == RETURN
    assert response.json["revision"] == 1
    assert response.json["schema_version"] == 2  # newest offered by default
    assert response.json["state"] == "submitted"
    read = world.get(token=world.agency)
    assert read.status_code == 200
    assert read.headers["ETag"] == response.headers["ETag"]
    assert read.json["document"] == document()


def test_idempotency_key_replays_the_first_answer(world: World) -> None:
    first = world.put(document(), **{"Idempotency-Key": "abc-1"})
    again = world.put(document(), **{"Idempotency-Key": "abc-1"})
    assert again.status_code == first.status_code == 201
    assert again.text == first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    revisions = world.get(RETURN + "/revisions").json["revisions"]
    assert len(revisions) == 1


def test_idempotency_key_reused_for_another_request_is_refused(world: World) -> None:
    world.put(document(), **{"Idempotency-Key": "abc-2"})
    other = world.put(document(description="Another visit."), **{"Idempotency-Key": "abc-2"})
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["detail"]
    # Every 422 lists its problems (api.md), this one too.
    assert [(p["pointer"], p["code"]) for p in other.json["problems"]] == [
        ("", "request.idempotency_key.reused")]


def _put_with_reason(world: World, doc: dict[str, Any], reason: Any, **headers: str) -> Any:
    return world.client.simulate_put(RETURN, json={"document": doc, "reason": reason},
                                     headers=auth(world.agency, **headers))


def test_a_revision_keeps_why_it_was_made(world: World) -> None:
    first = world.put(document())
    amended = _put_with_reason(world, document(description="Seen with mother."),
                               "Corrected after checking the visit notes.",
                               **{"If-Match": first.headers["ETag"]})
    assert amended.status_code == 200
    events = world.get(RETURN + "/state").json["events"]
    assert [(e["action"], e["comment"]) for e in events] == [
        ("submitted", None), ("amended", "Corrected after checking the visit notes.")]
    blank = _put_with_reason(world, document(description="Again."), "", **{"If-Match": "*"})
    assert blank.status_code == 422
    assert [p["pointer"] for p in blank.json["problems"]] == ["/reason"]


def test_a_retry_with_another_reason_is_another_request(world: World) -> None:
    key = {"Idempotency-Key": "why-1"}
    assert _put_with_reason(world, document(), "First.", **key).status_code == 201
    again = _put_with_reason(world, document(), "Second.", **key)
    assert again.status_code == 422


def test_identical_document_creates_no_new_revision(world: World) -> None:
    world.put(document())
    again = world.put(document())
    assert again.status_code == 200
    assert again.json["revision_created"] is False
    assert len(world.get(RETURN + "/revisions").json["revisions"]) == 1


def test_invalid_document_gets_every_problem_and_stores_nothing(world: World) -> None:
    bad = document(date="2024-02-30", subjects=["child-a", "stranger"], event_type="party",
                   code="x1")
    del bad["entries"][0]["source"]
    response = world.put(bad)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    found = {(p["pointer"], p["code"]) for p in response.json["problems"]}
    assert found == {
        ("/entries/0/date", "schema.format"),
        ("/entries/0/source", "schema.required"),
        ("/entries/0/event_type", "schema.enum"),
        ("/entries/0/code", "schema.pattern"),
        ("/entries/0/subjects/1", "testing.subject.unknown"),
    }
    assert all(p["severity"] == "error" and p["message"] for p in response.json["problems"])
    assert response.json["error_count"] == 5
    assert world.get().status_code == 404


def test_amendment_needs_if_match_and_refuses_a_stale_one(world: World) -> None:
    first = world.put(document())
    changed = document(description="Visit, child seen alone.")
    assert world.put(changed).status_code == 428
    second = world.put(changed, **{"If-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.json["revision"] == 2
    stale = world.put(document(description="Third."), **{"If-Match": first.headers["ETag"]})
    assert stale.status_code == 412
    revisions = world.get(RETURN + "/revisions").json["revisions"]
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[0]["document"] == document()
    assert revisions[1]["document"] == changed


def test_if_match_on_a_return_that_does_not_exist_is_412(world: World) -> None:
    assert world.put(document(), **{"If-Match": '"1-abc"'}).status_code == 412
    assert world.get().status_code == 404


def test_revisions_are_returned_unchanged(world: World) -> None:
    doc = document(description="Ünïcode — kept exactly", outcome="b")
    world.put(doc)
    one = world.get(RETURN + "/revisions/1")
    assert one.status_code == 200
    assert json.dumps(one.json["document"], sort_keys=True) == json.dumps(doc, sort_keys=True)
    assert world.get(RETURN + "/revisions/2").status_code == 404


def test_warnings_are_stored_with_the_revision(world: World) -> None:
    response = world.put(document(description="There was a gap in contact."))
    assert response.status_code == 201
    assert [w["code"] for w in response.json["warnings"]] == ["testing.gap.noted"]
    assert world.get().json["warnings"] == response.json["warnings"]


def test_older_schema_version_may_be_named(world: World) -> None:
    doc = document()
    del doc["entries"][0]["location"]  # v2 requires it, v1 does not
    assert world.put(doc).status_code == 422
    response = world.client.simulate_put(RETURN, json={"document": doc, "schema_version": 1},
                                         headers=auth(world.agency))
    assert response.status_code == 201
    assert response.json["schema_version"] == 1
    unknown = world.client.simulate_put(RETURN, json={"document": doc, "schema_version": 7},
                                        headers=auth(world.agency))
    assert unknown.status_code == 422
    assert unknown.json["problems"][0]["pointer"] == "/schema_version"


def test_another_agency_sees_nothing(world: World) -> None:
    world.put(document())
    missing = world.get("/v1/reviews/IOW-2026-01/returns/testing/nothing", token=world.other)
    hidden = world.get(token=world.other)
    assert hidden.status_code == missing.status_code == 404
    assert {k: v for k, v in hidden.json.items() if k != "instance"} == \
        {k: v for k, v in missing.json.items() if k != "instance"}
    listed = world.get(f"/v1/reviews/{REF}/returns?agency=testing", token=world.other)
    assert listed.json["items"] == []
    assert world.get(f"/v1/reviews/{REF}/returns", token=world.other).json["items"] == []
    assert world.put(document(), token=world.other).status_code == 404


def test_agency_unbound_review_is_404(world: World, services: Services) -> None:
    stranger = services.tokens.create(name="x", role="agency", agency="testing",
                                      reviews=["OTHER-2026-01"])[0]
    world.put(document())
    assert world.get(token=stranger).status_code == 404
    assert world.get(f"/v1/reviews/{REF}", token=stranger).status_code == 404
    assert world.put(document(), token=stranger).status_code == 404


def test_panel_reads_but_may_not_submit(world: World) -> None:
    world.put(document())
    assert world.get(token=world.panel).status_code == 200
    assert world.put(document(), token=world.panel).status_code == 403
    assert world.put(document(), token=world.admin).status_code == 403


def test_listing_filters_and_paginates(world: World) -> None:
    world.put(document())
    report = world.client.simulate_put(f"/v1/reviews/{REF}/returns/testing/report",
                                       json={"document": {"summary": "Nothing more."}},
                                       headers=auth(world.agency))
    assert report.status_code == 201
    page = world.get(f"/v1/reviews/{REF}/returns?limit=1")
    assert [i["form"] for i in page.json["items"]] == ["chronology"]
    cursor = page.json["next_cursor"]
    # A new revision of an earlier return does not disturb the pages that follow.
    etag = world.get().headers["ETag"]
    world.put(document(description="Changed."), **{"If-Match": etag})
    rest = world.get(f"/v1/reviews/{REF}/returns?limit=1&cursor={cursor}")
    assert [i["form"] for i in rest.json["items"]] == ["report"]
    assert rest.json["next_cursor"] is None
    only = world.get(f"/v1/reviews/{REF}/returns?form=report")
    assert [i["form"] for i in only.json["items"]] == ["report"]
    assert world.get(f"/v1/reviews/{REF}/returns?cursor=garbage").status_code == 400


def test_disabled_agency_vanishes_refuses_and_stays_readable(world: World) -> None:
    world.put(document())
    off = world.client.simulate_post("/v1/admin/plugins/testing/disable",
                                     headers=auth(world.admin))
    assert off.status_code == 200 and off.json["enabled"] is False
    assert world.get("/v1/agencies", token=world.agency).json["agencies"] == []
    assert world.get("/v1/agencies/testing/forms/chronology").status_code == 404
    refused = world.put(document(description="New."), **{"If-Match": "*"})
    assert refused.status_code == 409
    assert world.get(token=world.agency).status_code == 200
    world.client.simulate_post("/v1/admin/plugins/testing/enable", headers=auth(world.admin))
    assert [a["name"] for a in world.get("/v1/agencies").json["agencies"]] == ["testing"]


def test_dry_run_gives_exactly_the_problems_of_the_put(world: World) -> None:
    bad = document(date="2024-13-01", subjects=["nobody"])
    put = world.put(bad)
    dry = world.client.simulate_post(
        f"/v1/agencies/testing/forms/chronology/validate?review={REF}",
        json={"document": bad}, headers=auth(world.agency))
    assert dry.status_code == 200
    assert dry.json["valid"] is False
    assert dry.json["problems"] == put.json["problems"]
    without_review = world.client.simulate_post(
        "/v1/agencies/testing/forms/chronology/validate", json={"document": bad},
        headers=auth(world.agency))
    assert {p["code"] for p in without_review.json["problems"]} == {"schema.format"}
    assert world.get().status_code == 404


def test_problem_cap_reports_the_total(world: World, services: Services) -> None:
    services.returns.settings = services.settings.with_(problem_cap=3)
    bad = {"entries": [{"id": f"e{i}"} for i in range(10)]}
    response = world.put(bad)
    assert response.status_code == 422
    assert len(response.json["problems"]) == 3
    assert response.json["truncated"] is True
    assert response.json["error_count"] > 10


def test_a_superscript_digit_key_is_a_problem_not_a_500(world: World) -> None:
    doc = document()
    doc["²"] = 1
    response = world.put(doc)
    assert response.status_code == 422
    assert ("/²", "schema.additionalProperties") in \
        {(p["pointer"], p["code"]) for p in response.json["problems"]}


@pytest.mark.parametrize("cursor", ["99999999999999999999", "2147483648", "-1", "1²", "cjE"])
def test_a_forged_cursor_is_400(world: World, cursor: str) -> None:
    assert world.get(f"/v1/reviews/{REF}/returns?cursor={cursor}").status_code == 400


def test_a_whole_number_written_with_a_point_is_a_whole_number(world: World) -> None:
    # JSON Schema's integer (the OpenAPI document's) includes 1.0: so does the service.
    response = world.client.simulate_put(RETURN, json={"document": document(),
                                                       "schema_version": 1.0},
                                         headers=auth(world.agency))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("version", [1.9, "2", True])
def test_schema_version_must_be_a_whole_number(world: World, version: object) -> None:
    response = world.client.simulate_put(RETURN, json={"document": document(),
                                                       "schema_version": version},
                                         headers=auth(world.agency))
    assert response.status_code == 422
    assert response.json["problems"][0]["pointer"] == "/schema_version"


def test_a_put_reads_in_one_transaction_and_writes_in_one(world: World,
                                                          services: Services) -> None:
    world.put(document())  # the token's first use is noted, the plugin set is read
    services.catalog.refresh = 3600.0
    begun: list[object] = []
    sa.event.listen(services.store.engine, "begin", begun.append)
    amended = world.put(document(description="Seen with mother."), **{"If-Match": "*"})
    assert amended.status_code == 200, amended.text
    # The token, the retry's first answer and the review; then the revision, its event,
    # chronology rows, idempotency record and audit record.
    assert len(begun) == 2
