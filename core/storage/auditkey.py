"""The audit chain's key: a secret kept outside the database, in a file only its owner reads.

Each audit record's hash is an HMAC-SHA256 under this key (core/storage/audit.py),
so someone who can write the database but not read this file cannot append,
edit or re-chain a record that ``audit verify`` accepts. The file is made at
the first start (``serve``, or the first command that writes an audit record),
mode 0600, next to the SQLite database by default; several hosts on one
PostgreSQL database must share one file (``SCR_RETURNS_AUDIT_KEY_FILE``).

``keyed_from`` is the first record the key chained: records before it were
written before the key existed (plain SHA-256, a release without keys), and
are accepted as such only there. It is written into the file, not the
database, so that nobody can move it with the database alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

FORMAT = "scr-returns audit key 1"


class AuditKeyError(Exception):
    """The audit key cannot be read or made, or it is not the one the log is chained with."""


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    keyed_from: int
    path: Path

    def __repr__(self) -> str:  # never the secret, in a log or a traceback
        return f"AuditKey(path={str(self.path)!r}, keyed_from={self.keyed_from})"


class ChainTail(Protocol):
    def audit_tail_check(self, secret: bytes | None) -> tuple[int, bool, bool] | None:
        """The newest record's id, whether its hash is plain SHA-256, and whether it is
        keyed with ``secret``; None for an empty log."""


def read_key(path: Path) -> AuditKey | None:
    """The key at ``path``; None if there is no file. Refused if others may read it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyError(f"the audit key {path} cannot be read ({exc.strerror}); run "
                            "scr-returns as the user that owns it") from None
    with os.fdopen(fd, "rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuditKeyError(f"the audit key {path} may be read by others: "
                                f"chmod 600 {path}")
        try:
            data = json.loads(file.read())
            if data["format"] != FORMAT:
                raise ValueError(data["format"])
            return AuditKey(bytes.fromhex(data["secret"]), int(data["keyed_from"]), path)
        except (ValueError, KeyError, TypeError):
            raise AuditKeyError(f"{path} is not a scr-returns audit key") from None


def create_key(path: Path, keyed_from: int) -> AuditKey:
    """Make a new key at ``path`` (mode 0600), unless another process made one first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"format": FORMAT, "secret": secrets.token_hex(32),
                       "keyed_from": keyed_from}).encode()
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another worker was first: use its key
            os.link(partial, path)  # never replaces a key that exists
    finally:
        partial.unlink(missing_ok=True)
    key = read_key(path)
    assert key is not None
    return key


class AuditKeySource:
    """The audit key of one store, read (or made) when first needed, then kept."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: AuditKey | None = None

    def existing(self) -> AuditKey | None:
        """The key if its file exists (verification never makes one)."""
        if self._key is None:
            self._key = read_key(self.path)
        return self._key

    def key(self, tx: ChainTail) -> AuditKey:
        """The key to chain with; made now if there is none and the log is not keyed.

        Called within the transaction that appends (which holds the chain), so
        ``keyed_from`` is the id the next record gets. The first time, the
        newest record is checked: chained with another key, it means this host
        was given a key of its own instead of the others' (refused, before it
        could fork the chain).
        """
        if self._key is not None:
            return self._key
        key = read_key(self.path)
        if key is None:
            tail = tx.audit_tail_check(None)
            if tail is not None and not tail[1]:
                raise AuditKeyError(
                    f"the audit log is chained with a key and there is none at {self.path}: "
                    "copy the key file of the first host there (or name it with "
                    "SCR_RETURNS_AUDIT_KEY_FILE)")
            key = create_key(self.path, tail[0] + 1 if tail else 1)
        else:
            tail = tx.audit_tail_check(key.secret)
            if tail is not None and tail[0] >= key.keyed_from and not (tail[1] or tail[2]):
                raise AuditKeyError(
                    f"the newest audit record is not chained with the key at {self.path}: "
                    "every host must use the same key file (SCR_RETURNS_AUDIT_KEY_FILE); "
                    "run 'scr-returns audit verify'")
        self._key = key
        return key
