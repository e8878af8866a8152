"""Every shipped example of the five seed agencies, over HTTP, as a client would send it.

One app over the real plugin host (every installed entry point), production
settings, the example review opened through the API and one agency token per
agency. Examples go into one return per agency and form with amend semantics:
the first PUT submits, later ones amend with ``If-Match: *``, so each example
is checked exactly as submitted, whatever ran before.
An invalid example gives a 422 whose problem codes are exactly its "expect";
one whose expected codes are only warnings is accepted with exactly those
warnings. An example written for a review-less dry run ("review": "none")
goes to the validate endpoint without a review, which is exactly that.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pytest
from falcon.testing import TestClient

from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.plugins import GROUP, PluginHost
from scr_returns.core.plugintools import SUBMITTED_AT, Example, examples_of
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine, upgrade
from tests.support.example_review import REVIEW

AGENCIES = ("health", "police", "education", "social-care", "legal")
FORMS = {"chronology", "agency-report", "nil-return", "records-secured"}
REFS = {"default": "IOW-2026-01", "no-agencies": "IOW-2026-02"}


def _module(agency: str) -> object:
    # Each seed agency's entry point carries the agency's name.
    (ep,) = [e for e in metadata.entry_points(group=GROUP) if e.name == agency]
    return ep.load()


EXAMPLES = [pytest.param(agency, ex, id=f"{agency}/{ex.path}")
            for agency in AGENCIES for ex in examples_of(_module(agency))]


def _review_body(ref: str, *, asked: bool) -> dict[str, Any]:
    review = REVIEW  # the example review, every seed agency asked in
    return {
        "ref": ref, "type": review.type, "title": review.title,
        "scoping_period": {"from": review.scope_from.isoformat(),
                           "to": review.scope_to.isoformat()},
        "subjects": [{"key": k, "role": r} for k, r in review.subjects.items()],
        "kloes": [{"id": k.id, "question": k.question} for k in review.kloes],
        "agencies": [{"agency": a, "forms": [{"form": f, "due": "2026-03-01"} for f in forms]}
                     for a, forms in review.agencies.items()] if asked else [],
    }


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


@dataclass
class World:
    """The app (one per plugin settings), the admin and each agency's token."""

    services: Services
    host: PluginHost
    admin: str
    tokens: dict[str, str]
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, plugin: str = "", config: dict[str, Any] | None = None) -> TestClient:
        """An app whose settings carry ``config`` for ``plugin``; same store, host, clock."""
        key = json.dumps([plugin, config or {}], sort_keys=True)
        if key not in self.clients:
            settings = self.services.settings.with_(
                plugin_config={plugin: config} if config else {})
            services = build_services(settings, host=self.host, store=self.services.store,
                                      clock=self.services.clock)
            self.clients[key] = TestClient(create_app(services=services))
        return self.clients[key]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("examples-http")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(data_dir=folder, database_url=url, production=True,
                        plugin_refresh_seconds=0.0)
    host = PluginHost()  # every installed entry point, as the service loads them
    store = Store(make_engine(url))
    services = build_services(settings, host=host, store=store, clock=lambda: SUBMITTED_AT)
    admin = services.tokens.create(name="admin", role="admin")[0]
    tokens = {a: services.tokens.create(name=a, role="agency", agency=a,
                                        reviews=list(REFS.values()))[0] for a in AGENCIES}
    made = World(services, host, admin, tokens)
    for name, ref in REFS.items():
        opened = made.client().simulate_post(
            "/v1/reviews", json=_review_body(ref, asked=name == "default"), headers=auth(admin))
        assert opened.status_code == 201, opened.text
    yield made
    store.engine.dispose()


@pytest.mark.parametrize("agency", AGENCIES)
def test_agency_is_listed_with_its_four_forms(world: World, agency: str) -> None:
    listed = world.client().simulate_get("/v1/agencies", headers=auth(world.tokens[agency]))
    assert listed.status_code == 200
    (found,) = [a for a in listed.json["agencies"] if a["name"] == agency]
    assert {f["name"] for f in found["forms"]} == FORMS
    assert all(f["versions"] and f["newest"] == max(f["versions"]) for f in found["forms"])


