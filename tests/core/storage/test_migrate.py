"""Migrations: they build exactly the tables the code describes, on every database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import falcon
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from scr_returns.core.http.resources.returns import send_submitted
from scr_returns.core.service.returns import Submitted
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine, upgrade
from scr_returns.core.storage.migrate import alembic_config, head, is_current
from scr_returns.core.storage.tables import metadata
from tests.support.clock import Clock
from tests.support.panel import entry, make_services, open_review, submit


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


def test_the_migrated_database_matches_the_tables(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_the_comparison_can_see_a_difference(engine: sa.Engine) -> None:
    extra = sa.MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extra)
    sa.Table("not_migrated", extra, sa.Column("id", sa.Integer, primary_key=True))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), extra)
    assert [d[0] for d in diff] == ["add_table"]


def test_is_current(engine: sa.Engine) -> None:
    assert head() is not None
    with engine.connect() as conn:
        assert is_current(conn)
    command.downgrade(alembic_config(engine), "base")
    with engine.connect() as conn:
        assert not is_current(conn)
        assert "revisions" not in sa.inspect(conn).get_table_names()
    upgrade(engine)
    with engine.connect() as conn:
        assert is_current(conn)


def test_upgrade_is_idempotent(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.connect() as conn:
        assert is_current(conn)
        assert set(metadata.tables) <= set(sa.inspect(conn).get_table_names())


def test_an_empty_database_is_not_current() -> None:
    empty = make_engine("sqlite://")
    try:
        with empty.connect() as conn:
            assert not is_current(conn)
    finally:
        empty.dispose()


OLD_BODY = ('{"review":"IOW-2026-01","agency":"health","form":"chronology","state":"submitted",'
            '"revision_created":true,"revision":1,"schema_version":1,'
            '"submitted_at":"2026-11-26T10:00:00+00:00","submitted_by":"tok_0123456789abcdef",'
            '"warnings":[{"pointer":"/entries","code":"chronology.gap.unexplained",'
            '"message":"A gap.","severity":"warning","source":"health"}]}')
OLD_HEADERS = {"ETag": '"1-0123456789abcdef0123"',
               "Location": "/v1/reviews/IOW-2026-01/returns/health/chronology"}


def _old_answers(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT key, status, headers, body FROM idempotency ORDER BY key"))]


def test_stored_answers_become_facts_that_render_the_same_answer(engine: sa.Engine) -> None:
    """0004: an answer stored before it is replayed byte for byte after it, and back."""
    command.downgrade(alembic_config(engine), "0003")
    idempotency = sa.table("idempotency", *(sa.column(c) for c in (
        "token_id", "key", "fingerprint", "status", "headers", "body", "created_at")))
    with engine.begin() as conn:
        conn.execute(idempotency.insert().values(
            token_id="tok_0123456789abcdef", key="k-1", fingerprint="f" * 64, status=201,
            headers=json.dumps(OLD_HEADERS), body=OLD_BODY,
            created_at=datetime(2026, 11, 26, 10, tzinfo=UTC).replace(tzinfo=None)))
    before = _old_answers(engine)
    upgrade(engine)
    with Store(engine).read() as tx:
        stored = tx.stored_facts("tok_0123456789abcdef", "k-1")
    assert stored is not None and stored.fingerprint == "f" * 64
    resp = falcon.Response()
    send_submitted(resp, Submitted.replay(stored.facts))
    assert (resp.status, resp.text) == (201, OLD_BODY)
    assert {k: resp.headers[k.lower()] for k in OLD_HEADERS} == OLD_HEADERS
    command.downgrade(alembic_config(engine), "0003")
    assert _old_answers(engine) == before
    upgrade(engine)


def _own_keys(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(
            "SELECT entry_id, own_keys FROM chronology_entries WHERE agency = 'beta'")).all())


def test_own_keys_name_an_objects_parts_after_0005_and_fields_before(
        settings: Settings, clock: Clock) -> None:
    """0005_forms: the CSV columns of entries stored before it are each object's parts."""
    services = make_services(settings, clock)
    try:
        open_review(services)
        submit(services, "beta", {"entries": [
            entry("b1", "2024-03-01", risk_level="high", referral={"made": True},
                  people=[{"subject": "mother", "number": "1"}, {"subject": "father"}]),
            entry("b2", "2024-04-01")]})
        engine = services.store.engine
        after = {"b1": "|people.number|people.subject|referral.made|risk_level|", "b2": ""}
        assert _own_keys(engine) == after
        command.downgrade(alembic_config(engine), "0004")
        assert _own_keys(engine) == {"b1": "|people|referral|risk_level|", "b2": ""}
        upgrade(engine)
        assert _own_keys(engine) == after
    finally:
        services.store.engine.dispose()
