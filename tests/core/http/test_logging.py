"""JSON logs carry the request id and never a token or any value of a return.

In process: a plugin rule that fails while quoting the document in its
exception message; the failure is logged (type and frames) without the
message. Served: a real ``scr-returns serve`` handles requests that carry
tokens (in the header, and misplaced in a query string) and return documents,
valid and invalid; every log line is one JSON object and none holds a secret
or a document value.
"""

from __future__ import annotations

import copy
import json
import logging
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from falcon.testing import TestClient

from scr_returns import AgencySpec, Problem, RuleContext, hookimpl
from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.logs import JsonFormatter
from scr_returns.core.plugins import PluginHost
from scr_returns.core.settings import Settings
from tests import testplugin
from tests.support.http_world import REF, RETURN, REVIEW, auth, document
from tests.support.serving import BIN, serve

ROOT = Path(__file__).resolve().parents[3]
LEAKED = "Home visit, mother disclosed LEAK-7d1c"
STARTUP_LINES = ("scr-returns listening on ", "database: ", "first admin token: ")


def leaky_rule(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Problem]:
    """A plugin bug of the worst kind: the exception quotes the document."""
    for entry in doc["entries"]:
        if "LEAK" in entry.get("description", ""):
            raise ValueError(f"cannot parse {entry['description']!r}")
    return iter(())


class LeakyTesting:
    @hookimpl
    def scr_returns_register_agency(self) -> AgencySpec:
        spec = testplugin.scr_returns_register_agency()
        chronology = spec.forms[0]
        return replace(spec, forms=(replace(chronology, rules=(*chronology.rules, leaky_rule)),
                                    *spec.forms[1:]))


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler, root = Captured(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_a_failing_rule_is_logged_with_the_request_id_and_without_the_document(
        settings: Settings, captured: Captured) -> None:
    host = PluginHost(entry_points=False, extra={"testing": LeakyTesting()})
    services = build_services(settings, host=host)
    try:
        client = TestClient(create_app(services=services))
        admin = services.tokens.create(name="admin", role="admin")[0]
        agency = services.tokens.create(name="t", role="agency", agency="testing",
                                        reviews=[REF])[0]
        assert client.simulate_post("/v1/reviews", json=REVIEW,
                                    headers=auth(admin)).status_code == 201
        doc = document(description=LEAKED)
        response = client.simulate_put(RETURN, json={"document": doc},
                                       headers=auth(agency, **{"X-Request-ID": "leak-test-01"}))
    finally:
        services.store.engine.dispose()
    assert response.status_code == 500
    records = [json.loads(line) for line in captured.lines]
    failures = [r for r in records if r.get("exception")]
    assert failures, captured.lines
    assert failures[0]["request_id"] == "leak-test-01"
    assert failures[0]["exception"]["type"] == "builtins.ValueError"
    assert any("leaky_rule" in frame for frame in failures[0]["exception"]["frames"])
    text = "\n".join(captured.lines)
    for secret in (admin, agency, "LEAK-7d1c", *(s for s in strings(doc) if len(s) > 6)):
        assert secret not in text


@pytest.fixture(scope="module")
def served_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("logs")
    for served in serve(data):
        admin = subprocess.run([str(BIN), "token", "create", "--role", "admin"], env=served.env,
                               capture_output=True, text=True, check=True,
                               timeout=60).stdout.splitlines()[-1]
        http = httpx.Client(base_url=served.url, timeout=30)
        review = json.loads((ROOT / "docs/tour/review.json").read_text())
        assert http.post("/v1/reviews", json=review, headers=auth(admin)).status_code == 201
        made = http.post("/v1/admin/tokens", headers=auth(admin), json={
            "name": "health", "role": "agency", "agency": "health", "reviews": [review["ref"]]})
        agency = made.json()["token"]
        valid = json.loads((ROOT / "plugins/health/examples/valid/chronology.v1.json")
                           .read_text())
        invalid = copy.deepcopy(valid)
        invalid["subject_nhs_number"] = "9434765918"
        invalid["entries"][0]["date"] = "2024-02-30"
        invalid["entries"][0]["description"] = "Disclosure recorded LEAK-91ab"
        path = f"/v1/reviews/{review['ref']}/returns/health/chronology"
        first = http.put(path, json={"document": valid},
                         headers=auth(agency, **{"Idempotency-Key": "log-1",
                                                 "X-Request-ID": "log-test-0001"}))
        assert first.status_code == 201, first.text
        refused = http.put(path, json={"document": invalid}, headers=auth(agency))
        assert refused.status_code in (412, 422, 428), refused.text
        dry = http.post("/v1/agencies/health/forms/chronology/validate",
                        json={"document": invalid}, headers=auth(agency))
        assert dry.status_code == 200
        misplaced = http.get(f"/v1/agencies?access_token={agency}&nhs=9434765918")
        assert misplaced.status_code == 401
        read = http.get(path, headers=auth(admin, **{"X-Purpose": "checking the log test"}))
        assert read.status_code == 200
        http.close()
        yield {"log": served.log, "secrets": [admin, agency],
               "documents": [valid, invalid], "served": served}


def test_every_line_is_one_json_object_with_the_request_id(served_log: dict[str, Any]) -> None:
    lines = served_log["log"].read_text().splitlines()
    records = [json.loads(line) for line in lines if not line.startswith(STARTUP_LINES)]
    assert all(isinstance(r, dict) and {"time", "level", "logger"} <= set(r) for r in records)
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert {"method": "PUT", "status": 201, "request_id": "log-test-0001"}.items() <= \
        next(r for r in access if r["request_id"] == "log-test-0001").items()
    assert all(r["request_id"] for r in access)
    assert any(r["path"] == "/v1/agencies" and r["status"] == 401 for r in access)


def test_no_token_and_no_document_value_reaches_the_log(served_log: dict[str, Any]) -> None:
    text = served_log["log"].read_text()
    assert "access_token" not in text and "9434765918" not in text  # the query string
    for secret in served_log["secrets"]:
        assert secret not in text
        assert secret[:16] not in text
    values = {s for doc in served_log["documents"] for s in strings(doc) if len(s) >= 8}
    values |= {"9434765919", "LEAK-91ab"}
    leaked = sorted(v for v in values if v in text)
    assert not leaked
