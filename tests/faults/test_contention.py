"""Contention: many processes amend the same few returns at once.

Through the service layer (separate processes, each with its own engine) and
over HTTP (a served instance with several gunicorn workers): writers queue on
the database's locks, so no "database is locked" reaches a caller as a 500
(503 with ``Retry-After`` at worst); an amendment whose ``If-Match`` names an
older revision answers 412 and stores nothing; revision numbers run without
gaps or repeats; each accepted amendment is stored once, at the revision its
answer names. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from falcon.testing import TestClient

from scr_returns.core.bootstrap import build_services
from scr_returns.core.errors import PreconditionFailedError
from scr_returns.core.http import create_app
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service.returns import etag
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine, upgrade
from tests import testplugin
from tests.support.fault_harness import (
    Instance,
    bearer,
    check_revisions,
    marked,
    new_marker,
    open_world,
)
from tests.support.http_world import REVIEW, auth

PROCESSES = 6
ROUNDS = 15  # amendments per process
HTTP_CLIENTS = 8
HTTP_ROUNDS = 12  # amendments per HTTP client
STALE = 0.25  # share of amendments sent with an old ETag on purpose
REFS = [f"LOCK-2026-0{i}" for i in range(1, 4)]
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


def _services(url: str, data_dir: Path, busy_timeout: float = 30.0) -> Any:
    settings = Settings(data_dir=data_dir, database_url=url, production=True,
                        plugin_refresh_seconds=0.5, sqlite_busy_timeout=busy_timeout)
    host = PluginHost(entry_points=False, extra={"testing": testplugin})
    store = Store(make_engine(url, busy_timeout=busy_timeout))
    return build_services(settings, host=host, store=store, clock=fixed_clock)


def amend_in_process(url: str, data_dir: str, secret: str, stale: dict[str, str],
                     seed: int) -> list[dict[str, Any]]:
    """One writer process: read the ETag, amend with it (or, on purpose, with a stale one)."""
    rng = random.Random(seed)
    services = _services(url, Path(data_dir))
    try:
        principal = services.tokens.authenticate(secret)
        done = []
        for _ in range(ROUNDS):
            ref = rng.choice(REFS)
            kind = "stale" if rng.random() < STALE else "fresh"
            if kind == "stale":
                tag = stale[ref]
            else:
                rev = services.returns.latest(principal, ref, "testing", "chronology").revision
                tag = etag(rev.number, rev.sha256)
            marker = new_marker()
            outcome: dict[str, Any] = {"kind": kind, "marker": marker, "ref": ref}
            try:
                answer = services.returns.submit(
                    principal, ref, "testing", "chronology",
                    {"document": marked(testplugin._example(), marker)}, if_match=tag,
                    idempotency_key=f"lock-{uuid.uuid4().hex}")
            except PreconditionFailedError:
                outcome["status"] = 412
            except sa.exc.OperationalError as exc:  # the HTTP layer's 503
                outcome["status"] = 503
                outcome["error"] = str(exc.orig)
            except Exception as exc:  # anything else would be a 500
                outcome["status"] = 500
                outcome["error"] = repr(exc)
            else:
                outcome["status"] = 201 if answer.created else 200
                outcome["revision"] = answer.revision.number
            done.append(outcome)
        return done
    finally:
        services.store.engine.dispose()


def _first_two_revisions(put: Any) -> dict[str, str]:
    """Revisions 1 and 2 of every return; answers revision 1's (soon stale) ETag per review."""
    stale = {}
    for ref in REFS:
        first = put(ref, None)
        assert first[0] == 201, first
        stale[ref] = first[1]
        second = put(ref, first[1])
        assert second[0] == 200, second
    return stale


def check_outcomes(outcomes: list[dict[str, Any]], engine: sa.Engine) -> Counter[str]:
    tally = Counter(f"{o['kind']} {o['status']}" for o in outcomes)
    assert not [o for o in outcomes if o["status"] == 500], outcomes
    assert {o["status"] for o in outcomes if o["kind"] == "stale"} <= {412, 503}, tally
    assert {o["status"] for o in outcomes if o["kind"] == "fresh"} <= {200, 412, 503}, tally
    assert tally["stale 412"] > 0 and tally["fresh 200"] > 0, tally
    where = check_revisions(engine)
    accepted = [o for o in outcomes if o["status"] == 200]
    assert set(where) == {o["marker"] for o in accepted}, "refused amendments stored, or " \
                                                          "accepted ones lost"
    for o in accepted:
        assert where[o["marker"]][0][0] == o["ref"] and where[o["marker"]][1] == o["revision"]
    return tally


