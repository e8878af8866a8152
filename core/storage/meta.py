"""The service's own state: which plugins are enabled, and whether the schema is current."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from scr_returns.core.storage import tables as t
from scr_returns.core.storage.migrate import is_current
from scr_returns.core.storage.sql import upsert


class MetaQueries:
    """The service's own state (mixed into the store's Tx)."""

    conn: sa.Connection

    def plugin_states(self) -> dict[str, bool]:
        rows = self.conn.execute(sa.select(t.plugin_state.c.name, t.plugin_state.c.enabled))
        return {name: bool(enabled) for name, enabled in rows}

    def set_plugin_state(self, name: str, enabled: bool, *, by: str | None,
                         now: datetime) -> None:
        values = {"enabled": enabled, "changed_at": now, "changed_by": by}
        self.conn.execute(upsert(self.conn, t.plugin_state, {"name": name, **values}, ["name"],
                                 values))

    def schema_current(self) -> bool:
        """True when the database is at the newest migration."""
        return is_current(self.conn)
