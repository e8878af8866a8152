"""Storage: tables, migrations and the store (SQLAlchemy Core, Alembic)."""

from __future__ import annotations

from scr_returns.core.storage.engine import make_engine
from scr_returns.core.storage.migrate import upgrade
from scr_returns.core.storage.store import Store

__all__ = ["Store", "make_engine", "upgrade"]
