"""What the store hands out: plain frozen records, no SQLAlchemy rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    id: int
    ref: str
    type: str
    title: str
    status: str
    scope_from: date
    scope_to: date
    terms_of_reference: str | None
    subjects: list[dict[str, Any]]
    kloes: list[dict[str, Any]]
    agencies: dict[str, dict[str, date | None]]
    """Agency asked in -> form -> due date."""
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class RevisionHead:
    """A revision without its document: what a write checks, cheap to read under the lock."""

    number: int
    schema_version: int
    sha256: str
    warnings: list[dict[str, Any]]
    submitted_at: datetime
    submitted_by: str


@dataclass(frozen=True, slots=True)
class RevisionRecord(RevisionHead):
    document: str
    """The canonical JSON text of the document, exactly as stored."""

    def head(self) -> RevisionHead:
        """The same revision without its document."""
        return RevisionHead(self.number, self.schema_version, self.sha256, self.warnings,
                            self.submitted_at, self.submitted_by)


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    id: int
    review_ref: str
    agency: str
    form: str
    state: str
    latest_revision: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    name: str
    role: str
    agency: str | None
    reviews: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredFacts:
    """The facts of the first answer to an idempotent request, rendered again on retry."""

    fingerprint: str
    """What the request asked for: a retry must ask for the same."""
    facts: dict[str, Any]
