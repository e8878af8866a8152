"""Tokens and the principal behind a request; who may see and do what.

A token is ``scr_`` + 256 random bits (URL-safe base64); only its SHA-256 is
stored. Everything a caller may not see is reported by the service layer as
:class:`~scr_returns.core.errors.NotFoundError`, identical to a truly missing resource.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["admin", "panel", "agency"]
ROLES: tuple[Role, ...] = ("admin", "panel", "agency")
TOKEN_PREFIX = "scr_"  # noqa: S105 - a public prefix, not a secret


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_token_id() -> str:
    return "tok_" + secrets.token_hex(8)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_token(secret: str) -> bool:
    return secret.startswith(TOKEN_PREFIX) and 40 <= len(secret) <= 64 and secret.isascii()


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a token's id, role and bindings."""

    token_id: str
    role: Role
    agency: str | None = None
    reviews: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def sees_review(self, ref: str) -> bool:
        return self.is_admin or ref in self.reviews

    def reads_return(self, ref: str, agency: str) -> bool:
        if self.is_admin:
            return True
        if ref not in self.reviews:
            return False
        return self.role == "panel" or self.agency == agency

    def writes_return(self, ref: str, agency: str) -> bool:
        return self.role == "agency" and self.agency == agency and ref in self.reviews

    def visible_agency(self) -> str | None:
        """The only agency whose returns this caller sees in lists (None: all)."""
        return self.agency if self.role == "agency" else None


SYSTEM = Principal(token_id="system", role="admin")  # noqa: S106 - an id, no secret
"""The command line's principal: it acts with the database's own authority."""
