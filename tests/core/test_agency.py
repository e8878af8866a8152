"""standard_agency: an agency declared by its package's files, built once, with the common rules."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scr_returns import (
    COMMON_CODES,
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    Problem,
    RuleContext,
    agency_report_rules,
    chronology_rules,
    hookimpl,
    nil_return_rules,
    problem,
    records_secured_rules,
    standard_agency,
)
from scr_returns.core.errors import PluginLoadError
from scr_returns.core.plugins import PluginHost

STANDARD = ("chronology", "agency-report", "nil-return", "records-secured")
COMMON_RULES = {"chronology": chronology_rules(), "agency-report": agency_report_rules(),
                "nil-return": nil_return_rules(), "records-secured": records_secured_rules()}


def declaration(agency: str, forms: tuple[str, ...] = STANDARD) -> dict[str, Any]:
    return {"name": agency, "title": "Youth justice", "description": "The youth justice team.",
            "forms": [{"name": f, "title": f"Youth justice {f}", "description": f"The {f}."}
                      for f in forms]}


class Package:
    """A throw-away plugin package in a folder on sys.path, under a name of its own."""

    def __init__(self, root: Path) -> None:
        self.agency = "t" + uuid.uuid4().hex[:10]
        self.name = "scr_test_" + self.agency
        self.folder = root / self.name
        self.folder.mkdir()
        (self.folder / "__init__.py").write_text("", encoding="utf-8")
        self.write("agency.json", declaration(self.agency))
        for form in STANDARD:
            self.schema(form, 1)
            self.write(f"examples/valid/{form}.v1.json", {"form": form, "version": 1})

    def write(self, path: str, value: Any) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(value if isinstance(value, str) else json.dumps(value),
                          encoding="utf-8")

    def schema(self, form: str, version: int) -> None:
        self.write(f"schemas/{self.agency}.{form}.v{version}.schema.json",
                   {"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$id": f"https://scr-returns.invalid/schemas/{self.agency}/{form}."
                           f"v{version}.json", "type": "object"})

    def declare(self, change: Callable[[dict[str, Any]], None]) -> None:
        data = json.loads((self.folder / "agency.json").read_text(encoding="utf-8"))
        change(data)
        self.write("agency.json", data)

    def form(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        found: dict[str, Any] = next(f for f in data["forms"] if f["name"] == name)
        return found


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Package]:
    monkeypatch.syspath_prepend(str(tmp_path))
    made = Package(tmp_path)
    yield made
    for name in [m for m in sys.modules if m == made.name or m.startswith(made.name + ".")]:
        del sys.modules[name]


def names(rules: tuple[Any, ...]) -> list[str]:
    # The common rule factories make new functions on each call: compare by name.
    return [f"{r.__module__}.{r.__qualname__}" for r in rules]


def own_rule(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    yield problem("", "youth.own.rule", "An agency's own rule.")


def other_rule(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    yield from ()


# -- built once --------------------------------------------------------------------------
def test_equal_arguments_give_the_very_same_spec(package: Package) -> None:
    def build(version: str = "1.0.0") -> Any:
        return standard_agency(package.name, version=version, codes={"youth.own.rule": "Own."},
                               rules={"chronology": [own_rule]})

    first = build()
    assert build() is first
    second = build("1.1.0")
    assert second is not first and second.version == "1.1.0"
    assert (build(), build("1.1.0")) == (first, second)
    assert build() is first and build("1.1.0") is second


def test_the_files_are_read_the_first_time_only(package: Package) -> None:
    first = standard_agency(package.name, version="1.0.0")
    (package.folder / "agency.json").unlink()
    assert standard_agency(package.name, version="1.0.0") is first
    with pytest.raises(LookupError):  # other arguments: built again, from the files
        standard_agency(package.name, version="2.0.0")


# -- texts, versions and examples from the package --------------------------------------
def test_texts_come_from_agency_json(package: Package) -> None:
    spec = standard_agency(package.name, version="1.0.0")
    assert (spec.name, spec.title, spec.description, spec.version) == \
        (package.agency, "Youth justice", "The youth justice team.", "1.0.0")
    assert [(f.name, f.title, f.description) for f in spec.forms] == \
        [(f, f"Youth justice {f}", f"The {f}.") for f in STANDARD]


def test_the_forms_are_offered_in_the_order_of_agency_json(package: Package) -> None:
    package.declare(lambda d: d.update(forms=d["forms"][::-1]))
    spec = standard_agency(package.name, version="1.0.0")
    assert [f.name for f in spec.forms] == list(STANDARD[::-1])


def test_versions_are_the_schema_files_and_the_newest_example_is_served(
        package: Package) -> None:
    package.schema("chronology", 2)
    package.write("examples/valid/chronology.v2.json", {"form": "chronology", "version": 2})
    spec = standard_agency(package.name, version="1.0.0")
    chronology = spec.form("chronology")
    assert chronology is not None
    assert [(v.version, v.retired, v.schema["$id"].rsplit("/", 1)[1])
            for v in chronology.versions] == [(1, False, "chronology.v1.json"),
                                              (2, False, "chronology.v2.json")]
    assert chronology.example == {"form": "chronology", "version": 2}
    report = spec.form("agency-report")
    assert report is not None and [v.version for v in report.versions] == [1]
    assert report.example == {"form": "agency-report", "version": 1}


def test_a_form_may_retire_versions_and_choose_its_example(package: Package) -> None:
    package.schema("chronology", 2)
    package.schema("chronology", 3)
    package.write("examples/valid/chronology.v2.json", {"version": 2})
    package.write("examples/valid/chronology.v2.short.json", {"version": 2, "short": True})

    def change(data: dict[str, Any]) -> None:
        package.form(data, "chronology").update(retired=[1, 3],
                                                example="chronology.v2.short.json")

    package.declare(change)
    chronology = standard_agency(package.name, version="1.0.0").form("chronology")
    assert chronology is not None
    assert [(v.version, v.retired) for v in chronology.versions] == \
        [(1, True), (2, False), (3, True)]
    assert chronology.newest == FormVersion(2, chronology.versions[1].schema)
    assert chronology.example == {"version": 2, "short": True}


def test_the_default_example_is_of_the_newest_version_offered(package: Package) -> None:
    package.schema("nil-return", 2)
    package.declare(lambda d: package.form(d, "nil-return").update(retired=[2]))
    form = standard_agency(package.name, version="1.0.0").form("nil-return")
    assert form is not None and form.example == {"form": "nil-return", "version": 1}


# -- rules, mapping and codes ---------------------------------------------------------------
def test_common_rules_come_first_then_the_agency_s_own_in_order(package: Package) -> None:
    spec = standard_agency(package.name, version="1.0.0", rules={
        "chronology": (own_rule, other_rule), "nil-return": [other_rule, own_rule]})
    own = {"chronology": [own_rule, other_rule], "nil-return": [other_rule, own_rule]}
    for form in spec.forms:
        assert names(form.rules) == \
            names(COMMON_RULES[form.name]) + names(tuple(own.get(form.name, ()))), form.name
    nil_return = spec.form("nil-return")
    assert nil_return is not None and nil_return.rules[-2:] == (other_rule, own_rule)


def test_the_chronology_reads_its_entries_through_the_mapping(package: Package) -> None:
    mapping = ChronologyMapping(entries="/events", id_field="ref")
    spec = standard_agency(package.name, version="1.0.0", chronology=mapping)
    assert [f.chronology for f in spec.forms] == [mapping, None, None, None]
    chronology = spec.form("chronology")
    assert chronology is not None
    context = RuleContext(agency=package.agency, form="chronology", schema_version=1,
                          today=date(2026, 1, 1), submitted_at=datetime(2026, 1, 1, tzinfo=UTC))
    document = {"events": [{"ref": "a", "date": "2027-05-01"}]}
    found = {(p.pointer, p.code) for rule in chronology.rules for p in rule(document, context)}
    assert found == {("/events/0/date", "chronology.date.future")}


def test_the_common_codes_are_merged_before_the_agency_s(package: Package) -> None:
    spec = standard_agency(package.name, version="1.0.0", codes={"youth.own.rule": "Own."})
    assert list(spec.codes.items()) == [*COMMON_CODES.items(), ("youth.own.rule", "Own.")]
    assert dict(standard_agency(package.name, version="2.0.0").codes) == COMMON_CODES


# -- forms of the agency's own --------------------------------------------------------------
def test_a_form_of_the_agency_s_own_has_only_its_own_rules(package: Package) -> None:
    package.declare(lambda d: d["forms"].append(
        {"name": "panel-briefing", "title": "Panel briefing", "description": "A briefing."}))
    package.schema("panel-briefing", 1)
    package.write("examples/valid/panel-briefing.v1.json", {"briefing": True})
    spec = standard_agency(package.name, version="1.0.0",
                           rules={"panel-briefing": (own_rule,)})
    briefing = spec.forms[-1]
    assert (briefing.name, briefing.title, briefing.rules, briefing.chronology) == \
        ("panel-briefing", "Panel briefing", (own_rule,), None)
    assert briefing.example == {"briefing": True}


def test_extra_forms_are_appended_as_given(package: Package) -> None:
    extra = FormSpec(name="by-hand", title="By hand", description="Built by hand.",
                     versions=(FormVersion(1, {"type": "object"}),), rules=(own_rule,))
    spec = standard_agency(package.name, version="1.0.0", extra_forms=[extra])
    assert [f.name for f in spec.forms] == [*STANDARD, "by-hand"]
    assert spec.forms[-1] is extra


def _plugin(package: str, version: str) -> object:
    @hookimpl
    def scr_returns_register_agency() -> AgencySpec:
        return standard_agency(package, version=version)

    return SimpleNamespace(scr_returns_register_agency=scr_returns_register_agency)


def test_the_host_loads_it_and_a_mistake_fails_the_plugin_s_load(package: Package) -> None:
    host = PluginHost(entry_points=False, extra={"youth": _plugin(package.name, "1.0.0")})
    assert list(host.by_agency[package.agency].forms) == list(STANDARD)
    (package.folder / "examples/valid/records-secured.v1.json").unlink()
    with pytest.raises(PluginLoadError, match=r"scr_returns_register_agency raised "
                       r"LookupError: .*records-secured.v1.json, which is missing"):
        PluginHost(entry_points=False, extra={"youth": _plugin(package.name, "1.0.1")})


# -- mistakes ------------------------------------------------------------------------------
Edit = Callable[[Package], None]


def _no_agency_json(p: Package) -> None:
    (p.folder / "agency.json").unlink()


def _not_json(p: Package) -> None:
    p.write("agency.json", "{not json")


def _malformed(p: Package) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["title"]
        data["forms"][1]["retierd"] = [1]
        data["forms"][2]["description"] = "   "
    p.declare(change)


def _standard_form_missing(p: Package) -> None:
    p.declare(lambda d: d.update(forms=[f for f in d["forms"] if f["name"] != "nil-return"]))


def _declared_twice(p: Package) -> None:
    p.declare(lambda d: d["forms"].append(dict(d["forms"][0])))


def _no_schema(p: Package) -> None:
    (p.folder / f"schemas/{p.agency}.records-secured.v1.schema.json").unlink()


def _schema_of_no_form(p: Package) -> None:
    p.schema("chronolgy", 1)


def _misnamed_schema(p: Package) -> None:
    p.write(f"schemas/{p.agency}.chronology.v2.json", {})


def _retired_unknown(p: Package) -> None:
    p.declare(lambda d: p.form(d, "chronology").update(retired=[2]))


def _all_retired(p: Package) -> None:
    p.declare(lambda d: p.form(d, "chronology").update(retired=[1]))


def _no_example(p: Package) -> None:
    (p.folder / "examples/valid/agency-report.v1.json").unlink()


def _chosen_example_missing(p: Package) -> None:
    p.declare(lambda d: p.form(d, "agency-report").update(example="agency-report.v1.x.json"))


@pytest.mark.parametrize(("edit", "error", "message"), [
    (_no_agency_json, LookupError, "no agency.json in the package"),
    (_not_json, ValueError, "agency.json is not JSON"),
    (_malformed, ValueError, r"agency.json: /: 'title' is a required property; "
                             r"/forms/1: Additional properties are not allowed \('retierd' "
                             r"was unexpected\); /forms/2/description: '   ' does not match"),
    (_standard_form_missing, ValueError, "must declare every standard form; missing: "
                                         "nil-return"),
    (_declared_twice, ValueError, "form chronology is declared twice"),
    (_no_schema, LookupError, r"form 'records-secured' has no schema: "
                              r"schemas/t[0-9a-f]+\.records-secured\.v1\.schema\.json is missing"),
    (_schema_of_no_form, ValueError, "schemas/ has versions of chronolgy, not a declared form"),
    (_misnamed_schema, ValueError, r"schemas/t[0-9a-f]+\.chronology\.v2\.json is not named "
                                   r"t[0-9a-f]+\.<form>\.v<N>\.schema\.json"),
    (_retired_unknown, ValueError, "form 'chronology' retires version 2, which it does not "
                                   "have"),
    (_all_retired, ValueError, "every version of form 'chronology' is retired"),
    (_no_example, LookupError, "form 'agency-report' serves "
                               "examples/valid/agency-report.v1.json, which is missing"),
    (_chosen_example_missing, LookupError, "serves examples/valid/agency-report.v1.x.json"),
], ids=lambda v: v.__name__.strip("_") if callable(v) else None)
def test_a_mistake_is_an_error_naming_the_package(package: Package, edit: Edit,
                                                  error: type[Exception], message: str) -> None:
    edit(package)
    with pytest.raises(error, match=message) as raised:
        standard_agency(package.name, version="1.0.0")
    assert str(raised.value).startswith(package.name)


def test_rules_for_a_form_not_declared_are_refused(package: Package) -> None:
    extra = FormSpec(name="by-hand", title="By hand", description="Built by hand.",
                     versions=(FormVersion(1, {"type": "object"}),))
    with pytest.raises(ValueError, match=rf"^{package.name}: rules are given for by-hand, "
                                         "nil-retrun, not a form of agency.json"):
        standard_agency(package.name, version="1.0.0", extra_forms=(extra,),
                        rules={"nil-retrun": (own_rule,), "by-hand": (own_rule,)})


def test_an_extra_form_may_not_take_a_declared_name(package: Package) -> None:
    extra = FormSpec(name="nil-return", title="Nil", description="Again.",
                     versions=(FormVersion(1, {"type": "object"}),))
    with pytest.raises(ValueError, match="form nil-return is declared twice"):
        standard_agency(package.name, version="1.0.0", extra_forms=(extra,))
