"""Reviews: open, list, read, change."""

from __future__ import annotations

import re

import falcon

from scr_returns.core.envelopes import ReviewPatchSchema, ReviewSchema
from scr_returns.core.errors import PreconditionRequiredError
from scr_returns.core.http.media import MERGE_PATCH
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.openapi_schemas import REF_SCHEMA
from scr_returns.core.http.policy import ADMIN, ANY, policy
from scr_returns.core.http.resources.base import (
    PAGE,
    audit,
    body,
    limit,
    principal,
    send_json,
    send_page,
)
from scr_returns.core.service import Services
from scr_returns.core.service.pages import page
from scr_returns.core.service.reviews import describe_review, review_etag

ETAG = "the review's ETag, for If-Match on a PATCH"
REF_RE = re.compile(str(REF_SCHEMA["pattern"]))
CREATE = ReviewSchema()
PATCH = ReviewPatchSchema(partial=tuple(ReviewPatchSchema().fields))  # every field optional


class ReviewCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation(name="open_review", summary="Open a review", request="ReviewCreate",
               responses={201: "Review", 409: "Error", 422: "Error"},
               response_headers={201: {"Location": "the review's address",
                                       "ETag": ETAG}})
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        review = self.services.reviews.create(body(req, CREATE), audit=audit(req))
        resp.location = f"/v1/reviews/{review.ref}"
        resp.set_header("ETag", review_etag(review))
        send_json(resp, describe_review(review), 201)

    @policy(roles=ANY)
    @operation(name="list_reviews", summary="The reviews the caller may see, by reference, "
               "a page at a time", responses={200: "ReviewList"},
               query={**PAGE, "cursor": (REF_SCHEMA, "next_cursor of the previous page (also "
                                         "in the Link header, rel=next): a reference")})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        reviews, cursor = page(self.services.reviews.list(principal(req)), lambda r: r.ref,
                               cursor=req.get_param("cursor"), limit=limit(req),
                               shape=REF_RE)
        send_page(req, resp, {"reviews": [describe_review(r) for r in reviews],
                              "next_cursor": cursor})


class ReviewItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY, binding="review")
    @operation(name="get_review", summary="One review", responses={200: "Review", 404: "Error"},
               response_headers={200: {"ETag": ETAG}})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str) -> None:
        review = self.services.reviews.get(principal(req), ref)
        resp.set_header("ETag", review_etag(review))
        send_json(resp, describe_review(review))

    @policy(roles=ADMIN)
    @operation(name="update_review",
               summary="Change a review's status, title, scoping period, subjects, KLOEs or "
               "agencies",
               request="ReviewPatch",
               responses={200: "Review", 404: "Error", 412: "Error", 415: "Error",
                          422: "Error", 428: "Error"},
               headers={"If-Match": "the review's ETag (from its GET): a stale one answers "
                                    "412, none 428, and nothing changes"},
               required_headers=("If-Match",),
               response_headers={200: {"ETag": ETAG}},
               description="Send only the fields to change: any field left out keeps its "
                           "value. A nested object sent (scoping_period, a subject, an "
                           "agency's forms) replaces that value whole. The body may also be "
                           f"sent as {MERGE_PATCH} (RFC 7396), with the same meaning; it is "
                           "not listed as a second request media type because client "
                           "generators handle one body type best.")
    def on_patch(self, req: falcon.Request, resp: falcon.Response, ref: str) -> None:
        # Only the top level is optional: a nested object sent must be whole. The body
        # is checked before If-Match, so that a bad body is told as such, not as 428.
        changes = body(req, PATCH)
        if_match = req.get_header("If-Match")
        if if_match is None:
            raise PreconditionRequiredError("Changing a review needs If-Match with the ETag "
                                            "you read (GET the review), so that no change "
                                            "is lost.")
        review = self.services.reviews.update(ref, changes, if_match, audit=audit(req))
        resp.set_header("ETag", review_etag(review))
        send_json(resp, describe_review(review))
