"""Review-state events of a return: appended, never changed (see migration 0003)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core.storage import tables as t
from core.storage.store import Tx


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


def append_event(tx: Tx, return_id: int, event: EventRecord) -> None:
    tx.conn.execute(_INSERT, {
        "return_id": return_id, "revision": event.revision, "action": event.action,
        "from_state": event.from_state, "to_state": event.to_state, "comment": event.comment,
        "by": event.by, "at": event.at})


_INSERT = t.return_events.insert()  # built once; parameters bound per call


def set_state(tx: Tx, return_id: int, state: str, now: datetime) -> None:
    tx.conn.execute(t.returns.update().where(t.returns.c.id == return_id)
                    .values(state=state, updated_at=now))


def events(tx: Tx, return_id: int) -> list[EventRecord]:
    """Every event of the return, oldest first."""
    e = t.return_events
    rows = tx.conn.execute(
        sa.select(e.c.revision, e.c.action, e.c.from_state, e.c.to_state, e.c.comment, e.c.by,
                  e.c.at).where(e.c.return_id == return_id).order_by(e.c.id)).mappings()
    return [EventRecord(**row) for row in rows]


def last_event(tx: Tx, return_id: int) -> EventRecord | None:
    e = t.return_events
    row = tx.conn.execute(
        sa.select(e.c.revision, e.c.action, e.c.from_state, e.c.to_state, e.c.comment, e.c.by,
                  e.c.at).where(e.c.return_id == return_id).order_by(e.c.id.desc()).limit(1)
    ).mappings().first()
    return EventRecord(**row) if row else None
