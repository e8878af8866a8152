"""The pages problem ``type`` URIs point at: every type, its meaning and an example.

JSON by default; HTML when the caller's Accept prefers ``text/html`` (a person
following a ``type`` link in a browser).
"""

from __future__ import annotations

import html
import json

import falcon

from scr_returns.core.errors import NotFoundError
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.policy import policy
from scr_returns.core.http.resources.base import send_json
from scr_returns.core.problem_types import BY_SLUG, TYPES, ProblemType

MEDIA = ("application/json", "text/html")


def _wants_html(req: falcon.Request) -> bool:
    return req.client_prefers(list(MEDIA)) == "text/html"


def _describe(t: ProblemType) -> dict[str, object]:
    return {"type": t.uri, "status": t.status, "title": t.title, "meaning": t.meaning,
            "example": t.example_body()}


def _section(t: ProblemType) -> str:
    example = html.escape(json.dumps(t.example_body(), indent=2))
    return (f'<section id="{t.slug}"><h2><a href="{t.uri}">{t.slug}</a>: {t.status} '
            f"{html.escape(t.title)}</h2><p>{html.escape(t.meaning)}</p>"
            f"<pre>{example}</pre></section>")


def _page(title: str, sections: list[str]) -> str:
    return ("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            "<p>Every error is <code>application/problem+json</code> (RFC 9457); its "
            "<code>type</code> is one of these.</p>" + "".join(sections) + "</html>")


def _send_html(resp: falcon.Response, text: str) -> None:
    resp.content_type = falcon.MEDIA_HTML
    resp.text = text


class ProblemTypeCollection:
    @policy(public=True)
    @operation(name="list_problem_types",
               summary="Every problem type: its status, title, meaning and an example",
               responses={200: "ProblemTypeList"}, content_types=MEDIA)
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if _wants_html(req):
            _send_html(resp, _page("scr-returns problem types", [_section(t) for t in TYPES]))
        else:
            send_json(resp, {"types": [_describe(t) for t in TYPES]})


class ProblemTypeItem:
    @policy(public=True)
    @operation(name="get_problem_type",
               summary="One problem type: what it means, what to do, an example",
               responses={200: "ProblemType", 404: "Error"}, content_types=MEDIA)
    def on_get(self, req: falcon.Request, resp: falcon.Response, slug: str) -> None:
        found = BY_SLUG.get(slug)
        if found is None:
            raise NotFoundError()
        if _wants_html(req):
            _send_html(resp, _page(f"Problem type {found.slug}", [_section(found)]))
        else:
            send_json(resp, _describe(found))
