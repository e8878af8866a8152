"""The audit chain: appends, the database's refusals, and what verification catches.

Tampering needs the triggers gone: the tests drop them by direct SQL, as an
attacker with the database's owner rights would, then check that
``verify`` names the first bad record.
"""

from __future__ import annotations

import itertools
import multiprocessing
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from scr_returns.core.audit import (
    GENESIS,
    AuditEntry,
    current_head,
    parse_head,
    record_hash,
    verify_store,
)
from scr_returns.core.cli.main import main
from scr_returns.core.storage import Store, make_engine, tables
from scr_returns.core.storage.auditkey import AuditKeyError, AuditKeySource, create_key, read_key

AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(make_engine(database_url))
    yield store
    store.engine.dispose()


def append(store: Store, count: int, *, start: int = 0, route: str = "/v1/x") -> None:
    for i in range(start, start + count):
        entry = AuditEntry(request_id=f"req-{i:08d}", method="GET", route=route,
                           token_id="tok_0123456789abcdef", role="panel", review="IOW-2026-01",
                           agency="health", form="chronology", purpose="panel analysis")
        with store.write() as tx:
            entry.append(tx, 200, AT + timedelta(seconds=i))


def check(store: Store, head: str | None = None) -> tuple[int, Any]:
    with store.read() as tx:
        return verify_store(tx, parse_head(head) if head else None)


def head(store: Store) -> str:
    with store.read() as tx:
        return current_head(tx)


def rows(store: Store) -> list[dict[str, Any]]:
    with store.read() as tx:
        return list(tx.audit_chain(batch=3))  # a small batch also walks the paging


