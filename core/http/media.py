"""JSON request bodies, read within the size limit and parsed strictly."""

from __future__ import annotations

from typing import Any

import falcon
import falcon.media

from scr_returns.core import jsonio
from scr_returns.core.errors import BadRequestError, PayloadTooLargeError


class StrictJSONHandler(falcon.media.BaseHandler):
    """Parses with :func:`scr_returns.core.jsonio.loads`; bodies past ``max_bytes`` are refused.

    A declared Content-Length over the limit is refused by the middleware before
    anything is read; a chunked body is read only up to the limit plus one byte.
    """

    def __init__(self, max_bytes: int, max_depth: int) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    def deserialize(self, stream: Any, content_type: str | None,
                    content_length: int | None) -> Any:
        data = stream.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise PayloadTooLargeError(f"The body is larger than {self.max_bytes} bytes.")
        if not data.strip():
            raise BadRequestError("The request needs a JSON body.")
        return jsonio.loads(data, max_depth=self.max_depth)

    def serialize(self, media: Any, content_type: str | None) -> bytes:
        return jsonio.dumps(media).encode("utf-8")


MERGE_PATCH = "application/merge-patch+json"
"""RFC 7396: a review PATCH may be sent as a JSON merge patch (the same body)."""


def media_handlers(max_bytes: int, max_depth: int) -> falcon.media.Handlers:
    handler = StrictJSONHandler(max_bytes, max_depth)
    return falcon.media.Handlers({falcon.MEDIA_JSON: handler, MERGE_PATCH: handler})
