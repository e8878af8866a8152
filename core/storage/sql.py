"""Small SQL helpers the query modules share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def param(column: sa.Column[Any], name: str | None = None) -> sa.ColumnElement[bool]:
    """``column = :name``, its value bound when the statement runs."""
    return column == sa.bindparam(name or column.name)


def upsert(conn: sa.Connection, table: sa.Table, values: Mapping[str, Any], keys: list[str],
           update: Mapping[str, Any]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, on SQLite and PostgreSQL alike."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values).on_conflict_do_update(
        index_elements=keys, set_=dict(update))


def insert_ignore(table: sa.Table, keys: list[str]) -> dict[str, Any]:
    """INSERT ... ON CONFLICT (keys) DO NOTHING, one statement per dialect, values bound later."""
    return {name: dialect.insert(table).on_conflict_do_nothing(index_elements=keys)
            for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}
