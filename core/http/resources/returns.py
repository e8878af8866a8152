"""Returns: submit and amend, read the latest, every revision, the list.

The service answers with facts (what was stored, its revision, state and
warnings); these resources render them: status, ``ETag``, ``Location`` and body.
"""

from __future__ import annotations

import re
from typing import Any

import falcon

from scr_returns.core import jsonio
from scr_returns.core.envelopes import ReturnPutSchema
from scr_returns.core.errors import BadRequestError
from scr_returns.core.http.openapi_doc import HeaderDocs, operation
from scr_returns.core.http.openapi_schemas import NAME_SCHEMA, STATES
from scr_returns.core.http.paths import return_url
from scr_returns.core.http.policy import AGENCY, ANY, policy
from scr_returns.core.http.resources.base import (
    PAGE,
    audit,
    body,
    limit,
    principal,
    send_json,
    send_page,
    send_text,
)
from scr_returns.core.service import Services
from scr_returns.core.service.returns import LatestRevision, StoredRevisions, Submitted, etag
from scr_returns.core.storage.records import RevisionHead

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
PUT = ReturnPutSchema()  # marshmallow schemas keep no state between loads: built once
STORED: HeaderDocs = {
    "ETag": "the revision's ETag, for If-Match when amending",
    "Location": "the return's URL",
    "Idempotent-Replayed": ("true: the first answer to this Idempotency-Key, replayed; "
                            "nothing was stored", False)}


def revision_meta(rev: RevisionHead) -> dict[str, Any]:
    return {"revision": rev.number, "schema_version": rev.schema_version,
            "submitted_at": rev.submitted_at, "submitted_by": rev.submitted_by,
            "warnings": rev.warnings}


def send_submitted(resp: falcon.Response, done: Submitted) -> None:
    """201 for a new return, else 200; the revision's ETag and the return's URL."""
    rev = done.revision
    send_json(resp, {"review": done.review, "agency": done.agency, "form": done.form,
                     "state": done.state, "revision_created": done.revision_created,
                     **revision_meta(rev)}, 201 if done.created else 200)
    resp.set_header("ETag", etag(rev.number, rev.sha256))
    resp.set_header("Location", return_url(done.review, done.agency, done.form))
    if done.replayed:
        resp.set_header("Idempotent-Replayed", "true")


def send_latest(resp: falcon.Response, found: LatestRevision) -> None:
    rev = found.revision
    meta = {"review": found.review, "agency": found.agency, "form": found.form,
            "state": found.state,
            "state_event": found.state_event.as_dict() if found.state_event else None,
            **revision_meta(rev)}
    send_text(resp, jsonio.with_raw(meta, "document", rev.document))
    resp.set_header("ETag", etag(rev.number, rev.sha256))


def send_revision(resp: falcon.Response, found: StoredRevisions) -> None:
    (rev,) = found.revisions
    meta = {"review": found.review, "agency": found.agency, "form": found.form,
            **revision_meta(rev)}
    send_text(resp, jsonio.with_raw(meta, "document", rev.document))
    resp.set_header("ETag", etag(rev.number, rev.sha256))


def send_revisions(resp: falcon.Response, found: StoredRevisions) -> None:
    items = [jsonio.with_raw(revision_meta(r), "document", r.document)
             for r in found.revisions]
    head = jsonio.dumps({"review": found.review, "agency": found.agency, "form": found.form})
    send_text(resp, head[:-1] + ',"revisions":[' + ",".join(items) + "]}")


class ReturnItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=AGENCY, binding="review+agency", shares_reads=True)
    @operation(name="put_return",
               summary="Submit (201) or amend (200) a return", request="ReturnPut",
               responses={200: "ReturnSummary", 201: "ReturnSummary", 404: "Error",
                          409: "Error", 412: "Error", 422: "Error", 428: "Error"},
               headers={"If-Match": "the current ETag; required to amend",
                        "Idempotency-Key": ("a retry with the same key gets the first answer",
                                            {"type": "string",
                                             "pattern": IDEMPOTENCY_KEY.pattern})},
               response_headers={200: STORED, 201: STORED})
    def on_put(self, req: falcon.Request, resp: falcon.Response, ref: str, agency: str,
               form: str) -> None:
        key = req.get_header("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.match(key):
            raise BadRequestError("An Idempotency-Key is 1-255 visible ASCII characters.")
        envelope = body(req, PUT)
        send_submitted(resp, self.services.returns.submit(
            principal(req), ref, agency, form, envelope,
            if_match=req.get_header("If-Match"), idempotency_key=key, audit=audit(req),
            reads=req.context.reads))

    @policy(roles=ANY, binding="review+agency", purpose=True)
    @operation(name="get_return", summary="The latest revision of a return, with its document",
               responses={200: "Return", 404: "Error"},
               response_headers={200: {"ETag": "the revision's ETag, for If-Match when "
                                       "amending"}})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str, agency: str,
               form: str) -> None:
        send_latest(resp, self.services.returns.latest(principal(req), ref, agency, form))


class RevisionCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY, binding="review+agency", purpose=True)
    @operation(name="list_revisions", summary="Every revision ever stored, unchanged, oldest first",
               responses={200: "RevisionList", 404: "Error"})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str, agency: str,
               form: str) -> None:
        send_revisions(resp, self.services.returns.revisions(principal(req), ref, agency, form))


class RevisionItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY, binding="review+agency", purpose=True)
    @operation(name="get_revision",
               summary="One revision, unchanged", responses={200: "Revision", 404: "Error"},
               response_headers={200: {"ETag": "this revision's ETag"}})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str, agency: str,
               form: str, number: int) -> None:
        send_revision(resp, self.services.returns.revision(principal(req), ref, agency, form,
                                                           number))


class ReturnCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY, binding="review")
    @operation(name="list_returns",
               summary="The review's returns the caller may see, filtered, a page at a time",
               responses={200: "ReturnList", 404: "Error"},
               query={"agency": (NAME_SCHEMA, "only this agency"),
                      "form": (NAME_SCHEMA, "only this form"),
                      "state": (STATES, "only returns in this review state"),
                      "has_warnings": ("boolean", "true: only returns whose latest revision "
                                       "has warnings; false: only those without"),
                      **PAGE})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str) -> None:
        page = self.services.returns.list(
            principal(req), ref, agency=req.get_param("agency"), form=req.get_param("form"),
            state=req.get_param("state"), cursor=req.get_param("cursor"),
            has_warnings=req.get_param_as_bool("has_warnings"),
            limit=limit(req))
        for item in page["items"]:
            item["href"] = return_url(ref, item["agency"], item["form"])
        send_page(req, resp, page)