def _put(client: TestClient, token: str, ref: str, agency: str, ex: Example) -> tuple[Any, int]:
    """PUT the example as a submission or an amendment; the answer and the status due."""
    listed = client.simulate_get(f"/v1/reviews/{ref}/returns", headers=auth(token),
                                 params={"agency": agency, "form": ex.form})
    assert listed.status_code == 200, listed.text
    exists = bool(listed.json["items"])
    headers = auth(token, **({"If-Match": "*"} if exists else {}))
    answer = client.simulate_put(f"/v1/reviews/{ref}/returns/{agency}/{ex.form}",
                                 headers=headers,
                                 json={"document": ex.document, "schema_version": ex.version})
    return answer, 200 if exists else 201


@pytest.mark.parametrize(("agency", "ex"), EXAMPLES)
def test_example_over_http(world: World, agency: str, ex: Example) -> None:
    assert ex.error is None, ex.error
    plugin = world.host.by_agency[agency].name
    client = world.client(plugin, dict(ex.config))
    token = world.tokens[agency]
    if ex.review == "none":
        dry = client.simulate_post(f"/v1/agencies/{agency}/forms/{ex.form}/validate",
                                   json={"document": ex.document, "schema_version": ex.version},
                                   headers=auth(token))
        assert dry.status_code == 200, dry.text
        assert {p["code"] for p in dry.json["problems"]} == set(ex.expect)
        return
    answer, due = _put(client, token, REFS[ex.review], agency, ex)
    if ex.kind == "valid":
        assert answer.status_code == due, answer.text
        assert {w["code"] for w in answer.json["warnings"]} <= ex.expect
        assert answer.json["schema_version"] == ex.version
        return
    if answer.status_code == 422:
        problems = answer.json["problems"]
        assert {p["code"] for p in problems} == set(ex.expect), problems
        assert any(p["severity"] == "error" for p in problems)
        assert all(p["pointer"] == "" or p["pointer"].startswith("/") for p in problems)
    else:
        # Only warnings expected: a warning never blocks; it is stored with the return.
        assert answer.status_code == due, answer.text
        assert {w["code"] for w in answer.json["warnings"]} == set(ex.expect)


NEW_COLUMNS = {
    "health": ("other_nhs_numbers.subject", "other_nhs_numbers.nhs_number"),
    "police": ("referral_to_childrens_services.made", "referral_to_childrens_services.date",
               "interview.interviewee", "interview.under_caution", "cro_numbers.cro_number",
               "custody_decision", "offence"),
    "education": ("attendance.from", "attendance.to", "attendance.percentage",
                  "upn_recorded.kind", "dsl_no_referral.reason",
                  "operation_encompass.incident_date", "shared_with"),
    "social-care": ("contact_reason", "became_referral", "assessment_outcome",
                    "section_47.status", "section_47.icpc_called", "court_report_type"),
    "legal": ("proceedings", "hearing_type"),
}
"""Fields of the newest chronology versions (issue 18), as integrated CSV columns."""


def test_the_integrated_csv_gives_the_new_fields_columns_of_their_own(world: World) -> None:
    for agency in AGENCIES:
        ex = next(e for e in examples_of(_module(agency)) if e.form == "chronology"
                  and e.kind == "valid" and e.path.endswith(f"chronology.v{e.version}.json")
                  and e.version == max(x.version for x in examples_of(_module(agency))
                                       if x.form == "chronology"))
        answer, due = _put(world.client(), world.tokens[agency], REFS["default"], agency, ex)
        assert answer.status_code == due, answer.text
    got = world.client().simulate_get(f"/v1/reviews/{REFS['default']}/chronology",
                                      params={"format": "csv"},
                                      headers=auth(world.admin, **{"X-Purpose": "panel analysis"}))
    assert got.status_code == 200, got.text
    rows = list(csv.DictReader(io.StringIO(got.text.lstrip("\ufeff"), newline="")))
    header = set(rows[0])
    for agency, columns in NEW_COLUMNS.items():
        for column in columns:
            name = f"{agency}.{column}"
            assert name in header, name
            assert any(row[name] for row in rows), f"{name} is empty in every row"
    own = [name for name in header if name.split(".", 1)[0] in AGENCIES]
    for row in rows:
        for name in own:
            assert not row[name].startswith(("{", "[")), (name, row[name])
