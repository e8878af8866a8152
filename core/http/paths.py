"""Route templates that answers also link to, each spelled once (core/http/routes.py maps
them to resources)."""

from __future__ import annotations

from urllib.parse import quote

RETURN = "/v1/reviews/{ref}/returns/{agency}/{form}"


def return_url(ref: str, agency: str, form: str) -> str:
    """The URL of one return (``Location``, and ``href`` in lists and the tracker)."""
    return RETURN.format(ref=quote(ref, safe=""), agency=quote(agency, safe=""),
                         form=quote(form, safe=""))
