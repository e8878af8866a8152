"""Storage: tables, migrations and the store (SQLAlchemy Core, Alembic)."""

from __future__ import annotations

from core.storage.engine import make_engine
from core.storage.migrate import upgrade
from core.storage.store import Store

__all__ = ["Store", "make_engine", "upgrade"]
