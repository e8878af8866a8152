"""The integrated chronology: every latest entry once, in order, in JSON, NDJSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from scr_returns.core.errors import ForbiddenError, NotFoundError
from scr_returns.core.service import Services
from scr_returns.core.service.exports import Format, neutralise
from scr_returns.core.settings import Settings
from scr_returns.core.storage.chronology import EntryFilter
from tests.support.clock import Clock
from tests.support.panel import (
    ADMIN,
    PANEL,
    REF,
    agency,
    doc,
    entry,
    gamma_record,
    make_services,
    open_review,
    submit,
)

HYPERLINK = '=HYPERLINK("http://x","y")'
RANK = {"exact": 0, "month": 1, "year": 2, "approximate": 3}

TESTING_V1 = doc(entry("t1", "2024-03-01", time="09:00"), entry("t9", "2024-04-01"))
TESTING = doc(
    entry("t1", "2024-03-01", time="09:00"), entry("t2", "2024-03-01", time="14:30"),
    entry("t3", "2024-03-01"), entry("t4", "2024-05-01", date_precision="month"),
    entry("t5", "2023-06-01", background=True, background_reason="Earlier history."),
    entry("t6", "2024-07-01", description=HYPERLINK, subjects=["mother"], event_type="call"))
ALPHA = {"entries": [
    entry("a1", "2024-03-01", time="09:00", team_code="T1"),
    entry("a2", "2024-03-01", sequence=2, event_type="review"),
    entry("a3", "2024-03-01", sequence=1, team_code="-T3"),
    entry("a4", "2024-01-01", date_precision="year", event_type="meeting"),
    entry("a5", "2024-05-01"), entry("a6", "2024-05-01", date_precision="approximate")]}
BETA = {"entries": [
    entry("b1", "2024-03-01", time="09:00", risk_level="high", subjects=["child-a", "father"],
          referral={"made": True, "date": "not_known"},
          people=[{"subject": "mother", "number": "=1"}, {"subject": "father"}]),
    entry("b2", "2025-12-31", description="+SUM(1)", outcome="@cmd", impact_on_child="\tx"),
    entry("b3", "2024-02-10", description="Ünïcode — kept")]}
GAMMA = {"records": [gamma_record("g1", "2024-03-01", time="09:00", officer="PC 1"),
                     gamma_record("g2", "2024-02-10", sequence=1, event_type="custody")]}


def expected(name: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """What the merge must give for one return, read straight from the document."""
    mapped = name == "gamma"
    rows = []
    for position, raw in enumerate(document["records" if mapped else "entries"]):
        rows.append({
            "entry_id": f"{name}:{raw['ref' if mapped else 'id']}", "agency": name,
            "date": date.fromisoformat(raw["when" if mapped else "date"]),
            "rank": RANK[raw.get("date_precision", "exact")], "time": raw.get("time"),
            "sequence": raw.get("sequence"), "position": position,
            "subjects": raw["subjects"], "event_type": raw["event_type"],
            "background": raw.get("background", False)})
    return rows


def in_order(rows: list[dict[str, Any]]) -> list[str]:
    rows = sorted(rows, key=lambda r: (r["date"], r["rank"], r["time"] is None,
                                       r["time"] or "", r["agency"], r["sequence"] is None,
                                       r["sequence"] or 0, r["position"]))
    return [r["entry_id"] for r in rows]


ALL = expected("testing", TESTING) + expected("alpha", ALPHA) + expected("beta", BETA) + \
    expected("gamma", GAMMA)


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Iterator[Services]:
    built = make_services(settings, clock)
    open_review(built)
    submit(built, "testing", TESTING_V1)
    for name, document in (("testing", TESTING), ("alpha", ALPHA), ("beta", BETA),
                           ("gamma", GAMMA)):
        submit(built, name, document)
    yield built
    built.store.engine.dispose()


def export(services: Services, fmt: Format, entry_filter: EntryFilter | None = None,
           **kw: Any) -> bytes:
    answer = services.chronology.export(PANEL, REF, fmt, entry_filter or EntryFilter(), **kw)
    return b"".join(answer.chunks)


def json_rows(services: Services, entry_filter: EntryFilter | None = None) -> list[dict[str, Any]]:
    body = json.loads(export(services, "json", entry_filter))
    assert body["count"] == len(body["entries"])
    return list(body["entries"])


def csv_rows(services: Services, entry_filter: EntryFilter | None = None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export(services, "csv", entry_filter)
                                           .decode("utf-8-sig"), newline="")))


def test_every_latest_entry_once_in_order_in_every_format(services: Services) -> None:
    want = in_order(ALL)
    assert len(want) == len(set(want)) == 17
    assert [r["entry_id"] for r in json_rows(services)] == want
    lines = export(services, "ndjson").decode().splitlines()
    assert [json.loads(line)["entry_id"] for line in lines] == want
    assert [r["entry_id"] for r in csv_rows(services)] == want
    assert "testing:t9" not in want  # only in revision 1: superseded


def test_rows_keep_common_columns_and_agency_fields_apart(services: Services) -> None:
    rows = {r["entry_id"]: r for r in json_rows(services)}
    g1 = rows["gamma:g1"]
    assert (g1["agency"], g1["agency_entry_id"], g1["revision"], g1["state"]) == \
        ("gamma", "g1", 1, "submitted")
    assert (g1["date"], g1["description"], g1["time"]) == ("2024-03-01", "Record g1.", "09:00")
    assert g1["agency_fields"] == {"officer": "PC 1"}
    assert rows["testing:t1"]["revision"] == 2
    assert rows["testing:t1"]["agency_fields"] == {"location": "Home"}
    assert rows["alpha:a1"]["agency_fields"] == {"team_code": "T1"}
    assert rows["beta:b1"]["agency_fields"]["referral"] == {"made": True, "date": "not_known"}
    assert rows["alpha:a1"]["source"] == {"service": "Team", "role": "Worker"}
    assert rows["testing:t5"]["background"] is True
    assert rows["testing:t5"]["background_reason"] == "Earlier history."
    assert rows["testing:t4"]["date_precision"] == "month"
    assert rows["testing:t6"]["description"] == HYPERLINK  # JSON keeps data as it is


def test_csv_is_for_spreadsheets_and_inert(services: Services) -> None:
    raw = export(services, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    assert not export(services, "csv", bom=False).startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.count("\r\n") == 18  # one header row, 17 rows
    rows = {r["entry_id"]: r for r in csv_rows(services)}
    header = next(csv.reader(io.StringIO(text)))
    assert header[:4] == ["agency", "entry_id", "revision", "state"]
    assert {"alpha.team_code", "beta.risk_level", "gamma.officer", "testing.location"} <= \
        set(header)
    assert rows["testing:t6"]["description"] == "'" + HYPERLINK
    assert rows["beta:b2"]["description"] == "'+SUM(1)"
    assert rows["beta:b2"]["outcome"] == "'@cmd"
    assert rows["beta:b2"]["impact_on_child"] == "'\tx"
    assert rows["alpha:a3"]["alpha.team_code"] == "'-T3"
    assert rows["alpha:a3"]["beta.risk_level"] == ""
    assert rows["beta:b3"]["description"] == "Ünïcode — kept"
    # An object's parts are columns of their own, a list of objects' parts too: no JSON.
    assert {"beta.referral.made", "beta.referral.date", "beta.people.subject",
            "beta.people.number"} <= set(header)
    assert "beta.referral" not in header and "beta.people" not in header
    assert (rows["beta:b1"]["beta.referral.made"], rows["beta:b1"]["beta.referral.date"]) == \
        ("yes", "not_known")
    assert (rows["beta:b1"]["beta.people.subject"], rows["beta:b1"]["beta.people.number"]) == \
        ("mother; father", "'=1; ")
    assert rows["beta:b3"]["beta.referral.made"] == ""
    assert rows["beta:b1"]["subjects"] == "child-a; father"
    assert (rows["beta:b1"]["source_service"], rows["beta:b1"]["source_role"]) == \
        ("Team", "Worker")
    assert rows["testing:t5"]["background"] == "yes"
    assert rows["testing:t4"]["date"] == "2024-05-01"  # ISO dates
    assert rows["alpha:a2"]["sequence"] == "2"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_quotes_every_formula_start(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert neutralise("plain " + text) == "plain " + text


@pytest.mark.parametrize(("entry_filter", "keep"), [
    (EntryFilter(agencies=("alpha", "gamma")), lambda r: r["agency"] in ("alpha", "gamma")),
    (EntryFilter(subjects=("father",)), lambda r: "father" in r["subjects"]),
    (EntryFilter(subjects=("mother", "father")),
     lambda r: {"mother", "father"} & set(r["subjects"])),
    (EntryFilter(event_types=("meeting", "custody")),
     lambda r: r["event_type"] in ("meeting", "custody")),
    # A month or year date covers its whole span: May 2024 overlaps 15-31 May.
    (EntryFilter(date_from=date(2024, 5, 15), date_to=date(2024, 5, 31)),
     lambda r: r["entry_id"] in ("testing:t4", "alpha:a4")),
    (EntryFilter(date_from=date(2024, 3, 1), date_to=date(2024, 3, 1)),
     lambda r: r["date"] == date(2024, 3, 1) or r["entry_id"] == "alpha:a4"),
    (EntryFilter(date_to=date(2023, 12, 31)), lambda r: r["date"].year == 2023),
    (EntryFilter(background=True), lambda r: r["background"]),
    (EntryFilter(background=False, agencies=("testing",)),
     lambda r: r["agency"] == "testing" and not r["background"]),
])
def test_filters_narrow_exactly(services: Services, entry_filter: EntryFilter,
                                keep: Any) -> None:
    want = in_order([r for r in ALL if keep(r)])
    assert want and len(want) < len(ALL)
    assert [r["entry_id"] for r in json_rows(services, entry_filter)] == want
    assert [r["entry_id"] for r in csv_rows(services, entry_filter)] == want


def test_queried_returns_are_in_and_accepted_only_keeps_the_accepted(
        services: Services) -> None:
    services.states.change(PANEL, REF, "beta", "chronology", "queried", "Dates?")
    services.states.change(PANEL, REF, "alpha", "chronology", "accepted", None)
    rows = json_rows(services)
    assert {r["state"] for r in rows if r["agency"] == "beta"} == {"queried"}
    assert len(rows) == len(ALL)
    accepted = json_rows(services, EntryFilter(accepted_only=True))
    assert [r["entry_id"] for r in accepted] == in_order([r for r in ALL
                                                          if r["agency"] == "alpha"])


def test_an_amendment_replaces_the_agencys_entries(services: Services) -> None:
    submit(services, "gamma", {"records": [gamma_record("g3", "2024-08-01")]})
    ids = [r["entry_id"] for r in json_rows(services)]
    assert "gamma:g3" in ids and "gamma:g1" not in ids and "gamma:g2" not in ids
    assert len(ids) == len(ALL) - 1


def test_the_chronology_is_the_panels(services: Services) -> None:
    assert json_rows(services) == json.loads(
        b"".join(services.chronology.export(ADMIN, REF, "json", EntryFilter()).chunks)
    )["entries"]
    with pytest.raises(ForbiddenError):
        services.chronology.export(agency("alpha"), REF, "json", EntryFilter())
    stranger = PANEL.__class__("tok_p2", "panel", reviews=frozenset({"OTHER-1"}))
    with pytest.raises(NotFoundError):
        services.chronology.export(stranger, REF, "json", EntryFilter())


def test_an_empty_selection_is_still_well_formed(services: Services) -> None:
    nothing = EntryFilter(agencies=("nobody",))
    assert json.loads(export(services, "json", nothing))["entries"] == []
    assert export(services, "ndjson", nothing) == b""
    assert csv_rows(services, nothing) == []
