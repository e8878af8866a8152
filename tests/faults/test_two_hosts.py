"""Two hosts: two separate ``scr-returns serve`` on one PostgreSQL database.

An admin's plugin switch made through one is honoured by every worker of the
other within a second, with no restart; submissions through both at once lose
nothing: every 2xx is stored exactly once, at the revision it names, and the
revision numbers have no gaps.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from scr_returns.core.storage import make_engine
from tests.support.fault_harness import (
    Instance,
    World,
    audit_verifies,
    bearer,
    check_revisions,
    marked,
    new_marker,
    open_world,
)
from tests.support.postgres import PG_URL
from tests.support.serving import which_worker

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not PG_URL, reason="SCR_RETURNS_TEST_POSTGRES is not set")]

REFS = [f"TWO-2026-0{i}" for i in range(1, 4)]
CLIENTS_PER_HOST = 3
ROUNDS = 15


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    # One audit key for both hosts, as docs/operations.md asks (the first start makes it).
    key = tmp_path_factory.mktemp("shared-key") / "audit.key"
    env = {"SCR_RETURNS_DATABASE_URL": url, "SCR_RETURNS_AUDIT_KEY_FILE": str(key)}
    one = Instance(tmp_path_factory.mktemp("host-one"), env_extra=env)
    two = Instance(tmp_path_factory.mktemp("host-two"), env_extra=env)
    try:
        one.start()  # migrates the fresh schema first
        two.start()
        yield one, two
    finally:
        one.stop()
        two.stop()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(scope="module")
def world(hosts: tuple[Instance, Instance]) -> World:
    one, _ = hosts
    return open_world(one.url, one.admin_token(), REFS)


def listed(host: Instance, admin: str, agency: str) -> tuple[bool, int]:
    """Whether ``agency`` is offered, and which worker said so (a new connection each time)."""
    with httpx.Client(base_url=host.url, timeout=30) as fresh:
        names = [a["name"] for a in
                 fresh.get("/v1/agencies", headers=bearer(admin)).json()["agencies"]]
        pid = which_worker(fresh, host.log)
    return agency in names, pid


@pytest.mark.slow
def test_plugin_switch_on_one_host_reaches_the_other_within_a_second(
        hosts: tuple[Instance, Instance], world: World) -> None:
    one, two = hosts
    agency = "police"  # not the agency the submissions below use
    for switch, expected in (("disable", False), ("enable", True)):
        changed = httpx.post(f"{one.url}/v1/admin/plugins/{agency}/{switch}",
                             headers=bearer(world.admin), timeout=30)
        assert changed.status_code == 200, changed.text
        assert changed.json()["enabled"] is expected
        time.sleep(1.0)
        pids: set[int] = set()
        sent = 0
        # Until every worker has answered (which one accepts is the kernel's choice).
        while sent < 30 or (len(pids) < two.workers and sent < 400):
            sent += 1
            present, pid = listed(two, world.admin, agency)
            pids.add(pid)
            assert present is expected, f"host two still shows {agency} " \
                                        f"{'enabled' if not expected else 'disabled'} " \
                                        "a second after the switch"
        assert len(pids) == two.workers, "every worker of host two should have answered"
    # A disabled agency is refused on the other host too, and its returns stay readable.
    httpx.post(f"{one.url}/v1/admin/plugins/{world.agency}/disable",
               headers=bearer(world.admin), timeout=30).raise_for_status()
    try:
        time.sleep(1.0)
        refused = httpx.put(two.url + world.path(REFS[0]), timeout=30,
                            json={"document": world.example}, headers=bearer(world.token))
        assert refused.status_code == 409, refused.text
    finally:
        httpx.post(f"{one.url}/v1/admin/plugins/{world.agency}/enable",
                   headers=bearer(world.admin), timeout=30).raise_for_status()
    time.sleep(1.0)


@pytest.mark.slow
def test_submissions_through_both_hosts_lose_nothing(hosts: tuple[Instance, Instance],
                                                     world: World) -> None:
    one, two = hosts
    accepted: list[tuple[str, str, int]] = []
    problems: list[str] = []
    retries = [0]
    lock = threading.Lock()
    for i, ref in enumerate(REFS):  # first revisions, alternately through each host
        marker = new_marker()
        first = httpx.put((one, two)[i % 2].url + world.path(ref), timeout=60,
                          json={"document": marked(world.example, marker)},
                          headers=bearer(world.token))
        assert first.status_code == 201, first.text
        accepted.append((marker, ref, first.json()["revision"]))

    def submit(url: str, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=url, timeout=60) as http:
            for _ in range(ROUNDS):
                ref, marker = rng.choice(REFS), new_marker()
                headers = bearer(world.token, **{"If-Match": "*",
                                                 "Idempotency-Key": f"two-{uuid.uuid4().hex}"})
                for _attempt in range(20):
                    try:
                        answer = http.put(world.path(ref), headers=headers,
                                          json={"document": marked(world.example, marker)})
                    except httpx.TransportError:
                        answer = None
                    if answer is not None and answer.status_code < 500:
                        break
                    with lock:
                        retries[0] += 1
                    time.sleep(0.2)
                with lock:
                    if answer is not None and answer.status_code in (200, 201):
                        accepted.append((marker, ref, answer.json()["revision"]))
                    else:
                        problems.append(answer.text if answer is not None else "no answer")

    threads = [threading.Thread(target=submit, args=(host.url, seed))
               for seed, host in enumerate([one, two] * CLIENTS_PER_HOST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads)
    assert not problems, problems
    url = one.env["SCR_RETURNS_DATABASE_URL"]
    engine = make_engine(url)
    try:
        where = check_revisions(engine)
        assert set(where) == {marker for marker, _, _ in accepted}
        for marker, ref, revision in accepted:
            assert where[marker][0][0] == ref and where[marker][1] == revision
        records = audit_verifies(engine, one)
    finally:
        engine.dispose()
    print(f"\ntwo hosts: {len(accepted)} submissions through "
          f"{len(threads)} clients on 2 hosts, {retries[0]} retries, "
          f"{records} audit records verified")
