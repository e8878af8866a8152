"""The authorization matrix of shared/api.md, route x role x binding, as one table.

The router is walked (not our route table), so a route added anywhere without
a policy fails here, and so does a route without a row below: a new route
needs its row, written from api.md, before it ships. Every route is then called
by seven callers: an admin; a panel token bound to the review and one bound to
another review; agency tokens of the return's own agency, of another agency,
and of the own agency bound to another review; and no token at all. Each
answer is checked against the row: 2xx allowed, 401, 403, or 404 that is
byte-for-byte (but the request id) the answer for a review that does not exist.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import falcon
import pytest

from scr_returns.core.auth import SYSTEM
from scr_returns.core.http.policy import policy_of
from scr_returns.core.service import Services
from tests.support.http_world import PURPOSE, REF, REVIEW, World, auth, document

OTHER_REF = "IOW-2026-99"
CALLERS = ("admin", "panel", "panel_unbound", "agency_own", "agency_other", "agency_unbound",
           "anonymous")


def _kind(**statuses: int | str) -> Callable[[int], dict[str, int]]:
    """A row kind: each caller's answer, 'ok' meaning the row's success status."""
    def expected(ok: int) -> dict[str, int]:
        return {caller: ok if statuses[caller] == "ok" else int(statuses[caller])
                for caller in CALLERS}
    return expected


# Who gets what, per api.md (Roles; the who column of each table).
PUBLIC = _kind(admin="ok", panel="ok", panel_unbound="ok", agency_own="ok", agency_other="ok",
               agency_unbound="ok", anonymous="ok")
ANY_ROLE = _kind(admin="ok", panel="ok", panel_unbound="ok", agency_own="ok",
                 agency_other="ok", agency_unbound="ok", anonymous=401)
ADMIN_ONLY = _kind(admin="ok", panel=403, panel_unbound=403, agency_own=403, agency_other=403,
                   agency_unbound=403, anonymous=401)
REVIEW_BOUND = _kind(admin="ok", panel="ok", panel_unbound=404, agency_own="ok",
                     agency_other="ok", agency_unbound=404, anonymous=401)
RETURN_READ = _kind(admin="ok", panel="ok", panel_unbound=404, agency_own="ok",
                    agency_other=404, agency_unbound=404, anonymous=401)
AGENCY_WRITE = _kind(admin=403, panel=403, panel_unbound=403, agency_own="ok",
                     agency_other=404, agency_unbound=404, anonymous=401)
PANEL_READ = _kind(admin="ok", panel="ok", panel_unbound=404, agency_own=403,
                   agency_other=403, agency_unbound=403, anonymous=401)
PANEL_WRITE = _kind(admin=403, panel="ok", panel_unbound=404, agency_own=403,
                    agency_other=403, agency_unbound=403, anonymous=401)


@dataclass
class Row:
    expected: dict[str, int]
    form: str = "chronology"
    body: Callable[[int], Any] | None = None
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    after: Callable[[Services], None] | None = None


def _reenable(services: Services) -> None:
    services.plugins.set_enabled(SYSTEM, "testing", True)


RETURN_T = "/v1/reviews/{ref}/returns/{agency}/{form}"
ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/v1/health"): Row(PUBLIC(200)),
    ("GET", "/v1/ready"): Row(PUBLIC(200)),
    ("GET", "/v1/openapi.json"): Row(PUBLIC(200)),
    ("GET", "/metrics"): Row(PUBLIC(200)),  # operations (issue 6): counts only, no data
    ("GET", "/v1/problems"): Row(PUBLIC(200)),
    ("GET", "/v1/problems/{slug}"): Row(PUBLIC(200)),
    ("GET", "/v1/schemas"): Row(ANY_ROLE(200)),
    ("GET", "/v1/schemas/{group}/{file}"): Row(ANY_ROLE(200)),
    ("GET", "/v1/agencies"): Row(ANY_ROLE(200)),
    ("GET", "/v1/agencies/{agency}/forms/{form}"): Row(ANY_ROLE(200)),
    ("POST", "/v1/agencies/{agency}/forms/{form}/validate"): Row(
        REVIEW_BOUND(200), body=lambda n: {"document": document()}, query={"review": REF}),
    ("POST", "/v1/reviews"): Row(ADMIN_ONLY(201),
                                 body=lambda n: {**REVIEW, "ref": f"MTX-2026-{n:03d}"}),
    ("GET", "/v1/reviews"): Row(ANY_ROLE(200)),
    ("GET", "/v1/reviews/{ref}"): Row(REVIEW_BOUND(200)),
    ("PATCH", "/v1/reviews/{ref}"): Row(ADMIN_ONLY(200), headers={"If-Match": "*"},
                                        body=lambda n: {"title": f"Child A ({n})"}),
    ("GET", "/v1/reviews/{ref}/returns"): Row(REVIEW_BOUND(200)),
    ("PUT", RETURN_T): Row(AGENCY_WRITE(200), headers={"If-Match": "*"},
                           body=lambda n: {"document": document(description="Amended.")}),
    ("GET", RETURN_T): Row(RETURN_READ(200)),
    ("GET", RETURN_T + "/revisions"): Row(RETURN_READ(200)),
    ("GET", RETURN_T + "/revisions/{number:int(min=1, max=2147483647)}"): Row(RETURN_READ(200)),
    ("POST", RETURN_T + "/state"): Row(PANEL_WRITE(200), form="report",
                                       body=lambda n: {"state": "accepted"}),
    ("GET", RETURN_T + "/state"): Row(RETURN_READ(200)),
    ("GET", RETURN_T + "/diff"): Row(RETURN_READ(200)),
    ("GET", "/v1/reviews/{ref}/chronology"): Row(PANEL_READ(200)),
    ("GET", "/v1/reviews/{ref}/tracker"): Row(PANEL_READ(200)),
    ("GET", "/v1/admin/plugins"): Row(ADMIN_ONLY(200)),
    ("POST", "/v1/admin/plugins/{name}/enable"): Row(ADMIN_ONLY(200)),
    ("POST", "/v1/admin/plugins/{name}/disable"): Row(ADMIN_ONLY(200), after=_reenable),
    ("POST", "/v1/admin/tokens"): Row(
        ADMIN_ONLY(201), body=lambda n: {"name": f"m{n}", "role": "panel", "reviews": [REF]}),
    ("GET", "/v1/admin/tokens"): Row(ADMIN_ONLY(200)),
    ("DELETE", "/v1/admin/tokens/{token_id}"): Row(ADMIN_ONLY(200)),
    ("GET", "/v1/admin/audit"): Row(ADMIN_ONLY(200)),
}
# HEAD is GET without the body: the same answer, row for row.
ROWS.update({("HEAD", template): row for (method, template), row in list(ROWS.items())
             if method == "GET"})


def router_routes(app: falcon.App[falcon.Request, falcon.Response]
                  ) -> Iterator[tuple[str, str, Any]]:
    """(METHOD, template, responder) for every responder falcon will dispatch to."""
    stack: list[Any] = list(app._router._roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.resource is None:
            continue
        for method, responder in (node.method_map or {}).items():
            # falcon fills the other methods with its own 405/OPTIONS responders
            if getattr(responder, "__self__", None) is node.resource:
                yield str(method), str(node.uri_template), responder


class Callers:
    """The seven callers' secrets, and a return in two revisions plus a report."""

    def __init__(self, world: World) -> None:
        s, client = world.services, world.client
        other = client.simulate_post("/v1/reviews", json={**REVIEW, "ref": OTHER_REF},
                                     headers=auth(world.admin))
        assert other.status_code == 201, other.text
        self.secrets: dict[str, str | None] = {
            "admin": world.admin, "panel": world.panel, "agency_own": world.agency,
            "agency_other": world.other, "anonymous": None,
            "panel_unbound": s.tokens.create(name="pu", role="panel", reviews=[OTHER_REF])[0],
            "agency_unbound": s.tokens.create(name="au", role="agency", agency="testing",
                                              reviews=[OTHER_REF])[0]}
        first = world.put(document())
        assert first.status_code == 201, first.text
        second = world.put(document(description="Amended."),
                           **{"If-Match": first.headers["ETag"]})
        assert second.status_code == 200 and second.json["revision"] == 2, second.text
        report = client.simulate_put(f"/v1/reviews/{REF}/returns/testing/report",
                                     json={"document": {"summary": "Nothing more."}},
                                     headers=auth(world.agency))
        assert report.status_code == 201, report.text


