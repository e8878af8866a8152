"""The audit log over HTTP: one record per request, X-Purpose, 503 when it cannot be kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from falcon.testing import TestClient

from scr_returns.core.audit import verify_store
from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine
from scr_returns.core.storage.engine import WRITE
from tests.support.clock import Clock
from tests.support.http_world import PURPOSE, REF, RETURN, World, auth, document

CONTENT_READS = [RETURN, RETURN + "/revisions", RETURN + "/revisions/1"]


def records(services: Services) -> list[dict[str, Any]]:
    with services.store.read() as tx:
        return list(tx.audit_chain())


def new_records(services: Services, before: int) -> list[dict[str, Any]]:
    return records(services)[before:]


def token_id(services: Services, secret: str) -> str:
    return services.tokens.authenticate(secret).token_id


def fail_audit_inserts(store: Store) -> None:
    """Make the database refuse every new audit record, as a full or broken disk would."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("CREATE TRIGGER audit_fail BEFORE INSERT ON audit "
                                 "BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END")
            return
        conn.exec_driver_sql("CREATE FUNCTION audit_fail() RETURNS trigger LANGUAGE plpgsql "
                             "AS $$ BEGIN RAISE EXCEPTION 'audit unavailable'; END $$")
        conn.exec_driver_sql("CREATE TRIGGER audit_fail BEFORE INSERT ON audit "
                             "FOR EACH ROW EXECUTE FUNCTION audit_fail()")


def test_every_request_leaves_one_record_denials_included(world: World) -> None:
    s = world.services
    assert world.put(document()).status_code == 201
    before = len(records(s))
    outsider = s.tokens.create(name="elsewhere", role="panel", reviews=["OTHER-1"])[0]
    calls = [
        (world.get(RETURN, token=world.panel, **{"X-Purpose": "panel meeting 3"}), 200),
        (world.client.simulate_get(RETURN), 401),
        (world.client.simulate_get(RETURN, headers=auth("scr_" + "x" * 43)), 401),
        (world.put(document(), token=world.panel), 403),
        (world.get(RETURN, token=world.other), 404),
        (world.get(RETURN, token=outsider), 404),
        (world.client.simulate_get(RETURN, headers=auth(world.admin)), 400),  # no X-Purpose
        (world.get("/v1/no/such/route"), 404),
        (world.client.simulate_delete(RETURN, headers=auth(world.admin)), 405),
    ]
    assert [c[0].status_code for c in calls] == [c[1] for c in calls]
    found = new_records(s, before)
    assert [r["status"] for r in found] == [c[1] for c in calls]
    assert [r["request_id"] for r in found] == [c[0].headers["X-Request-ID"] for c in calls]
    read = found[0]
    assert read["token_id"] == token_id(s, world.panel) and read["role"] == "panel"
    assert read["method"] == "GET" and read["route"] == "/v1/reviews/{ref}/returns/{agency}/{form}"
    assert (read["review"], read["agency"], read["form"]) == (REF, "testing", "chronology")
    assert read["purpose"] == "panel meeting 3"
    assert found[1]["token_id"] is None and found[2]["token_id"] is None
    assert found[3]["token_id"] == token_id(s, world.panel) and found[3]["method"] == "PUT"
    assert found[4]["token_id"] == token_id(s, world.other)
    assert found[7]["route"] == "/v1/no/such/route" and found[7]["review"] is None
    with s.store.read() as tx:
        assert verify_store(tx) == (len(records(s)), None)


def test_public_routes_are_not_audited(world: World) -> None:
    before = len(records(world.services))
    for path in ("/v1/health", "/v1/ready", "/v1/openapi.json"):
        assert world.client.simulate_get(path).status_code == 200
    assert len(records(world.services)) == before


def test_a_write_record_names_the_revision_it_stored(world: World) -> None:
    before = len(records(world.services))
    first = world.put(document())
    second = world.put(document(description="Seen alone."),
                       **{"If-Match": first.headers["ETag"]})
    refused = world.put(document(date="2024-02-30"), **{"If-Match": second.headers["ETag"]})
    assert [first.status_code, second.status_code, refused.status_code] == [201, 200, 422]
    found = new_records(world.services, before)
    assert [(r["method"], r["status"], r["revision"]) for r in found] == [
        ("PUT", 201, 1), ("PUT", 200, 2), ("PUT", 422, None)]


