"""Reviews over HTTP: open, list, read, change."""

from __future__ import annotations

import copy

import pytest

from scr_returns.core.service import Services
from tests.support.http_world import REF, REVIEW, World, auth


def test_opened_review_reads_back(world: World) -> None:
    review = world.get(f"/v1/reviews/{REF}").json
    assert review["ref"] == REF
    assert review["scoping_period"] == {"from": "2024-01-01", "to": "2025-12-31"}
    assert review["status"] == "open"
    assert review["agencies"] == [{"agency": "testing", "forms": [
        {"form": "chronology", "due": "2026-02-01"}, {"form": "report", "due": None}]}]
    assert [s["key"] for s in review["subjects"]] == ["child-a", "mother"]


def test_duplicate_reference_is_409(world: World) -> None:
    again = world.client.simulate_post("/v1/reviews", json=REVIEW, headers=auth(world.admin))
    assert again.status_code == 409


def test_invalid_review_names_every_field(world: World) -> None:
    bad = copy.deepcopy(REVIEW)
    bad.update(ref="lower case", type="inquiry", scoping_period={"from": "2025-01-01",
                                                                 "to": "2024-01-01"})
    bad["agencies"][0]["forms"].append({"form": "no-such-form"})
    bad["version"] = 3
    response = world.client.simulate_post("/v1/reviews", json=bad, headers=auth(world.admin))
    assert response.status_code == 422
    pointers = {p["pointer"] for p in response.json["problems"]}
    assert pointers == {"/ref", "/type", "/scoping_period/to", "/version"}


def test_unknown_form_of_a_known_agency_is_refused(world: World) -> None:
    bad = copy.deepcopy(REVIEW)
    bad["ref"] = "IOW-2026-02"
    bad["agencies"][0]["forms"].append({"form": "no-such-form", "due": None})
    response = world.client.simulate_post("/v1/reviews", json=bad, headers=auth(world.admin))
    assert response.status_code == 422
    assert response.json["problems"][0]["code"] == "review.form.unknown"


def test_list_shows_only_bound_reviews(world: World, services: Services) -> None:
    other = copy.deepcopy(REVIEW)
    other["ref"] = "IOW-2026-02"
    world.client.simulate_post("/v1/reviews", json=other, headers=auth(world.admin))
    assert [r["ref"] for r in world.get("/v1/reviews").json["reviews"]] == [REF, "IOW-2026-02"]
    assert [r["ref"] for r in world.get("/v1/reviews", token=world.panel).json["reviews"]] == \
        [REF]
    assert world.get("/v1/reviews/IOW-2026-02", token=world.agency).status_code == 404


def test_patch_changes_fields_and_checks_if_match(world: World) -> None:
    read = world.get(f"/v1/reviews/{REF}")
    changed = world.client.simulate_patch(
        f"/v1/reviews/{REF}", json={"status": "returns-requested", "title": "Child A (CSPR)"},
        headers=auth(world.admin, **{"If-Match": read.headers["ETag"]}))
    assert changed.status_code == 200
    assert changed.json["status"] == "returns-requested"
    assert changed.json["version"] == 2
    assert changed.json["subjects"] == read.json["subjects"]
    stale = world.client.simulate_patch(
        f"/v1/reviews/{REF}", json={"title": "x"},
        headers=auth(world.admin, **{"If-Match": read.headers["ETag"]}))
    assert stale.status_code == 412
    fixed = world.client.simulate_patch(f"/v1/reviews/{REF}", json={"ref": "NEW-REF-01"},
                                        headers=auth(world.admin))
    assert fixed.status_code == 422
    assert world.client.simulate_patch(f"/v1/reviews/{REF}", json={"title": "x"},
                                       headers=auth(world.panel)).status_code == 403


def test_closed_review_takes_no_returns(world: World) -> None:
    world.client.simulate_patch(f"/v1/reviews/{REF}", json={"status": "completed"},
                                headers=auth(world.admin, **{"If-Match": "*"}))
    from tests.support.http_world import document

    assert world.put(document()).status_code == 409


@pytest.mark.parametrize(("patch", "pointer"), [
    ({"agencies": [{"agency": "testing"}]}, "/agencies/0/forms"),
    ({"agencies": [{"agency": "testing", "forms": [{"due": "2026-01-01"}]}]},
     "/agencies/0/forms/0/form"),
    ({"scoping_period": {"from": "2024-01-01"}}, "/scoping_period/to"),
    ({"subjects": [{"role": "x"}]}, "/subjects/0/key"),
    ({"kloes": [{"question": "q"}]}, "/kloes/0/id"),
])
def test_patch_needs_whole_nested_objects(world: World, patch: dict[str, object],
                                          pointer: str) -> None:
    response = world.client.simulate_patch(f"/v1/reviews/{REF}", json=patch,
                                           headers=auth(world.admin))
    assert response.status_code == 422
    assert pointer in {p["pointer"] for p in response.json["problems"]}


def test_a_form_asked_twice_of_one_agency_is_refused(world: World) -> None:
    review = copy.deepcopy(REVIEW)
    review["ref"] = "IOW-2026-03"
    review["agencies"][0]["forms"] = [{"form": "chronology", "due": "2026-01-01"},
                                      {"form": "chronology", "due": "2025-01-01"}]
    response = world.client.simulate_post("/v1/reviews", json=review,
                                          headers=auth(world.admin))
    assert response.status_code == 422
    assert response.json["problems"][0]["pointer"] == "/agencies/0/forms"


def test_kloe_ids_as_partnerships_write_them_and_the_register_analysis_fields(
        world: World) -> None:
    review = copy.deepcopy(REVIEW)
    review["ref"] = "IOW-2026-04"
    review["kloes"] = [{"id": "KLOE-1", "question": "Was information shared?"},
                       {"id": "KLOE_2.a", "question": "Was the child heard?"}]
    review["subjects"] = [{"key": "child-a", "role": "subject child", "age_band": "under-1",
                           "sex": "male"},
                          {"key": "mother", "role": "mother", "age_band": "not-known",
                           "sex": "not-known"}]
    created = world.client.simulate_post("/v1/reviews", json=review, headers=auth(world.admin))
    assert created.status_code == 201, created.json
    read = world.get("/v1/reviews/IOW-2026-04").json
    assert [k["id"] for k in read["kloes"]] == ["KLOE-1", "KLOE_2.a"]
    assert read["subjects"] == review["subjects"]


@pytest.mark.parametrize(("change", "pointer"), [
    ({"kloes": [{"id": "KLOE-1", "question": "q"}, {"id": "kloe-1", "question": "r"}]},
     "/kloes"),
    ({"kloes": [{"id": "KLOE 1", "question": "q"}]}, "/kloes/0/id"),
    ({"subjects": [{"key": "child-a", "role": "subject child", "age_band": "baby"}]},
     "/subjects/0/age_band"),
    ({"subjects": [{"key": "child-a", "role": "subject child", "sex": "m"}]},
     "/subjects/0/sex"),
])
def test_kloe_ids_and_register_fields_are_checked(world: World, change: dict[str, object],
                                                  pointer: str) -> None:
    review = {**copy.deepcopy(REVIEW), "ref": "IOW-2026-05", **change}
    response = world.client.simulate_post("/v1/reviews", json=review, headers=auth(world.admin))
    assert response.status_code == 422
    assert [p["pointer"] for p in response.json["problems"]] == [pointer]
