"""An out-of-tree agency: ``pip install`` of examples/probation plus an admin enable.

From outside, against a real ``scr-returns serve``: once installed, probation
is found through its entry point but not offered (a third-party plugin stays
disabled until an admin enables it); after the admin enables it through the
API it is listed in /v1/agencies and takes returns over HTTP. Nothing in core
or in any other plugin knows about it. The distribution is installed with pip into a
folder of its own that the server finds on PYTHONPATH.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scr_returns.core.plugintools import EXAMPLE_REVIEW
from tests.support.distributions import pip_install
from tests.support.serving import Served, serve

ROOT = Path(__file__).resolve().parents[2]
PROBATION = ROOT / "examples" / "probation"
EXAMPLES = PROBATION / "scr_returns_probation" / "examples"
REF = "OOT-2026-01"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pip_install(PROBATION, tmp_path_factory.mktemp("probation-build"))


@pytest.fixture(scope="module")
def server(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory.mktemp("out-of-tree"), {"PYTHONPATH": str(installed)})


def _agencies(http: httpx.Client, token: str) -> list[str]:
    answer = http.get("/v1/agencies", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return [a["name"] for a in answer.json()["agencies"]]


def _load(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def test_installed_probation_is_enabled_by_an_admin_and_takes_returns(server: Served) -> None:
    admin = server.cli("token", "create", "--role", "admin", "--name", "oot").splitlines()[-1]
    http = httpx.Client(base_url=server.url, timeout=30)

    # Installed and found, but not offered: a new intake of children's data
    # needs an admin's decision.
    assert "probation" not in _agencies(http, admin)
    (plugin,) = [p for p in http.get("/v1/admin/plugins", headers=bearer(admin)).json()["plugins"]
                 if p["name"] == "probation"]
    assert (plugin["enabled"], plugin["builtin"], plugin["distribution"]) == \
        (False, False, "scr-returns-probation")

    enabled = http.post("/v1/admin/plugins/probation/enable", headers=bearer(admin))
    assert enabled.status_code == 200, enabled.text
    # Every worker sees it within a second: wait until several answers in a
    # row (from either worker) list it.
    deadline, in_a_row = time.monotonic() + 5, 0
    while in_a_row < 6:
        assert time.monotonic() < deadline, "probation was not offered after enabling"
        in_a_row = in_a_row + 1 if "probation" in _agencies(http, admin) else 0
        time.sleep(0.05)
    listed = http.get("/v1/agencies", headers=bearer(admin)).json()["agencies"]
    (probation,) = [a for a in listed if a["name"] == "probation"]
    assert {f["name"] for f in probation["forms"]} == \
        {"chronology", "agency-report", "nil-return", "records-secured"}

    review = {
        "ref": REF, "type": "cspr", "title": "Child A",
        "scoping_period": {"from": EXAMPLE_REVIEW.scope_from.isoformat(),
                           "to": EXAMPLE_REVIEW.scope_to.isoformat()},
        "subjects": [{"key": k, "role": r} for k, r in EXAMPLE_REVIEW.subjects.items()],
        "kloes": [{"id": k.id, "question": k.question} for k in EXAMPLE_REVIEW.kloes],
        "agencies": [{"agency": "probation",
                      "forms": [{"form": "chronology", "due": "2026-03-01"}]}],
    }
    opened = http.post("/v1/reviews", json=review, headers=bearer(admin))
    assert opened.status_code == 201, opened.text
    made = http.post("/v1/admin/tokens", headers=bearer(admin), json={
        "name": "probation", "role": "agency", "agency": "probation", "reviews": [REF]})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    path = f"/v1/reviews/{REF}/returns/probation/chronology"

    wrong = _load("invalid/chronology.v1.pnc-check-letter.json")
    refused = http.put(path, json={"document": wrong["document"]}, headers=bearer(token))
    assert refused.status_code == 422, refused.text
    assert [(p["pointer"], p["code"]) for p in refused.json()["problems"]] == \
        [("/person_on_probation/pnc_id", "probation.pnc_id.check_letter")]

    accepted = http.put(path, json={"document": _load("valid/chronology.v1.json")},
                        headers=bearer(token))
    assert accepted.status_code == 201, accepted.text
    assert (accepted.json()["revision"], accepted.json()["warnings"]) == (1, [])


def test_check_passes_on_the_installed_distribution(server: Served) -> None:
    report = server.cli("plugins", "check", "probation")
    assert "probation: conforms" in report
    assert "distribution scr-returns-probation" in report