def test_an_idempotent_replay_is_recorded_as_a_replay_of_the_first_answer(
        world: World) -> None:
    before = len(records(world.services))
    key = {"Idempotency-Key": "replay-me-0001"}
    first = world.put(document(), **key)
    again = world.put(document(), **key)
    other = world.put(document(), **{"Idempotency-Key": "another-key-0002", "If-Match": "*"})
    assert [first.status_code, again.status_code, other.status_code] == [201, 201, 200]
    assert again.headers["Idempotent-Replayed"] == "true"
    found = new_records(world.services, before)
    assert [(r["status"], r["revision"], r["replay_of"]) for r in found] == [
        (201, 1, None), (201, 1, found[0]["id"]), (200, 1, None)]
    with world.services.store.read() as tx:
        assert verify_store(tx) == (len(records(world.services)), None)
    listed = world.client.simulate_get("/v1/admin/audit", headers=auth(world.admin)).json
    assert [r["replay_of"] for r in listed["items"][-3:]] == [None, found[0]["id"], None]


def test_a_replay_of_an_answer_kept_before_replays_were_linked_says_0(world: World) -> None:
    key = {"Idempotency-Key": "kept-before-0003"}
    assert world.put(document(), **key).status_code == 201
    with world.services.store.engine.begin() as conn:  # as migration 0004 left a key's facts
        facts = conn.execute(sa.text("SELECT facts FROM idempotency")).scalar_one()
        facts = facts if isinstance(facts, dict) else json.loads(facts)
        old = {k: v for k, v in facts.items() if k != "audit_id"}
        conn.execute(sa.text("UPDATE idempotency SET facts = :facts").bindparams(
            sa.bindparam("facts", type_=sa.JSON)), {"facts": old})
    assert world.put(document(), **key).status_code == 201
    assert records(world.services)[-1]["replay_of"] == 0


def test_a_state_change_is_audited_once_with_its_revision(world: World) -> None:
    world.put(document())
    before = len(records(world.services))
    queried = world.client.simulate_post(
        f"/v1/reviews/{REF}/returns/testing/chronology/state", headers=auth(world.panel),
        json={"state": "queried", "comment": "Please say who was present."})
    assert queried.status_code == 200, queried.text
    found = new_records(world.services, before)
    assert [(r["method"], r["status"], r["revision"]) for r in found] == [("POST", 200, 1)]


def test_admin_writes_are_audited_with_their_target(world: World) -> None:
    before = len(records(world.services))
    made = world.client.simulate_post("/v1/admin/tokens", headers=auth(world.admin),
                                      json={"name": "chair", "role": "panel", "reviews": [REF]})
    revoked = world.client.simulate_delete(f"/v1/admin/tokens/{made.json['id']}",
                                           headers=auth(world.admin))
    disabled = world.client.simulate_post("/v1/admin/plugins/testing/disable",
                                          headers=auth(world.admin))
    assert (made.status_code, revoked.status_code, disabled.status_code) == (201, 200, 200)
    found = new_records(world.services, before)
    assert [(r["status"], r["target"]) for r in found] == [
        (201, made.json["id"]), (200, made.json["id"]), (200, "testing")]
    assert made.json["token"] not in str(found)


@pytest.mark.parametrize("path", CONTENT_READS)
def test_reading_return_content_needs_a_purpose(world: World, path: str) -> None:
    world.put(document())
    for headers in ({}, {"X-Purpose": "  "}, {"X-Purpose": "x\x01y"}):
        response = world.client.simulate_get(path, headers=auth(world.panel, **headers))
        assert response.status_code == 400, headers
        assert "X-Purpose" in response.json["detail"]
        assert "document" not in response.json
    assert world.get(path, token=world.panel).status_code == 200
    assert records(world.services)[-1]["purpose"] == PURPOSE


def test_purpose_is_asked_only_after_authentication(world: World) -> None:
    assert world.client.simulate_get(RETURN).status_code == 401
    assert world.client.simulate_get(RETURN, headers=auth(world.other)).status_code == 400


def test_other_reads_need_no_purpose(world: World) -> None:
    for path in (f"/v1/reviews/{REF}", f"/v1/reviews/{REF}/returns", "/v1/agencies"):
        assert world.client.simulate_get(path, headers=auth(world.panel)).status_code == 200


@pytest.mark.parametrize("path", CONTENT_READS)
def test_a_read_whose_audit_cannot_be_written_is_503_without_data(world: World,
                                                                  path: str) -> None:
    world.put(document(description="Only the panel may read this sentence."))
    assert world.get(path, token=world.panel).status_code == 200
    before = len(records(world.services))
    fail_audit_inserts(world.services.store)
    response = world.get(path, token=world.panel)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "Only the panel" not in response.text and "document" not in response.json
    assert "ETag" not in response.headers
    assert response.json["instance"] == response.headers["X-Request-ID"]
    assert len(records(world.services)) == before


