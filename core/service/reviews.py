"""Opening, reading, listing and changing reviews."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy.exc

from scr_returns.core.audit import AuditEntry
from scr_returns.core.auth import Principal
from scr_returns.core.catalog import Catalog
from scr_returns.core.descriptors import Kloe, ReviewContext
from scr_returns.core.errors import (
    ConflictError,
    EnvelopeInvalidError,
    NotFoundError,
    PreconditionFailedError,
    Problem,
)
from scr_returns.core.storage import Store
from scr_returns.core.storage.records import ReviewRecord
from scr_returns.core.storage.store import Tx


def review_etag(review: ReviewRecord) -> str:
    return f'"v{review.version}"'


def describe_review(review: ReviewRecord) -> dict[str, Any]:
    return {
        "ref": review.ref, "type": review.type, "title": review.title, "status": review.status,
        "scoping_period": {"from": review.scope_from, "to": review.scope_to},
        "terms_of_reference": review.terms_of_reference,
        "subjects": review.subjects, "kloes": review.kloes,
        "agencies": [{"agency": a, "forms": [{"form": f, "due": due} for f, due in forms.items()]}
                     for a, forms in sorted(review.agencies.items())],
        "version": review.version, "created_at": review.created_at,
        "updated_at": review.updated_at,
    }


def visible_review(tx: Tx, principal: Principal, ref: str) -> ReviewRecord:
    """The review if the caller may see it; otherwise 404, exactly as if it did not exist."""
    review = tx.review(ref) if principal.sees_review(ref) else None
    if review is None:
        raise NotFoundError()
    return review


def review_context(review: ReviewRecord) -> ReviewContext:
    """The review as the plugins' rules see it."""
    return ReviewContext(
        ref=review.ref, type=review.type, title=review.title, scope_from=review.scope_from,
        scope_to=review.scope_to,
        subjects={s["key"]: s["role"] for s in review.subjects},
        kloes=tuple(Kloe(k["id"], k["question"]) for k in review.kloes),
        agencies={a: tuple(forms) for a, forms in review.agencies.items()})


def _jsonable(items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if v is not None} for item in items]


class ReviewService:
    def __init__(self, store: Store, catalog: Catalog, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock

    def _agencies(self, asked: list[Mapping[str, Any]]) -> dict[str, dict[str, date | None]]:
        problems = []
        result: dict[str, dict[str, date | None]] = {}
        for i, entry in enumerate(asked):
            plugin = self.catalog.host.by_agency.get(entry["agency"])
            forms: dict[str, date | None] = {}
            for j, item in enumerate(entry["forms"]):
                if plugin is not None and item["form"] not in plugin.forms:
                    problems.append(Problem(
                        f"/agencies/{i}/forms/{j}/form", "review.form.unknown",
                        f"The {entry['agency']} agency has no form {item['form']!r}.",
                        "error", "envelope"))
                forms[item["form"]] = item["due"]
            result[entry["agency"]] = forms
        if problems:
            raise EnvelopeInvalidError(problems)
        return result

    def create(self, data: Mapping[str, Any], *,
               audit: AuditEntry | None = None) -> ReviewRecord:
        now = self.clock()
        agencies = self._agencies(data["agencies"])
        values = {
            "ref": data["ref"], "type": data["type"], "title": data["title"],
            "status": data["status"], "scope_from": data["scoping_period"]["start"],
            "scope_to": data["scoping_period"]["end"],
            "terms_of_reference": data["terms_of_reference"],
            "subjects": _jsonable(data["subjects"]), "kloes": _jsonable(data["kloes"]),
            "created_at": now, "updated_at": now, "version": 1,
        }
        exists = ConflictError(f"A review {data['ref']!r} already exists.")
        try:
            with self.store.write() as tx:
                if tx.review_exists(data["ref"]):
                    raise exists
                tx.insert_review(values, agencies)
                created = tx.review(data["ref"])
                if audit is not None:
                    audit.append(tx, 201, now, review=data["ref"])
        except sqlalchemy.exc.IntegrityError:
            # Opened by a concurrent request between our check and our insert.
            raise exists from None
        assert created is not None
        return created

    def get(self, principal: Principal, ref: str) -> ReviewRecord:
        with self.store.read() as tx:
            return visible_review(tx, principal, ref)

    def list(self, principal: Principal) -> list[ReviewRecord]:
        with self.store.read() as tx:
            return tx.reviews(None if principal.is_admin else sorted(principal.reviews))

    def update(self, ref: str, changes: Mapping[str, Any], if_match: str | None = None, *,
               audit: AuditEntry | None = None) -> ReviewRecord:
        agencies = self._agencies(changes["agencies"]) if "agencies" in changes else None
        with self.store.write() as tx:
            review = tx.review(ref, lock=True)  # no lost update between two PATCHes
            if review is None:
                raise NotFoundError()
            if if_match is not None and if_match not in ("*", review_etag(review)):
                raise PreconditionFailedError(
                    "The review has changed since you read it; read it again.")
            values: dict[str, Any] = {"updated_at": self.clock(), "version": review.version + 1}
            for key in ("title", "status", "terms_of_reference"):
                if key in changes:
                    values[key] = changes[key]
            if "scoping_period" in changes:
                values["scope_from"] = changes["scoping_period"]["start"]
                values["scope_to"] = changes["scoping_period"]["end"]
            for key in ("subjects", "kloes"):
                if key in changes:
                    values[key] = _jsonable(changes[key])
            tx.update_review(review.id, values, agencies)
            updated = tx.review(ref)
            if audit is not None:
                audit.append(tx, 200, values["updated_at"])
        assert updated is not None
        return updated
