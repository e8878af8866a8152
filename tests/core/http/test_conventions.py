"""HTTP conventions a client relies on (issue 17): nothing is silently ignored, every
``type`` resolves, reads can be conditional and paged, a PATCH loses nothing."""

from __future__ import annotations

from typing import Any

import pytest

from scr_returns.core import errors
from scr_returns.core.problem_types import BY_SLUG, TYPES
from tests.support.http_world import PURPOSE, REF, RETURN, REVIEW, World, auth, document


def get(world: World, path: str, params: dict[str, str] | None = None,
        **headers: str) -> Any:
    """A read as the admin, with a purpose and these query parameters."""
    return world.client.simulate_get(path, params=params, headers=auth(
        world.admin, **{"X-Purpose": PURPOSE, **headers}))


def subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


# -- unknown query parameters -----------------------------------------------------------

@pytest.mark.parametrize("path", [f"/v1/reviews/{REF}/returns", "/v1/reviews",
                                  f"/v1/reviews/{REF}/chronology", RETURN])
def test_an_unknown_query_parameter_is_refused_not_ignored(world: World, path: str) -> None:
    world.put(document())
    response = get(world, path, params={"anonymise": "true"})
    assert response.status_code == 400, response.text
    assert "'anonymise'" in response.json["detail"]
    assert "Nothing was done" in response.json["detail"]


def test_the_tracker_refuses_a_format_it_does_not_offer(world: World) -> None:
    response = get(world, f"/v1/reviews/{REF}/tracker", params={"format": "csv"})
    assert response.status_code == 400
    assert "'format'" in response.json["detail"] and "recheck" in response.json["detail"]


def test_declared_parameters_still_work(world: World) -> None:
    world.put(document())
    response = get(world, f"/v1/reviews/{REF}/returns", params={"agency": "testing",
                                                               "limit": "1"})
    assert response.status_code == 200 and len(response.json["items"]) == 1


# -- HEAD and conditional reads ---------------------------------------------------------

@pytest.mark.parametrize("path", [f"/v1/reviews/{REF}", RETURN, RETURN + "/revisions/1",
                                  "/v1/agencies", "/v1/health"])
def test_head_answers_like_get_without_a_body(world: World, path: str) -> None:
    world.put(document())
    headers = auth(world.admin, **{"X-Purpose": PURPOSE})
    got = world.client.simulate_get(path, headers=headers)
    head = world.client.simulate_head(path, headers=headers)
    assert (head.status_code, got.status_code) == (200, 200)
    assert head.content == b""
    assert head.headers.get("ETag") == got.headers.get("ETag")
    assert head.headers["content-type"] == got.headers["content-type"]


