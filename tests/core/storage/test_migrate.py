"""Migrations: they build exactly the tables the code describes, on every database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.storage import make_engine, upgrade
from core.storage.migrate import alembic_config, head, is_current
from core.storage.tables import metadata


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
