"""The police plugin's registration: its agency, forms, versions, schemas and codes."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema

import scr_returns.plugins.police
from scr_returns import COMMON_CODES
from scr_returns.core.plugins import PluginHost
from scr_returns.plugins.police.rules import CODES
from tests.support.agency_kit import Validate

PACKAGE = Path(scr_returns.plugins.police.__file__).parent
SCHEMAS = PACKAGE / "schemas"
VALID = PACKAGE / "examples" / "valid"
ID_BASE = "https://scr-returns.invalid/schemas/police/"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_police_is_registered_through_the_entry_point() -> None:
    found = [ep for ep in metadata.entry_points(group="scr_returns") if ep.name == "police"]
    assert [ep.value for ep in found] == ["scr_returns.plugins.police"]


def test_agency_and_its_four_forms(host: PluginHost) -> None:
    agency = host.by_agency["police"].agency
    assert (agency.name, agency.title) == ("police", "Police")
    assert [f.name for f in agency.forms] == \
        ["chronology", "agency-report", "nil-return", "records-secured"]
    for form in agency.forms:
        assert form.title and form.description and form.rules and form.example is not None
    chronology = agency.form("chronology")
    assert chronology is not None and chronology.chronology is not None


def test_chronology_offers_every_version_and_newest_is_v3(host: PluginHost) -> None:
    form = host.by_agency["police"].agency.form("chronology")
    assert form is not None
    assert [v.version for v in form.offered] == [1, 2, 3]
    assert form.newest is not None and form.newest.version == 3
    for n in (1, 2, 3):
        version = form.version(n)
        assert version is not None and version.schema["$id"] == f"{ID_BASE}chronology.v{n}.json"
    assert set(host.form("police", "chronology").engines) == {1, 2, 3}  # type: ignore[union-attr]


def test_codes_document_common_and_police_codes(host: PluginHost) -> None:
    codes = host.by_agency["police"].agency.codes
    assert dict(codes) == {**COMMON_CODES, **CODES}
    assert all(c.startswith("police.") and meaning for c, meaning in CODES.items())


def test_schema_files_have_stable_ids_and_pass_the_meta_schema() -> None:
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = _load(path)
        form, version = path.name.removeprefix("police.").removesuffix(".schema.json") \
            .rsplit(".v", 1)
        assert schema["$id"] == f"{ID_BASE}{form}.v{version}.json"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] and schema["description"]
        jsonschema.Draft202012Validator.check_schema(schema)


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}/{name}", sub
        for key, sub in node.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}/{i}")


def test_every_police_field_is_described_for_practitioners() -> None:
    for path in sorted(SCHEMAS.glob("*.json")):
        for where, sub in _properties(_load(path)):
            # boolean "const" branches of if/then are conditions, not fields
            if "/if/" in where:
                continue
            assert isinstance(sub, dict) and sub.get("description"), (path.name, where)


def test_v2_differs_from_v1_only_by_requiring_dash_for_domestic_abuse() -> None:
    v1, v2 = (_load(SCHEMAS / f"police.chronology.v{n}.schema.json") for n in (1, 2))
    entry = v2["$defs"]["entry"]
    assert entry.pop("if") == {"properties": {"event_type": {"const": "domestic_abuse"}},
                               "required": ["event_type"]}
    assert entry.pop("then") == {"required": ["dash_risk_level"]}
    stripped = copy.deepcopy(v2)
    for schema in (stripped, v1):
        for key in ("$id", "title", "description"):
            schema.pop(key)
        schema["$defs"]["entry"]["properties"]["dash_risk_level"].pop("description")
    assert stripped == v1


def test_domestic_abuse_without_dash_is_valid_in_v1_and_refused_in_v2(
        validate: Validate) -> None:
    document = _load(VALID / "chronology.v1.json")
    assert validate("chronology", document, 1) == []
    problems = validate("chronology", document, 2)
    assert {(p.pointer, p.code) for p in problems} == {
        ("/entries/0/dash_risk_level", "schema.required"),
        ("/entries/4/dash_risk_level", "schema.required"),
    }


def test_v2_document_is_also_valid_in_v1(validate: Validate) -> None:
    assert validate("chronology", _load(VALID / "chronology.v2.json"), 1) == []


def test_v2_asks_dash_only_of_domestic_abuse(validate: Validate) -> None:
    document = _load(VALID / "chronology.v2.json")
    assert "dash_risk_level" not in document["entries"][1]       # a welfare check
    document["entries"][1]["dash_risk_level"] = "standard"       # allowed, not required
    assert validate("chronology", document, 2) == []


def test_one_bad_field_is_one_problem_not_a_cascade(validate: Validate) -> None:
    # An invalid police field must not also make its neighbours "not part of the form".
    document = _load(VALID / "chronology.v2.json")
    document["entries"][0]["dash_risk_level"] = "very high"
    document["entries"][0]["description"] = ""
    for version in (1, 2):
        assert {(p.pointer, p.code) for p in validate("chronology", document, version)} == {
            ("/entries/0/dash_risk_level", "schema.enum"),
            ("/entries/0/description", "schema.minLength"),
            ("/entries/0/description", "schema.pattern"),
        }


def test_common_forms_take_the_force_beside_the_common_body(validate: Validate) -> None:
    for form in ("agency-report", "nil-return", "records-secured"):
        document = _load(VALID / f"{form}.v1.json")
        assert validate(form, document, 1) == []
        document["force"] = "Hampshire Constabulary"
        assert {(p.pointer, p.code) for p in validate(form, document, 1)} == \
            {("/force", "schema.pattern")}
