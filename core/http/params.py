"""Query parameters a responder does not declare are refused, never silently ignored.

A client that sends ``?anonymise=true`` to a route that has no such option must
learn that nothing was anonymised: the answer is 400 naming the parameter, and
listing the ones the route takes. The declared parameters are the ones in the
responder's ``@operation(query=...)``, which the OpenAPI document lists too.
"""

from __future__ import annotations

import re
from typing import Any

import falcon

from scr_returns.core.errors import BadRequestError
from scr_returns.core.http.openapi_doc import declared_query

SHOWN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
"""A parameter name echoed back in the problem; any other is described, not quoted."""


class KnownParams:
    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        responder = getattr(resource, f"on_{req.method.lower()}", None) \
            if resource is not None else None
        if responder is None:
            return  # falcon answers 404 or 405
        declared = declared_query(responder)
        unknown = sorted(set(req.params) - declared)
        if not unknown:
            return
        named = ", ".join(repr(n) if SHOWN.match(n) else "(a name with unusual characters)"
                          for n in unknown)
        takes = ", ".join(sorted(declared)) or "none"
        raise BadRequestError(f"Unknown query parameter {named}: this route takes {takes}. "
                              "Nothing was done with it.")
