"""Review states of a return, and every transition with who, when and why.

    submitted --query (comment)--> queried --new revision (resubmitted)--> submitted
    submitted --accept--> accepted --reopen (reason)--> submitted
    queried   --accept--> accepted   (the panel withdraws its query and accepts)

A new revision by the agency is the only way out of ``queried`` other than
acceptance: ``scr_returns.core.service.returns`` records it as ``resubmitted``. An accepted
return refuses amendments (409) until the panel reopens it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scr_returns.core.audit import AuditEntry
from scr_returns.core.auth import Principal
from scr_returns.core.errors import (
    ConflictError,
    EnvelopeInvalidError,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
    Problem,
)
from scr_returns.core.service.returns import etag
from scr_returns.core.storage import Store
from scr_returns.core.storage.events import EventRecord
from scr_returns.core.storage.records import ReturnRecord
from scr_returns.core.storage.store import Tx


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    comment_required: bool


TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("submitted", "queried"): Transition("queried", comment_required=True),
    ("submitted", "accepted"): Transition("accepted", comment_required=False),
    ("queried", "accepted"): Transition("accepted", comment_required=False),
    ("accepted", "submitted"): Transition("reopened", comment_required=True),
}


def find_return(tx: Tx, principal: Principal, ref: str, agency: str, form: str, *,
                lock: bool = False) -> ReturnRecord:
    """The return with at least one revision, if the caller may read it; else 404."""
    if not principal.reads_return(ref, agency):
        raise NotFoundError()
    review = tx.review(ref)
    ret = tx.get_return(review.id, agency, form, lock=lock) if review else None
    if ret is None or ret.latest_revision == 0:
        raise NotFoundError()
    return ret


def allowed_from(state: str) -> list[str]:
    """The states the panel may move a return to from ``state``."""
    return [to for (frm, to) in TRANSITIONS if frm == state]


class StateService:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def change(self, principal: Principal, ref: str, agency: str, form: str, state: str,
               comment: str | None, *, if_match: str | None = None,
               audit: AuditEntry | None = None) -> dict[str, Any]:
        """Move the return to ``state``; 409 naming the allowed states if it may not go there.

        ``audit``, when given, is appended in the same transaction as the change.
        """
        if principal.role != "panel":
            raise ForbiddenError("Only the panel sets review states.")
        now = self.clock()
        with self.store.write() as tx:
            ret = find_return(tx, principal, ref, agency, form, lock=True)
            rev = tx.revision(ret.id, ret.latest_revision)
            assert rev is not None
            current = etag(rev.number, rev.sha256)
            if if_match is not None and if_match not in ("*", current):
                raise PreconditionFailedError(
                    f"The return has a newer revision ({rev.number}, ETag {current}) than "
                    "the one you read; read it again before changing its state.")
            transition = TRANSITIONS.get((ret.state, state))
            if transition is None:
                allowed = allowed_from(ret.state)
                raise ConflictError(
                    f"A {ret.state} return cannot be moved to {state!r}; allowed: "
                    f"{', '.join(allowed) or 'none'}.",
                    extra={"state": ret.state, "allowed": allowed})
            if transition.comment_required and not (comment and comment.strip()):
                why = "a query needs a comment for the agency" if state == "queried" \
                    else "reopening needs a reason"
                raise EnvelopeInvalidError([Problem("/comment", "request.comment_required",
                                                    f"A comment is required: {why}.",
                                                    "error", "envelope")])
            event = EventRecord(revision=ret.latest_revision, action=transition.action,
                                from_state=ret.state, to_state=state, comment=comment,
                                by=principal.token_id, at=now)
            tx.change_state(ret.id, event)
            if audit is not None:
                audit.append(tx, 200, now, revision=ret.latest_revision)
        return {"review": ref, "agency": agency, "form": form, "state": state,
                "revision": ret.latest_revision, "allowed": allowed_from(state),
                "event": event.as_dict()}

    def history(self, principal: Principal, ref: str, agency: str,
                form: str) -> dict[str, Any]:
        """The current state, where the panel may move it, and every transition so far."""
        with self.store.read() as tx:
            ret = find_return(tx, principal, ref, agency, form)
            found = tx.events(ret.id)
        return {"review": ref, "agency": agency, "form": form, "state": ret.state,
                "revision": ret.latest_revision, "allowed": allowed_from(ret.state),
                "events": [e.as_dict() for e in found]}