def test_a_write_whose_audit_cannot_be_written_stores_nothing(world: World) -> None:
    fail_audit_inserts(world.services.store)
    response = world.put(document())
    assert response.status_code == 503
    with world.services.store.read() as tx:
        assert tx.conn.execute(sa.text("SELECT count(*) FROM revisions")).scalar_one() == 0


@pytest.fixture
def impatient(settings: Settings, test_host: PluginHost, clock: Clock) -> Iterator[Services]:
    """Services that give up on a locked SQLite database after 0.2 s."""
    if not settings.is_sqlite:
        pytest.skip("a held write lock blocks only SQLite writers")
    store = Store(make_engine(settings.database_url, busy_timeout=0.2))
    yield build_services(settings, host=test_host, store=store, clock=clock)
    store.engine.dispose()


def test_a_read_is_503_while_the_database_refuses_writes(impatient: Services) -> None:
    world = World(impatient, TestClient(create_app(services=impatient)))
    world.put(document(description="Held back while the log is unavailable."))
    assert world.get(token=world.panel).status_code == 200  # the token's use is recorded
    blocker = make_engine(impatient.settings.database_url)
    try:
        with blocker.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():  # BEGIN IMMEDIATE: another process holds the write lock
                response = world.get(token=world.panel)
    finally:
        blocker.dispose()
    assert response.status_code == 503
    assert "Held back" not in response.text
    assert world.get(token=world.panel).status_code == 200


def test_admin_audit_filters_and_pages(world: World) -> None:
    s = world.services
    world.put(document())
    world.get(token=world.panel)
    world.get(token=world.other)  # 404
    world.get(token=world.agency)
    admin_id, panel_id = token_id(s, world.admin), token_id(s, world.panel)

    def query(**params: Any) -> dict[str, Any]:
        response = world.client.simulate_get("/v1/admin/audit", params=params,
                                             headers=auth(world.admin))
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json
        return found

    everything = records(s)
    assert [i["id"] for i in query(limit=500)["items"]] == [r["id"] for r in everything]
    assert {i["token_id"] for i in query(token_id=panel_id)["items"]} == {panel_id}
    assert [i["status"] for i in query(outcome="404")["items"]] == [404]
    assert all(i["status"] >= 400 for i in query(outcome="refused")["items"])
    assert all(200 <= i["status"] < 300 for i in query(outcome="2xx")["items"])
    assert all(i["agency"] == "testing" for i in query(agency="testing")["items"])
    assert query(review=REF)["items"] and query(review="NOPE")["items"] == []
    assert query(to="2026-11-26T09:00:00Z")["items"] == []  # the clock stands at 10:00
    so_far = len(records(s))  # each query is recorded too, after its own answer is made
    assert len(query(**{"from": "2026-11-26"})["items"]) == so_far
    pages, cursor = [], None
    while True:
        page = query(limit=2, token_id=admin_id, **({"cursor": cursor} if cursor else {}))
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [i["id"] for p in pages for i in p]
    assert ids == sorted(ids) and len(pages) > 1
    assert all(len(p) <= 2 for p in pages)
    for bad in ({"outcome": "teapot"}, {"from": "yesterday"}, {"to": "2026-11-26T10:00:00"}):
        response = world.client.simulate_get("/v1/admin/audit", params=bad,
                                             headers=auth(world.admin))
        assert response.status_code == 400, bad
    response = world.client.simulate_get("/v1/admin/audit", headers=auth(world.panel))
    assert response.status_code == 403


@pytest.mark.parametrize("query", ["from=9999-12-31T23:59:59-05:00",
                                   "to=0001-01-01T00:00:00%2B05:00", "from=yesterday"])
def test_an_impossible_time_filter_is_400(world: World, query: str) -> None:
    assert world.get(f"/v1/admin/audit?{query}").status_code == 400


def test_an_entry_whose_transaction_rolls_back_is_not_taken_as_written(world: World) -> None:
    from scr_returns.core.audit import AuditEntry

    entry = AuditEntry(request_id="r-rollback", method="PUT", route="/x")
    with pytest.raises(RuntimeError), world.services.store.write() as tx:
        entry.append(tx, 200, world.services.clock())
        assert entry.appended is not None
        raise RuntimeError("the commit fails")
    assert entry.appended is None
