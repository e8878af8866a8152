"""Rules of the common agency report, nil return and records-secured bodies."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from scr_returns import Kloe, agency_report_rules, nil_return_rules, records_secured_rules
from tests.support.example_review import REVIEWS, context
from tests.support.rulekit import run


def report(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "author": {"name": "A", "role": "Named nurse",
                   "independence": {"not_directly_involved": True,
                                    "not_line_manager_of_those_involved": True}},
        "records_secured_on": "2026-02-01",
        "kloe_answers": [{"kloe": f"kloe-{n}", "answer": "An answer."} for n in (1, 2, 3)],
    }
    doc.update(changes)
    return doc


def ctx(form: str, review: object = REVIEWS["default"]) -> Any:
    return context("health", form, review=review)


def test_clean_report() -> None:
    assert run(agency_report_rules(), report(), ctx("agency-report")) == set()


def test_kloe_unanswered_and_unknown() -> None:
    doc = report(kloe_answers=[{"kloe": "kloe-1", "answer": "Yes."},
                               {"kloe": "kloe-2", "answer": "  "},
                               {"kloe": "kloe-7", "answer": "?"}])
    assert run(agency_report_rules(), doc, ctx("agency-report")) == {
        ("/kloe_answers", "report.kloe.unanswered", "error"),
        ("/kloe_answers/2/kloe", "report.kloe.unknown", "error")}


def test_missing_answers_list_leaves_every_kloe_unanswered() -> None:
    doc = report()
    del doc["kloe_answers"]
    problems = [p for rule in agency_report_rules()
                for p in rule(doc, ctx("agency-report"))]
    assert [p.code for p in problems] == ["report.kloe.unanswered"] * 3
    assert "Was the voice of the child heard?" in problems[1].message


def test_kloe_ids_as_partnerships_write_them_match_without_case() -> None:
    review = dataclasses.replace(REVIEWS["default"], kloes=(
        Kloe("KLOE-1", "Information shared?"), Kloe("KLOE-2", "Child heard?")))
    doc = report(kloe_answers=[{"kloe": "KLOE-1", "answer": "Yes."},
                               {"kloe": "kloe-2", "answer": "Partly."}])
    assert run(agency_report_rules(), doc, ctx("agency-report", review)) == set()
    doc["kloe_answers"][1]["kloe"] = "KLOE-3"
    assert run(agency_report_rules(), doc, ctx("agency-report", review)) == {
        ("/kloe_answers", "report.kloe.unanswered", "error"),
        ("/kloe_answers/1/kloe", "report.kloe.unknown", "error")}


def test_kloe_rules_need_the_review() -> None:
    assert run(agency_report_rules(), report(kloe_answers=[]), ctx("agency-report", None)) \
        == set()


@pytest.mark.parametrize("field", ["not_directly_involved",
                                   "not_line_manager_of_those_involved"])
def test_author_not_independent(field: str) -> None:
    doc = report()
    doc["author"]["independence"][field] = False
    assert run(agency_report_rules(), doc, ctx("agency-report")) == {
        (f"/author/independence/{field}", "report.author.not_independent", "error")}


def test_records_secured_after_submission() -> None:
    # Submitted at 2026-11-26T10:00Z: the same day is fine, the next is not.
    assert run(agency_report_rules(), report(records_secured_on="2026-11-26"),
               ctx("agency-report")) == set()
    assert run(agency_report_rules(), report(records_secured_on="2026-11-27"),
               ctx("agency-report")) == {
        ("/records_secured_on", "report.records_secured.after_submission", "error")}


def test_key_practice_episode_after_submission() -> None:
    # Submitted on 2026-11-26: an episode may end that day, not the next.
    episodes = [{"from": "2024-01-15", "to": "2024-01-18"},
                {"from": "2025-11-28", "to": "2026-11-26"}]
    assert run(agency_report_rules(), report(key_practice_episodes=episodes),
               ctx("agency-report")) == set()
    episodes[1]["to"] = "2026-11-27"
    episodes.append({"from": "2062-01-15"})                      # 2026 typed as 2062
    assert run(agency_report_rules(), report(key_practice_episodes=episodes),
               ctx("agency-report")) == {
        ("/key_practice_episodes/1/to", "report.episode.future", "error"),
        ("/key_practice_episodes/2/from", "report.episode.future", "error")}


def test_episode_message_says_what_and_when() -> None:
    doc = report(key_practice_episodes=[{"from": "2062-01-15"}])
    [found] = [p for rule in agency_report_rules() for p in rule(doc, ctx("agency-report"))]
    assert found.message == ("This episode cannot have begun on 15 January 2062, after this "
                             "return was submitted (26 November 2026); give the date it began.")


def test_staff_interviewed_after_submission() -> None:
    staff = [{"role": "Health visitor", "interviewed_on": "2026-11-26"},
             {"role": "GP"},
             {"role": "Named nurse", "interviewed_on": "2026-12-03"}]
    doc = report(methodology={"records_seen": ["GP record"], "staff_interviewed": staff})
    assert run(agency_report_rules(), doc, ctx("agency-report")) == {
        ("/methodology/staff_interviewed/2/interviewed_on",
         "report.interview.after_submission", "error")}


def test_recommendations_may_be_due_in_the_future() -> None:
    doc = report(recommendations=[{"recommendation": "Train staff.", "due_by": "2062-03-31"}])
    assert run(agency_report_rules(), doc, ctx("agency-report")) == set()


def test_nil_return_period() -> None:
    rules = nil_return_rules()
    doc = {"period_checked": {"from": "2024-01-01", "to": "2025-12-31"}}
    assert run(rules, doc, ctx("nil-return")) == set()
    doc = {"period_checked": {"from": "2024-01-02", "to": "2025-12-30"}}
    assert run(rules, doc, ctx("nil-return")) == {
        ("/period_checked/from", "nil_return.period.not_covering_scope", "error"),
        ("/period_checked/to", "nil_return.period.not_covering_scope", "error")}
    assert run(rules, doc, ctx("nil-return", None)) == set()


def test_nil_return_checked_on() -> None:
    # Submitted at 2026-11-26T10:00Z: the same day is fine, the next is not.
    rules = nil_return_rules()
    assert run(rules, {"checked_on": "2026-11-26"}, ctx("nil-return")) == set()
    assert run(rules, {"checked_on": "2026-11-27"}, ctx("nil-return")) == {
        ("/checked_on", "nil_return.checked_on.after_submission", "error")}


def test_records_secured_on() -> None:
    rules = records_secured_rules()
    assert run(rules, {"secured_on": "2026-01-01"}, ctx("records-secured")) == set()
    assert run(rules, {"secured_on": "2026-12-01"}, ctx("records-secured")) == {
        ("/secured_on", "records.secured_on.after_submission", "error")}


@pytest.mark.parametrize("rules", [agency_report_rules(), nil_return_rules(),
                                   records_secured_rules()])
def test_every_form_checks_the_agency_is_asked(rules: Any) -> None:
    assert ("", "review.agency.not_asked", "error") in run(
        rules, {}, ctx("x", REVIEWS["no-agencies"]))


@pytest.mark.parametrize("document", [
    None, [], "x", {"author": "x", "kloe_answers": "x", "period_checked": [],
                    "records_secured_on": 5, "secured_on": "2026-13-01", "checked_on": []},
    {"author": {"independence": [False]}, "kloe_answers": [None, {"kloe": 1}],
     "period_checked": {"from": 1, "to": None}},
    {"key_practice_episodes": "x", "methodology": []},
    {"key_practice_episodes": [None, 3, {"from": 20620101, "to": "2062-13-01"}],
     "methodology": {"staff_interviewed": {"interviewed_on": "2062-01-01"}}},
    {"methodology": {"staff_interviewed": [[], {"interviewed_on": ["2062-01-01"]}]}},
])
def test_rules_tolerate_schema_invalid_documents(document: Any) -> None:
    for rules in (agency_report_rules(), nil_return_rules(), records_secured_rules()):
        run(rules, document, ctx("agency-report"))