def tamper(store: Store, *statements: str | sa.TextClause, params: dict[str, Any] | None = None
           ) -> None:
    """Drop the triggers (as an owner could), then run ``statements``."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_immutable ON audit")
        for statement in statements:
            conn.execute(sa.text(statement) if isinstance(statement, str) else statement,
                         params or {})


def test_appends_make_a_chain_that_verifies(store: Store) -> None:
    assert check(store) == (0, None)
    assert head(store) == f"0:{GENESIS}"
    append(store, 7)
    records = rows(store)
    assert [r["id"] for r in records] == list(range(1, 8))
    assert records[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(records))
    assert all(record_hash(r) == r["hash"] for r in records)
    assert records[2]["at"] == AT + timedelta(seconds=2)  # round-trips exactly
    assert head(store) == f"7:{records[-1]['hash']}"
    assert check(store, head(store)) == (7, None)


@pytest.mark.parametrize("statement", [
    "UPDATE audit SET status = 500 WHERE id = 2",
    "UPDATE audit SET hash = prev_hash",
    "DELETE FROM audit WHERE id = 3",
    "DELETE FROM audit",
])
def test_the_database_refuses_update_and_delete(store: Store, statement: str) -> None:
    append(store, 3)
    before = rows(store)
    with pytest.raises(sa.exc.DBAPIError, match="immutable"), store.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert rows(store) == before


def test_postgres_refuses_truncate(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    append(store, 2)
    with pytest.raises(sa.exc.DBAPIError, match="immutable"), store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit")
    assert len(rows(store)) == 2


def test_an_edit_is_named(store: Store) -> None:
    append(store, 6)
    tamper(store, "UPDATE audit SET purpose = 'curiosity' WHERE id = 4")
    count, finding = check(store)
    assert finding is not None and finding.record == 4 and "changed" in finding.problem
    assert count == 4


def test_an_edit_with_its_hash_recomputed_is_named(store: Store) -> None:
    append(store, 6)
    forged = rows(store)[3]
    forged["status"] = 404  # hide that the read succeeded
    tamper(store, "UPDATE audit SET status = 404, hash = :hash WHERE id = 4",
           params={"hash": record_hash(forged)})
    _, finding = check(store)
    assert finding is not None and finding.record == 4, finding


def test_a_deletion_is_named(store: Store) -> None:
    append(store, 6)
    tamper(store, "DELETE FROM audit WHERE id = 3")
    _, finding = check(store)
    assert finding is not None and finding.record == 3 and "missing" in finding.problem


def test_an_insertion_in_the_middle_is_named(store: Store) -> None:
    append(store, 6)
    records = rows(store)
    # Make room after record 2 (one row at a time: ids are unique at every step).
    shifts = [f"UPDATE audit SET id = {n + 1} WHERE id = {n}" for n in range(6, 2, -1)]
    forged = {**records[2], "id": 3, "request_id": "forged-0001", "purpose": "alibi",
              "prev_hash": records[1]["hash"]}
    forged["hash"] = record_hash(forged)
    insert = sa.text("INSERT INTO audit (id, at, request_id, token_id, role, method, route, "
                     "review, agency, form, revision, target, status, purpose, prev_hash, hash) "
                     "VALUES (:id, :at, :request_id, :token_id, :role, :method, :route, :review, "
                     ":agency, :form, :revision, :target, :status, :purpose, :prev_hash, :hash)")
    tamper(store, *shifts)
    with store.engine.begin() as conn:
        conn.execute(insert.bindparams(sa.bindparam("at", type_=sa.DateTime())),
                     {**forged, "at": forged["at"].replace(tzinfo=None)})
    assert len(rows(store)) == 7
    _, finding = check(store)
    assert finding is not None and finding.record == 3, finding


def test_an_insertion_at_the_end_with_a_made_up_hash_is_named(store: Store) -> None:
    append(store, 3)
    records = rows(store)
    tamper(store, sa.text(
        "INSERT INTO audit (id, at, request_id, method, route, status, prev_hash, hash) "
        "VALUES (4, :at, 'forged-0002', 'GET', '/v1/x', 200, :prev, :hash)"),
        params={"at": AT.replace(tzinfo=None), "prev": records[-1]["hash"], "hash": "f" * 64})
    _, finding = check(store)
    assert finding is not None and finding.record == 4 and "changed" in finding.problem


def test_truncation_is_caught_against_the_exported_head(store: Store) -> None:
    append(store, 5)
    kept = head(store)
    tamper(store, "DELETE FROM audit WHERE id >= 4")
    assert check(store) == (3, None)  # a shorter chain is still a chain ...
    _, finding = check(store, kept)   # ... but not the one whose head was kept
    assert finding is not None and finding.record == 4 and "truncated" in finding.problem


def test_truncation_then_new_appends_is_caught_at_the_head(store: Store) -> None:
    append(store, 5)
    kept = head(store)
    tamper(store, "DELETE FROM audit WHERE id >= 4")
    append(store, 4, start=100)
    _, finding = check(store, kept)
    assert finding is not None and finding.record == 5 and "head" in finding.problem


def test_appends_after_the_head_are_legitimate(store: Store) -> None:
    append(store, 3)
    kept = head(store)
    append(store, 3, start=3)
    assert check(store, kept) == (6, None)


def test_threads_appending_at_once_leave_one_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            append(store, 15, start=n * 100)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert check(store) == (90, None)


def _process_appends(url: str, start: int) -> None:
    store = Store(make_engine(url))
    try:
        append(store, 15, start=start)
    finally:
        store.engine.dispose()


def test_processes_appending_at_once_leave_one_chain(database_url: str, store: Store) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_process_appends, args=(database_url, n * 100))
               for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * 4
    assert check(store) == (60, None)


def test_cli_head_and_verify(database_url: str, store: Store) -> None:
    append(store, 4)
    runner = CliRunner()
    env = {"SCR_RETURNS_DATABASE_URL": database_url}
    printed = runner.invoke(main, ["audit", "head"], env=env)
    assert printed.exit_code == 0, printed.output
    kept = printed.output.strip()
    assert kept == head(store)
    intact = runner.invoke(main, ["audit", "verify", "--head", kept], env=env)
    assert intact.exit_code == 0 and "4 records" in intact.output
    tamper(store, "UPDATE audit SET route = '/v1/elsewhere' WHERE id = 2")
    broken = runner.invoke(main, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert "record 2: changed" in broken.output
    tamper(store, "DELETE FROM audit WHERE id >= 2")
    truncated = runner.invoke(main, ["audit", "verify", "--head", kept], env=env)
    assert truncated.exit_code == 1 and "record 2: missing (truncated)" in truncated.output
    bad_head = runner.invoke(main, ["audit", "verify", "--head", "nonsense"], env=env)
    assert bad_head.exit_code == 2


# -- the keyed chain (HMAC, key outside the database) -------------------------------------

@pytest.fixture
def keyed(database_url: str, tmp_path: Path) -> Iterator[Store]:
    store = Store(make_engine(database_url), AuditKeySource(tmp_path / "audit.key"))
    yield store
    store.engine.dispose()


def forge_after(store: Store, *, secret: bytes | None = None, route: str = "/v1/alibi") -> int:
    """Append a record as someone with the database (and ``secret``, if given) would."""
    last = rows(store)[-1]
    forged: dict[str, Any] = {**last, "id": last["id"] + 1, "request_id": "forged-0009",
                              "route": route, "prev_hash": last["hash"], "replay_of": None}
    forged["hash"] = record_hash(forged, secret)
    with store.engine.begin() as conn:
        conn.execute(sa.insert(tables.audit).values(**forged))
    return int(forged["id"])


def test_a_keyed_chain_verifies_and_its_key_file_is_the_owners_alone(keyed: Store,
                                                                     tmp_path: Path) -> None:
    append(keyed, 5)
    path = tmp_path / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = read_key(path)
    assert key is not None and key.keyed_from == 1
    assert key.secret.hex() not in repr(key)
    records = rows(keyed)
    assert all(r["hash"] == record_hash(r, key.secret) != record_hash(r) for r in records)
    assert check(keyed, head(keyed)) == (5, None)


def test_a_record_forged_after_the_head_without_the_key_is_named(keyed: Store) -> None:
    append(keyed, 4)
    kept = head(keyed)
    forged = forge_after(keyed)  # plain SHA-256: all the database's owner can compute
    _, finding = check(keyed, kept)
    assert finding is not None and finding.record == forged and "forged" in finding.problem


def test_a_record_forged_with_another_key_is_named(keyed: Store) -> None:
    append(keyed, 3)
    forged = forge_after(keyed, secret=b"k" * 32)
    _, finding = check(keyed)
    assert finding is not None and finding.record == forged and "changed" in finding.problem


def test_records_before_the_key_are_accepted_plain_and_only_there(database_url: str,
                                                                  tmp_path: Path) -> None:
    plain = Store(make_engine(database_url))  # a release without keys wrote these
    append(plain, 3)
    keyed = Store(plain.engine, AuditKeySource(tmp_path / "audit.key"))
    append(keyed, 2, start=3)
    key = read_key(tmp_path / "audit.key")
    assert key is not None and key.keyed_from == 4
    assert check(keyed) == (5, None)
    forged = forge_after(keyed)
    _, finding = check(keyed)
    assert finding is not None and finding.record == forged and "forged" in finding.problem


def test_a_host_with_another_key_is_refused_before_it_forks_the_chain(
        keyed: Store, tmp_path: Path) -> None:
    append(keyed, 2)
    other = Store(keyed.engine, AuditKeySource(tmp_path / "other" / "audit.key"))
    with pytest.raises(AuditKeyError, match="copy the key file"):
        append(other, 1, start=2)  # no key of its own is made over a keyed log
    create_key(tmp_path / "other" / "audit.key", keyed_from=1)
    other = Store(keyed.engine, AuditKeySource(tmp_path / "other" / "audit.key"))
    with pytest.raises(AuditKeyError, match="same key file"):
        append(other, 1, start=2)
    assert check(keyed) == (2, None)


def test_a_key_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    create_key(path, keyed_from=1)
    path.chmod(0o640)
    with pytest.raises(AuditKeyError, match="chmod 600"):
        read_key(path)


def test_cli_verify_names_a_forged_record(database_url: str, keyed: Store,
                                          tmp_path: Path) -> None:
    append(keyed, 3)
    env = {"SCR_RETURNS_DATABASE_URL": database_url,
           "SCR_RETURNS_AUDIT_KEY_FILE": str(tmp_path / "audit.key")}
    assert CliRunner().invoke(main, ["audit", "verify"], env=env).exit_code == 0
    forged = forge_after(keyed)
    broken = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert f"record {forged}: forged" in broken.output
