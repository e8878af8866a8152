"""Reviews: open, list, read, change."""

from __future__ import annotations

import falcon

from scr_returns.core.envelopes import ReviewPatchSchema, ReviewSchema
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.policy import ADMIN, ANY, policy
from scr_returns.core.http.resources.base import audit, body, principal, send_json
from scr_returns.core.service import Services
from scr_returns.core.service.reviews import describe_review, review_etag

ETAG = "the review's ETag, for If-Match on a PATCH"
CREATE = ReviewSchema()
PATCH = ReviewPatchSchema(partial=tuple(ReviewPatchSchema().fields))  # every field optional


class ReviewCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation("Open a review", request="Review",
               responses={201: "Review", 409: "Error", 422: "Error"},
               response_headers={201: {"Location": "the review's address",
                                       "ETag": ETAG}})
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        review = self.services.reviews.create(body(req, CREATE), audit=audit(req))
        resp.location = f"/v1/reviews/{review.ref}"
        resp.set_header("ETag", review_etag(review))
        send_json(resp, describe_review(review), 201)

    @policy(roles=ANY)
    @operation("The reviews the caller may see", responses={200: "ReviewList"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        reviews = self.services.reviews.list(principal(req))
        send_json(resp, {"reviews": [describe_review(r) for r in reviews]})


class ReviewItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY, binding="review")
    @operation("One review", responses={200: "Review", 404: "Error"},
               response_headers={200: {"ETag": ETAG}})
    def on_get(self, req: falcon.Request, resp: falcon.Response, ref: str) -> None:
        review = self.services.reviews.get(principal(req), ref)
        resp.set_header("ETag", review_etag(review))
        send_json(resp, describe_review(review))

    @policy(roles=ADMIN)
    @operation("Change a review's status, title, scoping period, subjects, KLOEs or agencies",
               request="ReviewPatch",
               responses={200: "Review", 404: "Error", 412: "Error", 422: "Error"},
               headers={"If-Match": "the review's ETag, to refuse a lost update"},
               response_headers={200: {"ETag": ETAG}})
    def on_patch(self, req: falcon.Request, resp: falcon.Response, ref: str) -> None:
        # Only the top level is optional: a nested object sent must be whole.
        changes = body(req, PATCH)
        review = self.services.reviews.update(ref, changes, req.get_header("If-Match"),
                                              audit=audit(req))
        resp.set_header("ETag", review_etag(review))
        send_json(resp, describe_review(review))
