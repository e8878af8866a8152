"""The audit log: one hash-chained record per request, and its verification.

Each record's ``hash`` is an HMAC-SHA256, under a key kept outside the
database (core/storage/auditkey.py), of its own fields and the previous
record's hash, and ids run 1, 2, 3, ... without gaps, so that an edit, a
deletion or an insertion breaks the chain at a point :func:`verify` names, and
someone with the database but not the key cannot forge a record anywhere, after
the newest included. Truncation of the newest records leaves a valid but
shorter chain: it is caught against a head (``audit head``, ``id:hash``)
exported and kept elsewhere. Threat model: docs/operations.md, "The audit log".

A write's record is appended inside the write's own transaction
(:meth:`AuditEntry.append`); the HTTP layer appends every other record before
the answer leaves (core/http/audit.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from scr_returns.core.storage.audit import GENESIS, record_hash
from scr_returns.core.storage.auditkey import AuditKey
from scr_returns.core.storage.store import Tx

TEXT = {"request_id": 64, "token_id": 32, "role": 16, "method": 10, "route": 200,
        "review": 64, "agency": 40, "form": 40, "target": 200, "purpose": 500}
"""Text fields and their column sizes: what a caller sent is cut to fit, never refused."""
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clip(value: str | None, size: int) -> str | None:
    return None if value is None else CONTROL.sub("?", value)[:size]


@dataclass
class AuditEntry:
    """One request's record in the making: the HTTP layer fills what it knows.

    A service that writes data calls :meth:`append` inside its write
    transaction, so the record commits (or rolls back) with the data; the HTTP
    layer appends whatever was not appended that way once the status is known.
    """

    request_id: str
    method: str
    route: str
    token_id: str | None = None
    role: str | None = None
    review: str | None = None
    agency: str | None = None
    form: str | None = None
    revision: int | None = None
    target: str | None = None
    purpose: str | None = None
    replay_of: int | None = None
    """For an idempotent replay: the audit record of the first answer (0 if not noted)."""
    appended: dict[str, Any] | None = None
    """The record as stored, once appended."""

    def fields(self, status: int, at: datetime, **facts: Any) -> dict[str, Any]:
        """The record to chain (without id and hashes); ``facts`` override fields."""
        entry = replace(self, **facts) if facts else self
        return {"at": at, **{name: _clip(getattr(entry, name), size)
                             for name, size in TEXT.items()},
                "revision": entry.revision, "status": status, "replay_of": entry.replay_of}

    def appended_in(self, tx: Tx, record: dict[str, Any]) -> None:
        """Note that ``record``, this entry's, was chained in ``tx``."""
        self.appended = record
        # Rolled back with the data (a failed commit included): the request's
        # record must then be written by the HTTP layer after all.
        tx.on_rollback(lambda: setattr(self, "appended", None))

    def append(self, tx: Tx, status: int, at: datetime, **facts: Any) -> dict[str, Any]:
        """Chain this entry onto the log within ``tx``; ``facts`` override fields."""
        record = tx.append_audit(self.fields(status, at, **facts))
        self.appended_in(tx, record)
        return record


@dataclass(frozen=True)
class Finding:
    """The first bad record of a chain and what is wrong with it."""

    record: int
    problem: str

    def __str__(self) -> str:
        return f"record {self.record}: {self.problem}"


def parse_head(text: str) -> tuple[int, str]:
    """``id:hash`` as printed by ``scr-returns audit head``."""
    number, _, digest = text.strip().partition(":")
    if not number.isdigit() or len(digest) != 64:
        raise ValueError("a head is '<id>:<64 hex digits>', as 'audit head' prints it")
    return int(number), digest.lower()


def verify(records: Iterable[Mapping[str, Any]], head: tuple[int, str] | None = None,
           key: AuditKey | None = None) -> tuple[int, Finding | None]:
    """Walk the chain in id order: (records checked, the first bad record or None).

    With ``key``, a record from ``key.keyed_from`` on must be keyed with it;
    one before may be keyed or plain (written before the key existed).
    """
    prev: Mapping[str, Any] | None = None
    count = 0
    for record in records:
        count += 1
        finding = _check(record, prev, key)
        if finding is not None:
            return count, finding
        if head is not None and record["id"] == head[0] and record["hash"] != head[1]:
            return count, Finding(head[0], "differs from the exported head")
        prev = record
    last = prev["id"] if prev else 0
    if head is not None and last < head[0]:
        return count, Finding(last + 1, f"missing (truncated): the exported head is record "
                                        f"{head[0]}, the log ends at {last}")
    return count, None


def _check(record: Mapping[str, Any], prev: Mapping[str, Any] | None,
           key: AuditKey | None) -> Finding | None:
    expected = prev["id"] + 1 if prev else 1
    if record["id"] != expected:
        what = "missing (deleted)" if record["id"] > expected else "out of sequence"
        return Finding(expected, f"{what}: the next record found is {record['id']}")
    if record["prev_hash"] != (prev["hash"] if prev else GENESIS):
        # This record is chained to something other than the record before it:
        # that one was rewritten or put in (or this one's link was edited).
        return Finding(max(expected - 1, 1), f"changed or inserted: record {record['id']} "
                                             "was chained to a different record")
    if key is not None and record_hash(record, key.secret) == record["hash"]:
        return None
    plain = record_hash(record) == record["hash"]
    if plain and (key is None or record["id"] < key.keyed_from):
        return None
    if plain:
        return Finding(record["id"], "forged: chained without the audit key, by someone "
                                     "with the database but not the key")
    if key is None:
        return Finding(record["id"], "changed, or chained with an audit key this command "
                                     "does not have")
    return Finding(record["id"], "changed: its contents no longer match its hash")


def verify_store(tx: Tx, head: tuple[int, str] | None = None) -> tuple[int, Finding | None]:
    """Verify the log as stored, with the store's audit key if it has one; see :func:`verify`."""
    key = tx.audit_keys.existing() if tx.audit_keys is not None else None
    return verify(tx.audit_chain(), head, key)


def current_head(tx: Tx) -> str:
    """The newest record as ``id:hash``, to keep somewhere the database cannot reach."""
    last = tx.audit_tail()
    return f"{last[0]}:{last[1]}" if last else f"0:{GENESIS}"
