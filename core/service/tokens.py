"""Issuing, listing, revoking and checking bearer tokens."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from scr_returns.core.audit import AuditEntry
from scr_returns.core.auth import (
    ROLES,
    Principal,
    Role,
    hash_secret,
    looks_like_token,
    new_secret,
    new_token_id,
)
from scr_returns.core.errors import (
    BadRequestError,
    EnvelopeInvalidError,
    NotFoundError,
    Problem,
    UnauthorizedError,
)
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store
from scr_returns.core.storage.records import TokenRecord
from scr_returns.core.storage.store import Reader

TOUCH_EVERY = timedelta(seconds=60)


def describe_token(record: TokenRecord) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "role": record.role,
            "agency": record.agency, "reviews": record.reviews,
            "created_at": record.created_at, "expires_at": record.expires_at,
            "revoked_at": record.revoked_at, "last_used_at": record.last_used_at}


class TokenService:
    def __init__(self, settings: Settings, store: Store,
                 clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    def create(self, *, name: str, role: str, agency: str | None = None,
               reviews: list[str] | None = None,
               expires_in_days: int | None = None,
               audit: AuditEntry | None = None) -> tuple[str, dict[str, Any]]:
        """A new token: returns the secret (shown once, never stored) and its record."""
        if role not in ROLES:
            raise BadRequestError(f"role must be one of {', '.join(ROLES)}")
        reviews = sorted(set(reviews or []))
        if role == "agency" and (not agency or not reviews):
            raise BadRequestError("An agency token needs an agency and at least one review.")
        if role == "panel" and (agency or not reviews):
            raise BadRequestError("A panel token needs at least one review and no agency.")
        if role == "admin" and (agency or reviews):
            raise BadRequestError("An admin token is bound to no agency or review.")
        days = expires_in_days or self.settings.token_default_days
        if days > self.settings.token_max_days:
            raise BadRequestError(f"A token may last at most {self.settings.token_max_days} "
                                  "days.")
        now = self.clock()
        secret = new_secret()
        record = TokenRecord(id=new_token_id(), name=name, role=role, agency=agency,
                             reviews=reviews, created_at=now,
                             expires_at=now + timedelta(days=days), revoked_at=None,
                             last_used_at=None)
        with self.store.write() as tx:
            tx.insert_token(record, hash_secret(secret))
            if audit is not None:
                audit.append(tx, 201, now, target=record.id)
        return secret, describe_token(record)

    def issue(self, *, name: str, role: str, agency: str | None = None,
              reviews: list[str] | None = None, expires_in_days: int | None = None,
              agencies: Collection[str], audit: AuditEntry | None = None,
              ) -> tuple[str, dict[str, Any]]:
        """:meth:`create` for an admin (API or command line): every problem of the request
        at once (422), including an agency no installed plugin provides (``agencies``)
        and a review that does not exist."""
        found = self.problems(role=role, agency=agency, reviews=reviews or [],
                              expires_in_days=expires_in_days, agencies=agencies)
        if found:
            named = ", ".join(p.pointer.lstrip("/") for p in found)
            raise EnvelopeInvalidError(found, f"The token cannot be issued: {named}.")
        return self.create(name=name, role=role, agency=agency, reviews=reviews,
                           expires_in_days=expires_in_days, audit=audit)

    def problems(self, *, role: str, agency: str | None, reviews: list[str],
                 expires_in_days: int | None, agencies: Collection[str]) -> list[Problem]:
        """Every reason a token with these bindings cannot be issued, each at its field."""
        found: list[Problem] = []

        def add(pointer: str, message: str) -> None:
            found.append(Problem(pointer, "token.binding", message, "error", "envelope"))

        if role == "admin" and agency:
            add("/agency", "An admin token is bound to no agency.")
        if role == "admin" and reviews:
            add("/reviews", "An admin token is bound to no review.")
        if role == "panel" and agency:
            add("/agency", "A panel token is bound to reviews, not to an agency.")
        if role in ("panel", "agency") and not reviews:
            add("/reviews", f"{'An agency' if role == 'agency' else 'A panel'} token needs "
                            "at least one review.")
        if role == "agency" and not agency:
            add("/agency", "An agency token needs an agency.")
        if agency and role == "agency" and agency not in agencies:
            add("/agency", f"No installed plugin provides the agency {agency!r}.")
        if reviews:
            with self.store.read() as tx:
                known = {r.ref for r in tx.reviews(sorted(set(reviews)))}
            for i, ref in enumerate(reviews):
                if ref not in known:
                    add(f"/reviews/{i}", f"There is no review {ref!r}.")
        limit = self.settings.token_max_days
        if expires_in_days is not None and not 1 <= expires_in_days <= limit:
            add("/expires_in_days", f"A token lasts from 1 to {limit} days.")
        return found

    def list(self) -> list[dict[str, Any]]:
        with self.store.read() as tx:
            return [describe_token(r) for r in tx.tokens()]

    def revoke(self, token_id: str, *, audit: AuditEntry | None = None) -> dict[str, Any]:
        with self.store.write() as tx:
            if tx.token(token_id) is None:
                raise NotFoundError(f"No token {token_id!r}.")
            now = self.clock()
            tx.revoke_token(token_id, now)
            record = tx.token(token_id)
            if audit is not None:
                audit.append(tx, 200, now, target=token_id)
        assert record is not None
        return describe_token(record)

    def authenticate(self, secret: str, reads: Reader | None = None) -> Principal:
        """The principal for a presented secret; 401 for anything not currently valid.

        ``reads``: a read transaction to look the token up in, shared with what the
        request reads next (it stays open); without one, a transaction of its own.
        """
        if not looks_like_token(secret):
            raise UnauthorizedError("The bearer token is malformed.")
        now = self.clock()
        if reads is not None:
            record = reads.tx.token_by_hash(hash_secret(secret))
        else:
            with self.store.read() as tx:
                record = tx.token_by_hash(hash_secret(secret))
        if record is None or record.revoked_at is not None or record.expires_at <= now:
            raise UnauthorizedError("The bearer token is unknown, expired or revoked.")
        if record.last_used_at is None or now - record.last_used_at >= TOUCH_EVERY:
            # NOTE: at most once a minute per token; a write of its own, so a
            # failed request still says the token was used.
            with self.store.write() as tx:
                tx.touch_token(record.id, now)
        role: Role = record.role  # type: ignore[assignment]
        return Principal(token_id=record.id, role=role, agency=record.agency,
                         reviews=frozenset(record.reviews))
