"""The store: revisions are immutable in the database itself; SQLite is set up for safety."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from scr_returns.core.storage import Store, make_engine
from scr_returns.core.storage.records import ReturnRecord, TokenRecord
from scr_returns.core.storage.store import Tx

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    made = Store(make_engine(database_url))
    yield made
    made.engine.dispose()


def _review(tx: Tx, ref: str = "IOW-2026-01") -> int:
    return tx.insert_review({
        "ref": ref, "type": "cspr", "title": "Child A", "status": "open",
        "scope_from": date(2024, 1, 1), "scope_to": date(2025, 12, 31),
        "terms_of_reference": None, "subjects": [], "kloes": [], "created_at": NOW,
        "updated_at": NOW, "version": 1}, {"testing": {"chronology": date(2026, 2, 1)}})


def _revision(tx: Tx, ret: ReturnRecord, text: str = '{"entries":[]}') -> int:
    return tx.insert_revision(ret, schema_version=1, document=text, sha256="0" * 64,
                              warnings=[], by="tok_1", now=NOW).number


@pytest.fixture
def stored(store: Store) -> ReturnRecord:
    """A return with two revisions."""
    with store.write() as tx:
        review_id = _review(tx)
        ret = tx.lock_or_create_return(review_id, "testing", "chronology", NOW)
        _revision(tx, ret, '{"n":1}')
        ret = tx.lock_or_create_return(review_id, "testing", "chronology", NOW)
        _revision(tx, ret, '{"n":2}')
        found = tx.get_return(review_id, "testing", "chronology")
    assert found is not None
    return found


@pytest.mark.parametrize("sql", [
    "UPDATE revisions SET document = '{}'",
    "UPDATE revisions SET number = number + 10 WHERE number = 1",
    "DELETE FROM revisions",
    "DELETE FROM revisions WHERE number = 2",
])
def test_revisions_cannot_be_changed_even_by_direct_sql(store: Store, stored: ReturnRecord,
                                                        sql: str) -> None:
    with pytest.raises(sa.exc.DBAPIError, match="immutable"), store.engine.begin() as conn:
        conn.exec_driver_sql(sql)
    with store.read() as tx:
        assert [(r.number, r.document) for r in tx.revisions(stored.id)] == \
            [(1, '{"n":1}'), (2, '{"n":2}')]


def test_the_refusal_reads_as_english(store: Store, stored: ReturnRecord) -> None:
    # issue 17: it said "audit are immutable"
    with pytest.raises(sa.exc.DBAPIError, match=r"rows of revisions are immutable: "
                                                r"(DELETE|UPDATE) refused"), \
            store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM revisions")


@pytest.mark.parametrize("table", ["audit", "return_events", "chronology_entries"])
def test_every_append_only_table_words_its_refusal_so(store: Store, table: str) -> None:
    sqlite = store.engine.dialect.name == "sqlite"
    query = ("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"
             if sqlite else "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON "
             "n.oid = p.pronamespace WHERE p.proname = :name AND n.nspname = current_schema()")
    with store.engine.connect() as conn:
        found = conn.execute(sa.text(query), {
            "name": f"{table}_no_delete" if sqlite else f"{table}_immutable"}).scalar_one()
    assert f"rows of {table} are immutable" in found


def test_revisions_cannot_be_truncated_on_postgres(store: Store, stored: ReturnRecord) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(sa.exc.DBAPIError, match="immutable"), store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE revisions CASCADE")
    with store.read() as tx:
        assert len(tx.revisions(stored.id)) == 2


def test_returns_row_is_updated_by_new_revisions(store: Store, stored: ReturnRecord) -> None:
    assert stored.latest_revision == 2 and stored.state == "submitted"
    with store.read() as tx:
        rev = tx.revision(stored.id, 2)
        assert rev is not None and rev.document == '{"n":2}'
        assert rev.submitted_at == NOW and rev.submitted_at.tzinfo is not None
        assert tx.revision(stored.id, 3) is None


def test_a_revision_head_is_the_revision_without_its_document(store: Store,
                                                             stored: ReturnRecord) -> None:
    with store.read() as tx:
        head, rev = tx.revision_head(stored.id, 2), tx.revision(stored.id, 2)
        assert tx.revision_head(stored.id, 3) is None
    assert head is not None and rev is not None
    assert not hasattr(head, "document")
    assert {f: getattr(head, f) for f in head.__slots__} == \
        {f: getattr(rev, f) for f in head.__slots__}


def test_a_read_sees_one_state_of_the_database(store: Store, stored: ReturnRecord) -> None:
    """A change committed in the middle of a read is not seen by that read (both databases)."""
    with store.read() as tx:
        review = tx.review("IOW-2026-01")
        assert review is not None
        with store.write() as other:
            other.update_review(review.id, {"title": "Child B"}, None)
        again = tx.review("IOW-2026-01")
    assert again is not None and again.title == "Child A"
    with store.read() as tx:
        after = tx.review("IOW-2026-01")
    assert after is not None and after.title == "Child B"


def test_a_revision_number_is_never_reused(store: Store, stored: ReturnRecord) -> None:
    stale = ReturnRecord(**{**{f: getattr(stored, f) for f in stored.__slots__},
                            "latest_revision": 1})
    with pytest.raises(sa.exc.IntegrityError), store.write() as tx:
        _revision(tx, stale)


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sa.exc.IntegrityError), store.write() as tx:
        tx.lock_or_create_return(9999, "testing", "chronology", NOW)


def test_lock_or_create_return_is_idempotent(store: Store) -> None:
    with store.write() as tx:
        review_id = _review(tx)
        first = tx.lock_or_create_return(review_id, "testing", "chronology", NOW)
        again = tx.lock_or_create_return(review_id, "testing", "chronology",
                                         NOW + timedelta(days=1))
    assert first == again and first.latest_revision == 0


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive"), store.write() as tx:
        tx.set_plugin_state("testing", True, by=None, now=datetime(2026, 1, 1))


def test_plugin_state_upserts(store: Store) -> None:
    with store.write() as tx:
        tx.set_plugin_state("testing", False, by="tok_a", now=NOW)
        tx.set_plugin_state("testing", True, by="tok_b", now=NOW)
        tx.set_plugin_state("other", False, by=None, now=NOW)
    with store.read() as tx:
        assert tx.plugin_states() == {"testing": True, "other": False}


def test_tokens_round_trip_without_their_hash(store: Store) -> None:
    record = TokenRecord(id="tok_1", name="n", role="panel", agency=None,
                         reviews=["IOW-2026-01"], created_at=NOW,
                         expires_at=NOW + timedelta(days=90), revoked_at=None,
                         last_used_at=None)
    with store.write() as tx:
        tx.insert_token(record, "f" * 64)
    with store.write() as tx:
        assert tx.token_by_hash("f" * 64) == record
        assert tx.token_by_hash("e" * 64) is None
        assert tx.revoke_token("tok_1", NOW) is True
        assert tx.revoke_token("tok_1", NOW) is False  # the first revocation time stays
    with store.read() as tx:
        assert tx.token("tok_1").revoked_at == NOW  # type: ignore[union-attr]
        assert not hasattr(tx.tokens()[0], "secret_sha256")


def test_list_returns_pages_by_id(store: Store) -> None:
    with store.write() as tx:
        review_id = _review(tx)
        for form in ("a", "b", "c"):
            _revision(tx, tx.lock_or_create_return(review_id, "testing", form, NOW))
        tx.lock_or_create_return(review_id, "testing", "no-revision-yet", NOW)
    with store.read() as tx:
        first = tx.list_returns(review_id, limit=2)
        rest = tx.list_returns(review_id, after_id=first[-1]["id"])
        only_b = tx.list_returns(review_id, form="b")
    assert [r["form"] for r in first + rest] == ["a", "b", "c"]
    assert [r["form"] for r in only_b] == ["b"]


def test_a_failed_write_stores_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as tx:
        _review(tx)
        raise RuntimeError("abort")
    with store.read() as tx:
        assert tx.reviews() == []


# -- SQLite connection settings -----------------------------------------------------------
def _sqlite_only(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")


def test_sqlite_connections_are_safe(store: Store) -> None:
    _sqlite_only(store)
    with store.read() as tx:
        pragma = tx.conn.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 30_000


def test_sqlite_writers_take_the_lock_up_front(store: Store, database_url: str) -> None:
    _sqlite_only(store)
    impatient = Store(make_engine(database_url, busy_timeout=0.05))
    try:
        with store.write():
            # BEGIN IMMEDIATE: a second writer waits (here: gives up) at once...
            with pytest.raises(sa.exc.OperationalError, match="locked"), impatient.write():
                pass
            # ...while readers are not blocked (WAL).
            with impatient.read() as tx:
                assert tx.reviews() == []
    finally:
        impatient.engine.dispose()
