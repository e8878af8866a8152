"""Crash: SIGKILL gunicorn workers (and the master once) under load; nothing is lost.

A few client threads amend several returns over HTTP, each request with its
own ``Idempotency-Key`` and a unique marker in its document, while random
workers are SIGKILLed every 0.5-2 s and the master once (then the server is
restarted on the same data and port). A client retries a request that got no
answer (connection error, timeout, 5xx) with the same key. Afterwards the
database must hold exactly the requests that were answered 2xx, each once, at
the revision its answer named, with gapless revision numbers; SQLite's
integrity check passes and the audit chain verifies.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from scr_returns.core.storage import make_engine
from tests.support.fault_harness import (
    Instance,
    audit_verifies,
    bearer,
    check_revisions,
    marked,
    new_marker,
    open_world,
)

CHAOS_SECONDS = 20.0
CLIENTS = 3
REQUEST_DEADLINE = 120.0  # per request, retries included: covers a master restart
IMPATIENT = 0.2
"""Share of requests whose first attempt gives up reading the answer after 10 ms: the
server usually commits anyway, so the retry must get the stored answer, not a new revision."""


@dataclass
class Sent:
    marker: str
    key: str
    ref: str
    status: int | None = None
    revision: int | None = None
    attempts: int = 0
    replayed: bool = False


@dataclass
class Tally:
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    transport_errors: int = 0
    server_errors: dict[int, int] = field(default_factory=dict)

    def add(self, item: Sent) -> None:
        with self.lock:
            self.sent.append(item)

    def failed(self, status: int | None) -> None:
        with self.lock:
            if status is None:
                self.transport_errors += 1
            else:
                self.server_errors[status] = self.server_errors.get(status, 0) + 1


def submit(http: httpx.Client, path: str, token: str, item: Sent, document: dict[str, object],
           tally: Tally) -> None:
    """PUT until answered below 500 (the same key every time) or the deadline passes."""
    deadline = time.monotonic() + REQUEST_DEADLINE
    headers = bearer(token, **{"If-Match": "*", "Idempotency-Key": item.key})
    impatient = random.random() < IMPATIENT
    while time.monotonic() < deadline:
        item.attempts += 1
        timeout = httpx.Timeout(30, read=0.01) if impatient and item.attempts == 1 else 30
        try:
            answer = http.put(path, json={"document": document}, headers=headers,
                              timeout=timeout)
        except httpx.TransportError:
            tally.failed(None)
        else:
            if answer.status_code < 500:
                item.status = answer.status_code
                if answer.status_code < 300:
                    item.revision = answer.json()["revision"]
                    item.replayed = answer.headers.get("Idempotent-Replayed") == "true"
                return
            tally.failed(answer.status_code)
        time.sleep(random.uniform(0.05, 0.3))


def client(url: str, token: str, paths: dict[str, str], example: dict[str, object],
           stop: threading.Event, tally: Tally) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        while not stop.is_set():
            ref = random.choice(list(paths))
            item = Sent(marker=new_marker(), key=f"crash-{uuid.uuid4().hex}", ref=ref)
            tally.add(item)
            submit(http, paths[ref], token, item, marked(example, item.marker), tally)


@pytest.mark.slow
def test_sigkill_workers_and_master_lose_nothing(tmp_path: Path) -> None:
    instance = Instance(tmp_path, workers=3)
    instance.start()
    tally, stop = Tally(), threading.Event()
    worker_kills = master_kills = 0
    threads: list[threading.Thread] = []
    try:
        world = open_world(instance.url, instance.admin_token(),
                           [f"CRASH-2026-0{i}" for i in range(1, 4)])
        paths = {ref: world.path(ref) for ref in world.refs}
        with httpx.Client(base_url=instance.url, timeout=60) as http:
            for path in paths.values():  # the first revisions, before any fault
                first = http.put(path, json={"document": world.example},
                                 headers=bearer(world.token))
                assert first.status_code == 201, first.text
        threads = [threading.Thread(target=client, args=(instance.url, world.token, paths,
                                                         world.example, stop, tally))
                   for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        while time.monotonic() - started < CHAOS_SECONDS:
            time.sleep(random.uniform(0.5, 2.0))
            if master_kills == 0 and time.monotonic() - started > CHAOS_SECONDS / 2:
                instance.kill_master()
                master_kills += 1
                instance.start()  # same data, same port: clients' retries find it again
                continue
            workers = instance.worker_pids()
            if workers:
                try:
                    os.kill(random.choice(workers), signal.SIGKILL)
                    worker_kills += 1
                except ProcessLookupError:
                    pass
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_DEADLINE + 30)
        assert not any(t.is_alive() for t in threads), "a client is stuck"
    finally:
        stop.set()
        instance.stop()

    sent = tally.sent
    unanswered = [s for s in sent if s.status is None]
    refused = [s for s in sent if s.status is not None and s.status >= 300]
    accepted = [s for s in sent if s.status is not None and s.status < 300]
    retried = sum(s.attempts - 1 for s in sent)
    print(f"\ncrash: {len(sent)} requests, {len(accepted)} accepted "
          f"({sum(s.replayed for s in accepted)} by idempotent replay), {retried} retries "
          f"({tally.transport_errors} connection errors, 5xx {tally.server_errors}), "
          f"{worker_kills} worker kills, {master_kills} master kill")
    assert worker_kills >= 5 and master_kills == 1
    assert not unanswered, f"{len(unanswered)} requests never answered"
    assert not refused, [(s.status, s.marker) for s in refused]
    assert retried > 0, "no request was interrupted: the faults did not bite"
    assert any(s.replayed for s in accepted), "no retry met a committed first attempt"
    assert len(accepted) >= 30, "too little load to show anything"

    engine = make_engine(f"sqlite:///{tmp_path / 'scr-returns.sqlite3'}")
    try:
        where = check_revisions(engine)
        # Exactly the answered requests are stored, each once, where its answer said.
        assert set(where) == {s.marker for s in accepted}
        for s in accepted:
            (ref, _agency, _form), number = where[s.marker]
            assert (ref, number) == (s.ref, s.revision), s
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            stored = dict(conn.execute(sa.text(
                "SELECT key, facts FROM idempotency WHERE key LIKE 'crash-%'")).all())
        # Every key answered once and remembered with the answer the client got.
        assert set(stored) == {s.key for s in accepted}
        for s in accepted:
            assert json.loads(stored[s.key])["revision"] == s.revision
        audit_verifies(engine, instance)
    finally:
        engine.dispose()