@pytest.mark.slow
def test_processes_amending_through_the_service_layer(database_url: str,
                                                      tmp_path: Path) -> None:
    services = _services(database_url, tmp_path)
    try:
        client = TestClient(create_app(services=services))
        admin = services.tokens.create(name="admin", role="admin")[0]
        for ref in REFS:
            opened = client.simulate_post("/v1/reviews", json={**REVIEW, "ref": ref},
                                          headers=auth(admin))
            assert opened.status_code == 201, opened.text
        secret = services.tokens.create(name="testing", role="agency", agency="testing",
                                        reviews=REFS)[0]

        def put(ref: str, tag: str | None) -> tuple[int, str]:
            extra = {"If-Match": tag} if tag else {}
            answer = client.simulate_put(
                f"/v1/reviews/{ref}/returns/testing/chronology",
                json={"document": marked(testplugin._example(), "setup-" + uuid.uuid4().hex)},
                headers=auth(secret, **extra))
            return answer.status_code, answer.headers.get("ETag", answer.text)

        stale = _first_two_revisions(put)
    finally:
        services.store.engine.dispose()

    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(PROCESSES) as pool:
        results = pool.starmap(amend_in_process, [
            (database_url, str(tmp_path), secret, stale, seed) for seed in range(PROCESSES)],
            chunksize=1)
    outcomes = [o for batch in results for o in batch]
    engine = make_engine(database_url)
    try:
        tally = check_outcomes(outcomes, engine)
    finally:
        engine.dispose()
    print(f"\ncontention, service layer, {PROCESSES} processes: {dict(tally)}")


@pytest.mark.slow
def test_clients_amending_over_http(database_url: str, tmp_path: Path) -> None:
    instance = Instance(tmp_path, workers=3,
                        env_extra={"SCR_RETURNS_DATABASE_URL": database_url})
    instance.start()
    outcomes: list[dict[str, Any]] = []
    missing_retry_after: list[str] = []
    lock = threading.Lock()
    try:
        world = open_world(instance.url, instance.admin_token(), REFS)
        read = bearer(world.token, **{"X-Purpose": "fault test reads the current ETag"})

        def put(ref: str, tag: str | None) -> tuple[int, str]:
            extra = {"If-Match": tag} if tag else {}
            answer = httpx.put(instance.url + world.path(ref), timeout=60,
                               json={"document": marked(world.example, new_marker())},
                               headers=bearer(world.token, **extra))
            return answer.status_code, answer.headers.get("ETag", answer.text)

        stale = _first_two_revisions(put)
        # Those two setup revisions carry markers too: count them as accepted.
        engine = make_engine(database_url)
        try:
            for marker, ((ref, _, _), number) in check_revisions(engine).items():
                outcomes.append({"kind": "setup", "marker": marker, "ref": ref,
                                 "status": 200, "revision": number})
        finally:
            engine.dispose()

        def amend(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=instance.url, timeout=60) as http:
                for _ in range(HTTP_ROUNDS):
                    ref = rng.choice(REFS)
                    kind = "stale" if rng.random() < STALE else "fresh"
                    tag = stale[ref] if kind == "stale" else \
                        http.get(world.path(ref), headers=read).headers["ETag"]
                    marker = new_marker()
                    answer = http.put(world.path(ref), json={
                        "document": marked(world.example, marker)}, headers=bearer(
                            world.token, **{"If-Match": tag,
                                            "Idempotency-Key": f"lock-{uuid.uuid4().hex}"}))
                    outcome = {"kind": kind, "marker": marker, "ref": ref,
                               "status": answer.status_code}
                    if answer.status_code == 200:
                        outcome["revision"] = answer.json()["revision"]
                    elif answer.status_code >= 500:
                        outcome["error"] = answer.text
                        if answer.status_code == 503 and not answer.headers.get("Retry-After"):
                            with lock:
                                missing_retry_after.append(answer.text)
                    with lock:
                        outcomes.append(outcome)

        threads = [threading.Thread(target=amend, args=(seed,)) for seed in range(HTTP_CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert not any(t.is_alive() for t in threads)
    finally:
        instance.stop()
    assert not missing_retry_after, "a 503 without Retry-After"
    engine = make_engine(database_url)
    try:
        tally = check_outcomes(outcomes, engine)
    finally:
        engine.dispose()
    tally.pop("setup 200", None)
    print(f"\ncontention, HTTP, {HTTP_CLIENTS} clients, 3 workers: {dict(tally)}")


def test_lock_outlasting_the_busy_timeout_answers_503(tmp_path: Path) -> None:
    """SQLite: a writer held past the busy timeout gets 503 with Retry-After, never a 500."""
    url = f"sqlite:///{tmp_path / 'locked.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    services = _services(url, tmp_path, busy_timeout=0.3)
    try:
        client = TestClient(create_app(services=services))
        admin = services.tokens.create(name="admin", role="admin")[0]
        assert client.simulate_post("/v1/reviews", json={**REVIEW, "ref": REFS[0]},
                                    headers=auth(admin)).status_code == 201
        secret = services.tokens.create(name="testing", role="agency", agency="testing",
                                        reviews=[REFS[0]])[0]
        path = f"/v1/reviews/{REFS[0]}/returns/testing/chronology"
        # Use the token once first, so that its last-used stamp is not what waits.
        assert client.simulate_get(path, headers=auth(secret, **{
            "X-Purpose": "warm up the token"})).status_code == 404
        holder = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            answer = client.simulate_put(path, json={"document": testplugin._example()},
                                         headers=auth(secret))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert answer.status_code == 503, answer.text
        assert answer.headers.get("Retry-After")
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert "locked" not in answer.text  # says "retry", not the database's words
        with services.store.read() as tx:
            review = tx.review(REFS[0])
            assert review is not None
            assert tx.get_return(review.id, "testing", "chronology") is None
        retried = client.simulate_put(path, json={"document": testplugin._example()},
                                      headers=auth(secret))
        assert retried.status_code == 201, retried.text
    finally:
        services.store.engine.dispose()
