"""Alembic environment: the engine comes from the caller (scr_returns.core.storage.migrate)."""

from __future__ import annotations

from alembic import context

from scr_returns.core.storage.engine import WRITE
from scr_returns.core.storage.tables import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    connection.execution_options(**{WRITE: True})
    with connection.begin():
        if connection.dialect.name == "postgresql":
            # Several hosts may start at once: one migrates, the others wait.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727372)")
        context.configure(connection=connection, target_metadata=metadata,
                          transaction_per_migration=False)
        context.run_migrations()
