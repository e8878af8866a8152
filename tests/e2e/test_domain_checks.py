"""From outside, against a real server: the identifier and date checks issue 3 names.

Each case takes an agency's valid example, changes one value, and submits it
over HTTP: the changed value is refused with the problem located at that field,
and the example with the right value is accepted.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.serving import Served

ROOT = Path(__file__).resolve().parents[2]
REF = "DOM-2026-01"
REVIEW = json.loads((ROOT / "docs" / "tour" / "review.json").read_text(encoding="utf-8"))


def example(agency: str, name: str) -> dict[str, Any]:
    package = agency.replace("-", "_")
    path = ROOT / "plugins" / package / "examples" / "valid" / name
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def tokens(served: Served) -> dict[str, str]:
    admin = served.cli("token", "create", "--role", "admin", "--name", "dom").splitlines()[-1]
    http = httpx.Client(base_url=served.url, timeout=30)
    head = {"Authorization": f"Bearer {admin}"}
    review = {**REVIEW, "ref": REF, "agencies": [
        {"agency": a, "forms": [{"form": "chronology", "due": "2026-03-01"}]}
        for a in ("health", "police", "education")]}
    assert http.post("/v1/reviews", json=review, headers=head).status_code == 201
    made = {}
    for agency in ("health", "police", "education"):
        answer = http.post("/v1/admin/tokens", headers=head, json={
            "name": agency, "role": "agency", "agency": agency, "reviews": [REF]})
        made[agency] = answer.json()["token"]
    return made


def submit(served: Served, token: str, agency: str, document: dict[str, Any]) -> httpx.Response:
    """Submit, or amend (If-Match: *) when a revision is already there (428)."""
    url = f"{served.url}/v1/reviews/{REF}/returns/{agency}/chronology"
    head = {"Authorization": f"Bearer {token}"}
    answer = httpx.put(url, json={"document": document}, headers=head, timeout=30)
    if answer.status_code == 428:
        answer = httpx.put(url, json={"document": document}, headers={**head, "If-Match": "*"},
                           timeout=30)
    return answer


def set_nhs(value: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.update(subject_nhs_number=value)


def set_upn(value: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["pupils"]["child-a"].update(upn=value)


def set_pnc(value: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["entries"][0]["pnc_ids"][0].update(pnc_id=value)


CASES = [
    ("health", "chronology.v1.json", set_nhs("9434765918"), set_nhs("9434765919"),
     ("/subject_nhs_number", "health.nhs_number.check_digit")),
    ("education", "chronology.v1.json", set_upn("B801200005002"), set_upn("B801200005001"),
     ("/pupils/child-a/upn", "education.upn.check_letter")),
    ("police", "chronology.v2.json", set_pnc("99/1234567A"), set_pnc("99/1234567B"),
     ("/entries/0/pnc_ids/0/pnc_id", "police.pnc_id.check_letter")),
]


@pytest.mark.parametrize(("agency", "name", "wrong", "right", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_identifier_refused_at_its_field_and_right_one_accepted(
        served: Served, tokens: dict[str, str], agency: str, name: str,
        wrong: Callable[[dict[str, Any]], None], right: Callable[[dict[str, Any]], None],
        expected: tuple[str, str]) -> None:
    bad = example(agency, name)
    wrong(bad)
    refused = submit(served, tokens[agency], agency, bad)
    assert refused.status_code == 422, refused.text
    assert [(p["pointer"], p["code"]) for p in refused.json()["problems"]] == [expected]
    good = example(agency, name)
    right(good)
    accepted = submit(served, tokens[agency], agency, good)
    assert accepted.status_code in (200, 201), accepted.text


def test_entry_before_the_scope_needs_background_with_a_reason(served: Served,
                                                               tokens: dict[str, str]) -> None:
    doc = example("health", "chronology.v1.json")
    entry = next(e for e in doc["entries"] if not e.get("background"))
    index = doc["entries"].index(entry)
    moved = copy.deepcopy(doc)
    # Keep the order valid: move the entry to the very start, dated before the scope.
    early = moved["entries"].pop(index)
    early.update(date="2023-01-02", id="h-early")
    early.pop("time", None)
    early.pop("background", None)
    early.pop("background_reason", None)
    moved["entries"].insert(0, early)
    refused = submit(served, tokens["health"], "health", moved)
    assert refused.status_code == 422, refused.text
    assert ("/entries/0/date", "chronology.date.outside_scope") in \
        {(p["pointer"], p["code"]) for p in refused.json()["problems"]}
    early["background"] = True
    no_reason = submit(served, tokens["health"], "health", moved)
    assert "chronology.background.reason_missing" in \
        {p["code"] for p in no_reason.json()["problems"]}
    early["background_reason"] = "Shows what was known before the scoping period."
    accepted = submit(served, tokens["health"], "health", moved)
    assert accepted.status_code in (200, 201), accepted.text


def test_unknown_subject_key_is_refused(served: Served, tokens: dict[str, str]) -> None:
    doc = example("health", "chronology.v1.json")
    doc["entries"][1]["subjects"] = ["child-b"]
    refused = submit(served, tokens["health"], "health", doc)
    assert refused.status_code == 422
    assert [(p["pointer"], p["code"]) for p in refused.json()["problems"]] == \
        [("/entries/1/subjects/0", "chronology.subject.unknown")]
