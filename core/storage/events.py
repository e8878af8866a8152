"""Review-state events of a return: appended, never changed (see migration 0003)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One transition: what was done, from and to which state, by whom, when and why."""

    revision: int
    action: str
    from_state: str | None
    to_state: str
    comment: str | None
    by: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"revision": self.revision, "action": self.action, "from": self.from_state,
                "to": self.to_state, "comment": self.comment, "by": self.by, "at": self.at}


class EventQueries:
    """Review-state events' part of a transaction (mixed into the store's Tx)."""

    conn: sa.Connection

    def append_event(self, return_id: int, event: EventRecord) -> None:
        self.conn.execute(_INSERT, {
            "return_id": return_id, "revision": event.revision, "action": event.action,
            "from_state": event.from_state, "to_state": event.to_state,
            "comment": event.comment, "by": event.by, "at": event.at})

    def set_state(self, return_id: int, state: str, now: datetime) -> None:
        self.conn.execute(_SET_STATE, {"id_": return_id, "state": state, "updated_at": now})

    def change_state(self, return_id: int, event: EventRecord) -> None:
        """Record ``event`` and put the return in its ``to_state``: one transition."""
        self.append_event(return_id, event)
        self.set_state(return_id, event.to_state, event.at)

    def events(self, return_id: int) -> list[EventRecord]:
        """Every event of the return, oldest first."""
        rows = self.conn.execute(_EVENTS.order_by(t.return_events.c.id),
                                 {"return_id": return_id}).mappings()
        return [EventRecord(**row) for row in rows]

    def last_event(self, return_id: int) -> EventRecord | None:
        row = self.conn.execute(_EVENTS.order_by(t.return_events.c.id.desc()).limit(1),
                                {"return_id": return_id}).mappings().first()
        return EventRecord(**row) if row else None


# Built once; parameters bound per call.
_e = t.return_events
_INSERT = _e.insert()
_SET_STATE = t.returns.update().where(t.returns.c.id == sa.bindparam("id_"))
_EVENTS = sa.select(_e.c.revision, _e.c.action, _e.c.from_state, _e.c.to_state, _e.c.comment,
                    _e.c.by, _e.c.at).where(_e.c.return_id == sa.bindparam("return_id"))