@pytest.mark.parametrize("path", [f"/v1/reviews/{REF}", RETURN, RETURN + "/revisions/1"])
def test_if_none_match_with_the_current_etag_answers_304(world: World, path: str) -> None:
    world.put(document())
    etag = world.get(path).headers["ETag"]
    same = world.get(path, **{"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["ETag"] == etag
    other = world.get(path, **{"If-None-Match": '"v999"'})
    assert other.status_code == 200 and other.json


# -- pages and Link ---------------------------------------------------------------------

def _open(world: World, n: int) -> None:
    for i in range(n):
        body = {**REVIEW, "ref": f"PAGE-2026-{i:02d}"}
        made = world.client.simulate_post("/v1/reviews", json=body, headers=auth(world.admin))
        assert made.status_code == 201, made.text


@pytest.mark.parametrize(("path", "key", "made"), [
    ("/v1/reviews", "reviews", 3), ("/v1/admin/tokens", "tokens", 0)])
def test_reviews_and_tokens_come_a_page_at_a_time_with_a_link(
        world: World, path: str, key: str, made: int) -> None:
    _open(world, made)
    everything = world.get(path).json[key]
    assert len(everything) >= 4
    seen: list[Any] = []
    url, params = path, {"limit": "2"}
    while True:
        response = get(world, url, params=params)
        assert response.status_code == 200
        seen += response.json[key]
        link = response.headers.get("Link")
        if response.json["next_cursor"] is None:
            assert link is None
            break
        assert link.endswith('>; rel="next"') and "cursor=" in link and "limit=2" in link
        target = link[1:link.index(">")]
        url, _, query = target.partition("?")
        params = dict(part.split("=", 1) for part in query.split("&"))
    assert seen == everything


def test_returns_pages_carry_a_link_too(world: World) -> None:
    world.put(document())
    world.client.simulate_put(f"/v1/reviews/{REF}/returns/testing/report",
                              json={"document": {"summary": "x"}}, headers=auth(world.agency))
    first = get(world, f"/v1/reviews/{REF}/returns", params={"limit": "1"})
    assert first.json["next_cursor"] and 'rel="next"' in first.headers["Link"]


def test_a_cursor_not_given_out_is_refused(world: World) -> None:
    assert get(world, "/v1/reviews", params={"cursor": "bm9wZQ"}).status_code == 400


# -- review PATCH -----------------------------------------------------------------------

def test_a_review_patch_without_if_match_is_428_and_changes_nothing(world: World) -> None:
    before = world.get(f"/v1/reviews/{REF}")
    response = world.client.simulate_patch(f"/v1/reviews/{REF}", json={"title": "Child B"},
                                           headers=auth(world.admin))
    assert response.status_code == 428
    assert response.json["type"] == "/v1/problems/precondition-required"
    assert world.get(f"/v1/reviews/{REF}").json == before.json


def test_a_bad_patch_body_is_told_before_a_missing_if_match(world: World) -> None:
    response = world.client.simulate_patch(f"/v1/reviews/{REF}", json={"status": "reopened"},
                                           headers=auth(world.admin))
    assert response.status_code == 422
    assert response.json["problems"][0]["pointer"] == "/status"


def test_a_patch_of_the_title_alone_changes_only_the_title(world: World) -> None:
    etag = world.get(f"/v1/reviews/{REF}").headers["ETag"]
    analysis = world.client.simulate_patch(f"/v1/reviews/{REF}", json={"status": "analysis"},
                                           headers=auth(world.admin, **{"If-Match": etag}))
    renamed = world.client.simulate_patch(
        f"/v1/reviews/{REF}", json={"title": "Child A (renamed)"},
        headers=auth(world.admin, **{"If-Match": analysis.headers["ETag"]}))
    assert renamed.status_code == 200
    assert (renamed.json["title"], renamed.json["status"]) == ("Child A (renamed)", "analysis")


def test_a_merge_patch_is_accepted(world: World) -> None:
    response = world.client.simulate_patch(
        f"/v1/reviews/{REF}", body=b'{"terms_of_reference": null, "title": "Child C"}',
        headers=auth(world.admin, **{"If-Match": "*",
                                     "Content-Type": "application/merge-patch+json"}))
    assert response.status_code == 200, response.text
    assert response.json["title"] == "Child C" and response.json["terms_of_reference"] is None


# -- problem types ----------------------------------------------------------------------

def test_every_service_error_type_has_a_page() -> None:
    declared = {cls.type for cls in subclasses(errors.ServiceError)} | {
        errors.ServiceError.type}
    assert declared <= {t.uri for t in TYPES}
    assert all(t.uri.startswith("/v1/problems/") for t in TYPES)


@pytest.mark.parametrize(("method", "path", "headers", "status"), [
    ("DELETE", "/v1/reviews", {}, 405),
    ("GET", f"/v1/reviews/{REF}/chronology", {"Accept": "image/png"}, 406),
    ("POST", "/v1/reviews", {"Content-Type": "text/plain"}, 415),
    ("GET", "/v1/nowhere", {}, 404),
])
def test_framework_errors_have_a_type_that_resolves(world: World, method: str, path: str,
                                                    headers: dict[str, str],
                                                    status: int) -> None:
    response = world.client.simulate_request(
        method, path, body=b"x" if method == "POST" else None,
        headers=auth(world.admin, **{"X-Purpose": PURPOSE, **headers}))
    assert response.status_code == status, response.text
    problem_type = response.json["type"]
    assert problem_type != "about:blank"
    page = world.client.simulate_get(problem_type)
    assert page.status_code == 200
    assert page.json["status"] == status and page.json["example"]["type"] == problem_type


def test_the_problem_pages_list_every_type_with_an_example(world: World) -> None:
    listed = world.client.simulate_get("/v1/problems").json["types"]
    assert [t["type"] for t in listed] == [t.uri for t in TYPES]
    for item in listed:
        assert item["meaning"] and item["example"]["status"] == item["status"]
    html = world.client.simulate_get("/v1/problems/invalid-document",
                                     headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "invalid-document" in html.text and "&quot;problems&quot;" in html.text
    assert world.client.simulate_get("/v1/problems/nothing-like-it").status_code == 404
    assert BY_SLUG["not-found"].example_body()["type"] == "/v1/problems/not-found"


# -- schemas ----------------------------------------------------------------------------

def test_the_shared_schemas_are_served_where_their_ids_say(world: World) -> None:
    listed = world.get("/v1/schemas").json
    prefix = listed["id_prefix"]
    ids = {s["$id"]: s["href"] for s in listed["schemas"]}
    assert prefix + "common/defs.v1.json" in ids
    for sid, href in ids.items():
        assert href == "/v1/schemas/" + sid.removeprefix(prefix)
        served = world.get(href)
        assert served.status_code == 200
        assert served.headers["content-type"] == "application/schema+json"
        assert served.json["$id"] == sid
    assert world.get("/v1/schemas/common/nowhere.v1.json").status_code == 404


def test_a_refused_role_is_named_in_english(world: World) -> None:
    response = world.client.simulate_get("/v1/admin/plugins", headers=auth(world.agency))
    assert response.status_code == 403
    assert response.json["detail"] == "An agency token may not use this route."
