"""The conformance check: it passes the seed agencies and a fresh scaffold, and each
check fails, naming the cause, on a plugin broken in exactly that way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scr_returns.core.plugintools import Report, check_plugin, host_for
from scr_returns.core.plugintools import examples as core_examples
from tests.support.example_review import REVIEWS as EXAMPLE_REVIEWS
from tests.support.scaffolds import Make

SEED = ("health", "police", "education", "social-care", "legal")
COMMON_ENTRY = "https://scr-returns.invalid/schemas/common/chronology-entry.v1.json"


def _failures(report: Report, section: str) -> list[str]:
    return [f"{f.subject}: {f.detail}" for f in report.failures if f.section == section]


def _rewrite(path: Path, change: Callable[[Any], Any]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(data) or data), encoding="utf-8")


@pytest.mark.parametrize("agency", SEED)
def test_seed_agencies_conform(agency: str) -> None:
    host, plugin = host_for(agency)
    report = check_plugin(host, plugin)
    assert report.ok, [f"{f.section} {f.subject}: {f.detail}" for f in report.failures]
    assert {f.section for f in report.findings} == \
        {"schemas", "examples", "codes", "coverage", "chronology", "imports"}


def test_a_named_plugin_is_loaded_alone() -> None:
    host, plugin = host_for("police")
    assert (plugin, set(host.plugins)) == ("police", {"police"})


def test_an_unknown_name_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="no installed plugin or agency"):
        host_for("no-such-agency")


def test_a_fresh_scaffold_conforms(make_plugin: Make) -> None:
    host, agency, _ = make_plugin()
    report = check_plugin(host, agency)
    assert report.ok, report.failures
    examples = [f for f in report.findings if f.section == "examples"]
    assert len(examples) == 13  # 4 valid, 5 invalid, 4 form examples


def test_an_invalid_example_with_other_codes_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        _rewrite(package / "examples/invalid/nil-return.v1.period-short.json",
                 lambda d: d.update(expect=["report.kloe.unanswered"]))

    host, agency, _ = make_plugin(edit)
    (failure,) = _failures(check_plugin(host, agency), "examples")
    assert failure.startswith("invalid/nil-return.v1.period-short.json")
    assert "missing: report.kloe.unanswered" in failure
    assert "unexpected: nil_return.period.not_covering_scope" in failure


def test_a_valid_example_with_an_error_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        _rewrite(package / "examples/valid/records-secured.v1.json",
                 lambda d: d.update(secured_on="2027-01-01"))

    host, agency, _ = make_plugin(edit)
    # The form serves the same document as its example: both are reported.
    assert _failures(check_plugin(host, agency), "examples") == [
        "valid/records-secured.v1.json: records.secured_on.after_submission at /secured_on",
        "records-secured FormSpec.example: records.secured_on.after_submission at /secured_on"]


def test_an_undocumented_rule_code_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        rules = package / "rules.py"
        text = rules.read_text(encoding="utf-8")
        rules.write_text(text.replace("CODES: dict[str, str] = {", "CODES: dict[str, str] = {}\n"
                                      "_UNDOCUMENTED = {"), encoding="utf-8")

    host, agency, _ = make_plugin(edit)
    (failure,) = _failures(check_plugin(host, agency), "codes")
    assert failure.startswith(f"{agency}.follow_up.before_event: produced by "
                              "invalid/chronology.v1.follow-up-before-event.json")


def test_a_form_version_without_an_invalid_example_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        (package / "examples/invalid/records-secured.v1.after-submission.json").unlink()

    host, agency, _ = make_plugin(edit)
    assert _failures(check_plugin(host, agency), "coverage") == [
        "records-secured v1: no invalid example "
        "(examples/invalid/records-secured.v1.json)"]


def test_a_badly_named_or_shaped_example_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        (package / "examples/valid/chronology.json").write_text("{}", encoding="utf-8")
        (package / "examples/invalid/nil-return.v1.bare.json").write_text(
            '{"entries": []}', encoding="utf-8")

    host, agency, _ = make_plugin(edit)
    failures = _failures(check_plugin(host, agency), "examples")
    assert failures == [
        "valid/chronology.json: name it <form>.v<N>[.<label>].json",
        'invalid/nil-return.v1.bare.json: an invalid example is {"expect": [...], '
        '"review": "default", "document": {...}}']


def test_an_entry_schema_in_allof_is_caught_by_its_cascade(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        def to_allof(schema: dict[str, Any]) -> None:
            entry = schema["$defs"]["entry"]
            entry["allOf"] = [{"$ref": entry.pop("$ref")}]

        _rewrite(next(package.glob("schemas/*.chronology.v1.schema.json")), to_allof)

    host, agency, _ = make_plugin(edit)
    (failure,) = _failures(check_plugin(host, agency), "chronology")
    assert "one bad common field" in failure
    assert "schema.unevaluatedProperties at /entries/0/description" in failure


def test_an_entry_schema_not_built_on_the_common_entry_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        def own_entry(schema: dict[str, Any]) -> None:
            entry = schema["$defs"]["entry"]
            del entry["$ref"]
            entry.pop("unevaluatedProperties")

        _rewrite(next(package.glob("schemas/*.chronology.v1.schema.json")), own_entry)

    host, agency, _ = make_plugin(edit)
    (failure,) = _failures(check_plugin(host, agency), "chronology")
    assert f"must $ref {COMMON_ENTRY}" in failure
    assert '"unevaluatedProperties": false' in failure


def _write_hook(package: Path, *body: str) -> None:
    """Replace the scaffold's hook: its spec from standard_agency, then ``body``'s lines."""
    (package / "__init__.py").write_text("\n".join([
        "import dataclasses",
        "from scr_returns import AgencySpec, chronology_rules, hookimpl, standard_agency",
        f"from {package.name}.rules import CHRONOLOGY_RULES, CODES",
        "CALLS = []",
        "@hookimpl",
        "def scr_returns_register_agency() -> AgencySpec:",
        "    spec = standard_agency(__name__, version='0.1.0', codes=CODES,",
        "                           rules={'chronology': CHRONOLOGY_RULES})",
        *(f"    {line}" for line in body), ""]), encoding="utf-8")


def test_a_chronology_without_a_mapping_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        # standard_agency always maps the chronology: this hook takes the mapping away.
        _write_hook(package, "return dataclasses.replace(spec, forms=tuple(",
                    "    dataclasses.replace(f, chronology=None) for f in spec.forms))")

    host, agency, _ = make_plugin(edit)
    (failure,) = _failures(check_plugin(host, agency), "chronology")
    assert failure.startswith("chronology: the chronology form needs chronology=")


def _hook_finding(report: Report) -> Any:
    (finding,) = [f for f in report.findings if f.subject == "scr_returns_register_agency"]
    return finding


def test_a_hook_that_returns_one_spec_passes(make_plugin: Make) -> None:
    host, agency, _ = make_plugin()
    finding = _hook_finding(check_plugin(host, agency))
    assert (finding.section, finding.ok, finding.detail) == \
        ("imports", True, "returns an equal AgencySpec on every call")


def test_a_hook_that_builds_a_new_spec_on_each_call_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        # As a spec built by hand in the hook: chronology_rules() makes new functions.
        _write_hook(package, "chronology = dataclasses.replace(",
                    "    spec.forms[0], rules=(*chronology_rules(), *CHRONOLOGY_RULES))",
                    "return dataclasses.replace(spec, forms=(chronology, *spec.forms[1:]))")

    host, agency, _ = make_plugin(edit)
    report = check_plugin(host, agency)
    (failure,) = _failures(report, "imports")
    assert failure.startswith("scr_returns_register_agency: returns a different AgencySpec "
                              "on each call")
    assert "build the spec once (standard_agency(...) does" in failure
    assert [f.section for f in report.failures] == ["imports"]  # its examples still pass


def test_a_hook_that_raises_when_called_again_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        _write_hook(package, "CALLS.append(1)", "if len(CALLS) > 1:",
                    "    raise RuntimeError('asked twice')", "return spec")

    host, agency, _ = make_plugin(edit)
    assert _failures(check_plugin(host, agency), "imports") == [
        "scr_returns_register_agency: raised RuntimeError when called again: asked twice"]


def test_a_private_core_import_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        rules = package / "rules.py"
        rules.write_text(rules.read_text(encoding="utf-8") +
                         "\nfrom scr_returns.core.validation import validate_document  # noqa\n",
                         encoding="utf-8")

    host, agency, _ = make_plugin(edit)
    (failure,) = _failures(check_plugin(host, agency), "imports")
    assert failure.endswith("rules.py: from scr_returns.core.validation import ...")


def test_a_wrong_schema_id_fails(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        _rewrite(next(package.glob("schemas/*.nil-return.v1.schema.json")),
                 lambda s: s.update({"$id": "https://example.org/nil.json"}))

    host, agency, _ = make_plugin(edit)
    (failure,) = _failures(check_plugin(host, agency), "schemas")
    assert failure.startswith("nil-return v1: $id must be "
                              f"'https://scr-returns.invalid/schemas/{agency}/nil-return.v1.json'")


def review_for(name: str, agency: str, forms: tuple[str, ...]) -> Any:
    """Core's choice of example review, over the tests' reviews (the seed agencies asked in)."""
    return core_examples.review_for(name, agency, forms, reviews=EXAMPLE_REVIEWS)


def test_the_example_review_asks_in_the_agency_under_check() -> None:
    forms = ("chronology",)
    default = review_for("default", "housing", forms)
    assert default is not None and default.agencies["housing"] == forms
    assert set(default.agencies) - {"housing"} == set(EXAMPLE_REVIEWS["default"].agencies)
    assert review_for("default", "police", forms) is EXAMPLE_REVIEWS["default"]
    no_agencies = review_for("no-agencies", "housing", forms)
    assert no_agencies is not None and not no_agencies.agencies
    assert review_for("none", "housing", forms) is None


def test_core_s_example_review_asks_in_only_the_agency_under_check() -> None:
    forms = ("chronology", "nil-return")
    assert not core_examples.EXAMPLE_REVIEW.agencies  # core names no agency
    default = core_examples.review_for("default", "police", forms)
    assert default is not None and dict(default.agencies) == {"police": forms}
    no_agencies = core_examples.review_for("no-agencies", "police", forms)
    assert no_agencies is not None and not no_agencies.agencies


def test_a_rule_that_raises_on_a_valid_document_is_reported(make_plugin: Make) -> None:
    def edit(package: Path) -> None:
        rules = package / "rules.py"
        rules.write_text(rules.read_text(encoding="utf-8").replace(
            "    for entry in chronology_entries(document, context=context):",
            "    assert document.get('no_such_field'), 'a rule bug'\n"
            "    for entry in chronology_entries(document, context=context):"), encoding="utf-8")

    host, agency, _ = make_plugin(edit)
    failures = _failures(check_plugin(host, agency), "examples")
    assert "valid/chronology.v1.json: rule 'follow_up_after_event' of plugin " \
           f"'{agency}' raised: AssertionError('a rule bug')" in failures
