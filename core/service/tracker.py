"""The tracker: for every agency asked in and every form it owes, where the return stands.

Counts are those stored with the latest revision: warnings as found when it
was submitted, and no errors (a document with errors is never stored). With
``recheck`` the latest revisions are validated again, one at a time, against
the rules and the review as they are now (a subject removed from the register,
an agency no longer asked in), and the counts are those of that check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from scr_returns.core import jsonio
from scr_returns.core.auth import Principal
from scr_returns.core.errors import ForbiddenError
from scr_returns.core.service.returns import ReturnService
from scr_returns.core.service.reviews import visible_review
from scr_returns.core.storage import Store
from scr_returns.core.storage.records import ReviewRecord


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 100.0


def completeness(items: list[dict[str, Any]]) -> dict[str, Any]:
    owed = [i for i in items if i["owed"]]
    submitted = sum(1 for i in owed if i["submitted"])
    accepted = sum(1 for i in owed if i["state"] == "accepted")
    return {"forms_owed": len(owed), "submitted": submitted, "accepted": accepted,
            "queried": sum(1 for i in owed if i["state"] == "queried"),
            "outstanding": len(owed) - submitted,
            "overdue": sum(1 for i in owed if i["overdue"]),
            "with_warnings": sum(1 for i in owed if i["warning_count"]),
            "submitted_percent": _percent(submitted, len(owed)),
            "accepted_percent": _percent(accepted, len(owed)),
            "complete": accepted == len(owed)}


class TrackerService:
    def __init__(self, store: Store, returns: ReturnService,
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.returns = returns
        self.clock = clock

    def tracker(self, principal: Principal, ref: str, *, recheck: bool = False
                ) -> dict[str, Any]:
        if principal.role == "agency":
            raise ForbiddenError("The tracker is the panel's.")
        with self.store.read() as tx:
            review = visible_review(tx, principal, ref)
            facts = {(f["agency"], f["form"]): f for f in tx.return_facts(review.id)}
        now = self.clock()
        owed = [(a, f, due) for a, forms in sorted(review.agencies.items())
                for f, due in sorted(forms.items())]
        keys = {(a, f) for a, f, _ in owed}
        extra = [(a, f, None) for a, f in sorted(facts) if (a, f) not in keys]
        items = [self._item(review, a, f, due, facts.get((a, f)), (a, f) in keys, now,
                            recheck) for a, f, due in owed + extra]
        agencies: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            agencies.setdefault(item.pop("agency"), []).append(item)
        return {"review": ref, "today": now.date(), "counts_from":
                "recheck" if recheck else "submission",
                "agencies": [{"agency": a, "forms": forms, **completeness(forms)}
                             for a, forms in agencies.items()],
                "completeness": completeness(items)}

    def _item(self, review: ReviewRecord, agency: str, form: str, due: date | None,
              fact: Mapping[str, Any] | None, owed: bool, now: datetime,
              recheck: bool) -> dict[str, Any]:
        today = now.date()
        submitted = fact is not None
        first = fact["first_submitted_at"] if fact else None
        overdue = owed and not submitted and due is not None and today > due
        warnings: list[dict[str, Any]] = list(fact["warnings"]) if fact else []
        errors = 0
        if fact is not None and recheck:
            errors, warnings = self._recheck(review, agency, form, fact, now)
        return {
            "agency": agency, "form": form, "owed": owed, "due": due, "submitted": submitted,
            "first_submitted_at": first,
            "last_submitted_at": fact["submitted_at"] if fact else None,
            "submitted_late": bool(first and due and first.date() > due),
            "revision": fact["latest_revision"] if fact else None,
            "state": fact["state"] if fact else None,
            "error_count": errors, "warning_count": len(warnings),
            "warning_codes": dict(sorted(Counter(w["code"] for w in warnings).items())),
            "overdue": overdue, "days_overdue": (today - due).days if overdue and due else 0,
        }

    def _recheck(self, review: ReviewRecord, agency: str, form: str,
                 fact: Mapping[str, Any], now: datetime) -> tuple[int, list[dict[str, Any]]]:
        loaded = self.returns.catalog.form(agency, form, enabled_only=False)
        if loaded is None or fact["schema_version"] not in loaded.engines:
            return 0, list(fact["warnings"])  # the plugin is gone: keep what was stored
        with self.store.read() as tx:
            rev = tx.revision(fact["id"], fact["latest_revision"])
        assert rev is not None
        report = self.returns.check(loaded, jsonio.loads(rev.document), fact["schema_version"],
                                    review, now).report
        return report.error_count, [p.as_dict() for p in report.warnings]
