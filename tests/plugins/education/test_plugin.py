"""The education plugin as core sees it: its agency, forms, codes and entry point."""

from __future__ import annotations

from importlib import metadata

import jsonschema

import scr_returns.plugins.education
from scr_returns import COMMON_CODES
from scr_returns.core.plugins import PluginHost
from scr_returns.plugins.education.rules import CODES

FORMS = ("chronology", "agency-report", "nil-return", "records-secured")


def test_registered_under_the_entry_point_group() -> None:
    found = {ep.name: ep.value for ep in metadata.entry_points(group="scr_returns")}
    assert found.get("education") == "scr_returns.plugins.education"


def test_agency_and_its_four_forms(host: PluginHost) -> None:
    agency = host.by_agency["education"].agency
    assert agency.name == "education"
    assert tuple(f.name for f in agency.forms) == FORMS
    for form in agency.forms:
        assert form.title and form.description and form.example is not None
        # the chronology has a version 2 (issue 18); v1 stays offered
        assert [v.version for v in form.offered] == \
            ([1, 2] if form.name == "chronology" else [1])
        assert form.rules
    chronology = agency.form("chronology")
    assert chronology is not None and chronology.chronology is not None
    assert all(agency.form(f).chronology is None for f in FORMS[1:])  # type: ignore[union-attr]


def test_codes_document_common_and_education_codes(host: PluginHost) -> None:
    codes = host.by_agency["education"].agency.codes
    assert set(codes) == set(COMMON_CODES) | set(CODES)
    for code, meaning in CODES.items():
        assert code.startswith("education.") and code.count(".") == 2, code
        assert meaning.endswith("."), code


def test_schemas_have_stable_ids_and_pass_the_meta_schema(host: PluginHost) -> None:
    for form in host.by_agency["education"].agency.forms:
        for version in form.versions:
            schema = version.schema
            jsonschema.Draft202012Validator.check_schema(schema)
            assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
            assert schema["$id"] == (f"https://scr-returns.invalid/schemas/education/"
                                     f"{form.name}.v{version.version}.json")
            assert schema["title"] and schema["description"]
            assert schema["unevaluatedProperties" if form.name != "chronology"
                          else "additionalProperties"] is False


def test_hook_returns_the_same_value_every_time() -> None:
    assert scr_returns.plugins.education.scr_returns_register_agency() == \
        scr_returns.plugins.education.scr_returns_register_agency()
