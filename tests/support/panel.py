"""A review with chronologies from four agencies, for the panel's tools.

Besides the test plugin's ``testing`` agency, three throw-away agencies are
registered in a local PluginHost: ``alpha`` and ``beta`` build on the common
chronology entry with fields of their own; ``gamma`` maps the common columns
onto names of its own (entries under ``/records``, id ``ref``, date ``when``).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from scr_returns import AgencySpec, ChronologyMapping, FormSpec, FormVersion, hookimpl
from scr_returns.core.auth import Principal
from scr_returns.core.bootstrap import build_services
from scr_returns.core.envelopes import ReviewSchema, load
from scr_returns.core.errors import NotFoundError
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Services
from scr_returns.core.service.returns import Submitted, etag
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine
from tests import testplugin
from tests.support.clock import Clock

REF = "IOW-2026-07"
COMMON = "https://scr-returns.invalid/schemas/common/"
DEFS = COMMON + "defs.v1.json#/$defs/"


def _common_chronology(agency: str, own: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://scr-returns.invalid/schemas/{agency}/chronology.v1.json",
        "title": f"{agency} chronology", "type": "object", "required": ["entries"],
        "properties": {"entries": {"type": "array", "minItems": 1, "items": {
            "$ref": COMMON + "chronology-entry.v1.json", "properties": own,
            "unevaluatedProperties": False}}},
        "additionalProperties": False,
    }


GAMMA_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://scr-returns.invalid/schemas/gamma/chronology.v1.json",
    "title": "gamma chronology", "type": "object", "required": ["records"],
    "properties": {"records": {"type": "array", "items": {
        "type": "object", "required": ["ref", "when", "what", "subjects", "event_type"],
        "properties": {
            "ref": {"$ref": DEFS + "entryId"}, "when": {"$ref": DEFS + "date"},
            "date_precision": {"$ref": DEFS + "datePrecision"}, "time": {"$ref": DEFS + "time"},
            "sequence": {"type": "integer"}, "what": {"type": "string"},
            "subjects": {"$ref": DEFS + "subjects"}, "event_type": {"type": "string"},
            "background": {"type": "boolean"}, "officer": {"type": "string"}},
        "additionalProperties": False}}},
    "additionalProperties": False,
}


class Agency:
    """A throw-away plugin object: pluggy takes any object with hook implementations."""

    def __init__(self, name: str, schema: dict[str, Any],
                 mapping: ChronologyMapping | None = None) -> None:
        self.name, self.schema = name, schema
        self.mapping = mapping or ChronologyMapping()

    @hookimpl
    def scr_returns_register_agency(self) -> AgencySpec:
        return AgencySpec(name=self.name, title=self.name.title(), version="1.0", forms=(
            FormSpec(name="chronology", title="Chronology", description="Dated entries.",
                     versions=(FormVersion(1, self.schema),), chronology=self.mapping),))


@functools.cache
def panel_host() -> PluginHost:
    return PluginHost(entry_points=False, extra={
        "testing": testplugin,
        "alpha": Agency("alpha", _common_chronology("alpha", {"team_code": {"type": "string"}})),
        "beta": Agency("beta", _common_chronology("beta", {
            "risk_level": {"enum": ["low", "high"]},
            "referral": {"type": "object", "properties": {
                "made": {"type": "boolean"}, "date": {"$ref": DEFS + "dateOrNotKnown"}}},
            "people": {"type": "array", "items": {"type": "object", "properties": {
                "subject": {"type": "string"}, "number": {"type": "string"}}}}})),
        "gamma": Agency("gamma", GAMMA_SCHEMA, ChronologyMapping(
            entries="/records", id_field="ref", columns={"date": "when", "description": "what"})),
    })


REVIEW_JSON: dict[str, Any] = {
    "ref": REF, "type": "cspr", "title": "Child G",
    "scoping_period": {"from": "2024-01-01", "to": "2025-12-31"},
    "subjects": [{"key": "child-a", "role": "subject child"}, {"key": "mother", "role": "mother"},
                 {"key": "father", "role": "father"}],
    "agencies": [
        {"agency": "testing", "forms": [{"form": "chronology", "due": "2026-11-01"},
                                        {"form": "report", "due": "2026-12-31"}]},
        {"agency": "alpha", "forms": [{"form": "chronology", "due": "2026-11-20"}]},
        {"agency": "beta", "forms": [{"form": "chronology", "due": None}]},
        {"agency": "gamma", "forms": [{"form": "chronology", "due": "2026-12-01"}]},
    ],
}

PANEL = Principal("tok_panel", "panel", reviews=frozenset({REF}))
ADMIN = Principal("tok_admin", "admin")


def agency(name: str) -> Principal:
    return Principal(f"tok_{name}", "agency", agency=name, reviews=frozenset({REF}))


def entry(entry_id: str, date: str, **extra: Any) -> dict[str, Any]:
    """A common chronology entry (event type 'visit', about child-a) with any changes."""
    base: dict[str, Any] = {
        "id": entry_id, "date": date, "source": {"service": "Team", "role": "Worker"},
        "subjects": ["child-a"], "event_type": "visit", "description": f"Entry {entry_id}.",
        "decision_or_action": "Advice given."}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def doc(*entries: dict[str, Any]) -> dict[str, Any]:
    """A document of the testing agency (v2 needs a location on every entry)."""
    return {"entries": [{"location": "Home", **copy.deepcopy(e)} for e in entries],
            "explode": False}


def gamma_record(ref: str, when: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"ref": ref, "when": when, "what": f"Record {ref}.",
                            "subjects": ["mother"], "event_type": "arrest"}
    base.update(extra)
    return base


def make_services(settings: Settings, clock: Clock) -> Services:
    return build_services(settings, host=panel_host(), store=Store(make_engine(
        settings.database_url)), clock=clock)


def open_review(services: Services) -> None:
    services.reviews.create(load(ReviewSchema(), copy.deepcopy(REVIEW_JSON)))


def submit(services: Services, name: str, document: dict[str, Any], form: str = "chronology",
           if_match: str | None = None) -> Submitted:
    if if_match is None:
        try:
            rev = services.returns.latest(agency(name), REF, name, form).revision
            if_match = etag(rev.number, rev.sha256)
        except NotFoundError:  # no return yet: the first submission
            if_match = None
    return services.returns.submit(agency(name), REF, name, form, {"document": document},
                                   if_match=if_match)
