"""Conditional reads: ``If-None-Match`` on a GET or HEAD answers 304 when the ETag is current.

Every answer that carries an ``ETag`` (a review, a return, a revision) honours it;
the 304 keeps the ``ETag`` and sends no body (RFC 9110, 13.1.2).
"""

from __future__ import annotations

from typing import Any

import falcon


class NotModified:
    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        if not req_succeeded or req.method not in ("GET", "HEAD"):
            return
        if resp.status_code != 200:
            return
        etag = resp.get_header("ETag")
        wanted = req.if_none_match
        if not etag or not wanted:
            return
        if any(tag == "*" or tag.strip('"') == etag.strip('"').removeprefix("W/").strip('"')
               for tag in wanted):
            resp.status = falcon.HTTP_304
            resp.text = None
            resp.data = None
            resp.stream = None
            resp.delete_header("Content-Type")  # a 304 has no content (RFC 9110, 15.4.5)