def _path(template: str, row: Row, services: Services, n: int) -> str:
    values = {"ref": REF, "agency": "testing", "form": row.form,
              "number:int(min=1, max=2147483647)": "1", "name": "testing",
              "slug": "not-found", "group": "common", "file": "defs.v1.json"}
    if "{token_id}" in template:
        values["token_id"] = services.tokens.create(name=f"d{n}", role="panel",
                                                    reviews=[REF])[1]["id"]
    path = template
    for key, value in values.items():
        path = path.replace("{" + key + "}", value)
    return path


def _without_instance(body: Any) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "instance"}


def test_every_route_by_every_caller(world: World) -> None:
    app = world.client.app
    found = {(m, t): r for m, t, r in router_routes(app)}
    unpoliced = sorted(k for k, responder in found.items() if policy_of(responder) is None)
    assert unpoliced == [], f"routes without a policy: {unpoliced}"
    assert sorted(set(found) - set(ROWS)) == [], "routes without a row in the matrix"
    assert sorted(set(ROWS) - set(found)) == [], "rows for routes that do not exist"

    callers = Callers(world)
    missing = world.client.simulate_get("/v1/reviews/NO-SUCH-REVIEW/returns/testing/chronology",
                                        headers=auth(world.admin, **{"X-Purpose": PURPOSE}))
    assert missing.status_code == 404
    nothing = _without_instance(missing.json)
    assert _without_instance(world.client.simulate_get("/v1/no/such/route").json) == nothing

    counter, cases, wrong = itertools.count(), 0, []
    for (method, template), row in sorted(ROWS.items()):
        for caller in CALLERS:
            n = next(counter)
            secret = callers.secrets[caller]
            headers = {"X-Purpose": PURPOSE, **row.headers}
            if secret is not None:
                headers["Authorization"] = f"Bearer {secret}"
            response = world.client.simulate_request(
                method, _path(template, row, world.services, n), headers=headers,
                params=row.query, json=row.body(n) if row.body else None)
            if row.after is not None:
                row.after(world.services)
            cases += 1
            want, got = row.expected[caller], response.status_code
            if got != want:
                wrong.append(f"{method} {template} as {caller}: {got}, expected {want} "
                             f"({response.text[:120]})")
            elif got == 404 and method != "HEAD" and \
                    _without_instance(response.json) != nothing:
                wrong.append(f"{method} {template} as {caller}: a 404 unlike a missing one: "
                             f"{response.text}")
            elif got == 401 and "Bearer" not in response.headers.get("WWW-Authenticate", ""):
                wrong.append(f"{method} {template} as {caller}: 401 without WWW-Authenticate")
    print(f"authorization matrix: {len(ROWS)} routes x {len(CALLERS)} callers = {cases} cases")
    assert cases == len(found) * len(CALLERS) == 55 * 7  # 385: update with a new row
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("query", [{}, {"agency": "testing"}, {"agency": "health"},
                                   {"form": "chronology"}, {"state": "submitted"}])
def test_an_agency_lists_only_its_own_returns_whatever_it_asks(world: World,
                                                               query: dict[str, str]) -> None:
    Callers(world)
    for secret, agency in ((world.other, "health"), (world.agency, "testing")):
        response = world.client.simulate_get(f"/v1/reviews/{REF}/returns", params=query,
                                             headers=auth(secret))
        assert response.status_code == 200
        assert {i["agency"] for i in response.json["items"]} <= {agency}
    seen = world.client.simulate_get(f"/v1/reviews/{REF}/returns", params=query,
                                     headers=auth(world.other))
    assert "testing" not in seen.text
