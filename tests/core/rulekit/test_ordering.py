"""Entry order and unexplained gaps, as defined in scr_returns.core.rulekit.ordering."""

from __future__ import annotations

from scr_returns import chronology_rules
from tests.support.example_review import context
from tests.support.rulekit import clean_chronology, entry, run, with_entries

RULES = chronology_rules()
ORDER = "chronology.order.unsorted"
GAP = "chronology.gap.unexplained"


def only(code: str, found: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    return {f for f in found if f[1] == code}


# -- order ---------------------------------------------------------------------------------
def test_earlier_date_after_a_later_one() -> None:
    doc = clean_chronology()
    doc["entries"][3]["date"] = "2024-06-29"
    assert only(ORDER, run(RULES, doc)) == {("/entries/3/date", ORDER, "error")}


def test_sequence_does_not_excuse_dates_out_of_order() -> None:
    doc = with_entries(entry(1, "2024-02-02", sequence=1), entry(2, "2024-02-01", sequence=2))
    assert only(ORDER, run(RULES, doc)) == {("/entries/1/date", ORDER, "error")}


def test_one_misplaced_entry_is_reported_once() -> None:
    doc = with_entries(entry(1, "2024-01-01"), entry(2, "2024-09-01"),
                       entry(3, "2024-02-01"), entry(4, "2024-03-01"))
    assert only(ORDER, run(RULES, doc)) == {("/entries/2/date", ORDER, "error")}


def test_same_day_times_must_not_go_backwards() -> None:
    doc = with_entries(entry(1, "2024-02-01", time="10:00"), entry(2, "2024-02-01", time="09:59"))
    assert only(ORDER, run(RULES, doc)) == {("/entries/1/time", ORDER, "error")}
    doc["entries"][1]["time"] = "10:00"
    assert only(ORDER, run(RULES, doc)) == set()


def test_two_untimed_entries_on_one_day_need_sequences() -> None:
    doc = with_entries(entry(1, "2024-02-01"), entry(2, "2024-02-01", sequence=2))
    assert only(ORDER, run(RULES, doc)) == {("/entries/0/sequence", ORDER, "error")}
    doc["entries"][0]["sequence"] = 1
    assert only(ORDER, run(RULES, doc)) == set()


def test_one_untimed_entry_beside_timed_ones_needs_no_sequence() -> None:
    doc = with_entries(entry(1, "2024-02-01", time="09:00"), entry(2, "2024-02-01"),
                       entry(3, "2024-02-01", time="17:00"))
    assert only(ORDER, run(RULES, doc)) == set()


def test_sequences_must_increase_within_a_day() -> None:
    doc = with_entries(entry(1, "2024-02-01", sequence=2), entry(2, "2024-02-01", sequence=1))
    assert only(ORDER, run(RULES, doc)) == {("/entries/1/sequence", ORDER, "error")}
    doc["entries"][1]["sequence"] = 2
    assert only(ORDER, run(RULES, doc)) == {("/entries/1/sequence", ORDER, "error")}


def test_sequences_restart_each_day() -> None:
    doc = with_entries(entry(1, "2024-02-01", sequence=1), entry(2, "2024-02-01", sequence=2),
                       entry(3, "2024-02-02", sequence=1), entry(4, "2024-02-02", sequence=2))
    assert only(ORDER, run(RULES, doc)) == set()


def test_unreadable_dates_are_skipped_by_the_order_rule() -> None:
    doc = with_entries(entry(1, "2024-02-01"), entry(2, "not a date"), entry(3, "2024-03-01"))
    assert only(ORDER, run(RULES, doc)) == set()


def test_an_inexact_date_overlapping_the_previous_entry_is_in_order() -> None:
    # "March 2024" after 15 March 2024, "2024" after 1 June 2024: the spans overlap.
    doc = with_entries(entry(1, "2024-03-15"), entry(2, "2024-03-01", date_precision="month"),
                       entry(3, "2024-03-20"), entry(4, "2024-06-01"),
                       entry(5, "2024-01-01", date_precision="year"), entry(6, "2024-12-31"))
    assert only(ORDER, run(RULES, doc)) == set()


def test_an_inexact_date_wholly_before_the_previous_entry_is_out_of_order() -> None:
    doc = with_entries(entry(1, "2024-04-02"), entry(2, "2024-03-01", date_precision="month"))
    problems = [p for rule in RULES for p in rule(doc, context("health", "chronology"))
                if p.code == ORDER]
    assert [(p.pointer, p.severity) for p in problems] == [("/entries/1/date", "error")]
    assert "(March 2024)" in problems[0].message and "2 April 2024" in problems[0].message
    doc = with_entries(entry(1, "2025-01-01", date_precision="year"), entry(2, "2024-12-31"))
    assert only(ORDER, run(RULES, doc)) == {("/entries/1/date", ORDER, "error")}


def test_an_inexact_entry_does_not_excuse_an_exact_date_going_back() -> None:
    # 2 March overlaps "March 2024" but is still listed after 15 March.
    doc = with_entries(entry(1, "2024-03-15"), entry(2, "2024-03-01", date_precision="month"),
                       entry(3, "2024-03-02"))
    problems = [p for rule in RULES for p in rule(doc, context("health", "chronology"))
                if p.code == ORDER]
    assert [p.pointer for p in problems] == ["/entries/2/date"]
    assert "15 March 2024" in problems[0].message


def test_a_month_written_as_its_first_day_is_not_an_entry_of_that_day() -> None:
    doc = with_entries(entry(1, "2024-03-01"), entry(2, "2024-03-01", date_precision="month"),
                       entry(3, "2024-03-01", date_precision="month"),
                       entry(4, "2024-03-01", date_precision="approximate"))
    assert only(ORDER, run(RULES, doc)) == set()


def test_exact_entries_of_one_day_around_an_inexact_one_still_need_sequences() -> None:
    doc = with_entries(entry(1, "2024-03-01"), entry(2, "2024-03-01", date_precision="month"),
                       entry(3, "2024-03-01"))
    assert only(ORDER, run(RULES, doc)) == {("/entries/0/sequence", ORDER, "error"),
                                            ("/entries/2/sequence", ORDER, "error")}
    doc["entries"][0]["sequence"], doc["entries"][2]["sequence"] = 1, 2
    assert only(ORDER, run(RULES, doc)) == set()


# -- gaps ----------------------------------------------------------------------------------
def test_exactly_three_months_is_not_a_gap_one_day_more_is() -> None:
    doc = clean_chronology()
    doc["entries"][1]["date"] = "2024-04-05"   # 2024-01-05 + 3 months
    assert only(GAP, run(RULES, doc)) == set()
    doc["entries"][1]["date"] = "2024-04-06"
    doc["entries"][2]["date"] = "2024-07-01"
    assert only(GAP, run(RULES, doc)) == {("/entries/1/date", GAP, "warning")}


def test_gap_at_the_start_and_the_end_of_the_scope() -> None:
    doc = with_entries(entry(1, "2024-04-02"), entry(2, "2024-07-01"), entry(3, "2024-09-30"))
    doc["entries"] += clean_chronology()["entries"][4:]
    doc["entries"] = doc["entries"][:-1]   # last entry now 2025-08-20
    for i, e in enumerate(doc["entries"]):
        e["id"] = f"x-{i}"
    found = only(GAP, run(RULES, doc))
    assert found == {("/entries/0/date", GAP, "warning"),
                     (f"/entries/{len(doc['entries']) - 1}/date", GAP, "warning")}


def messages(doc: dict[str, object]) -> list[tuple[str, str]]:
    ctx = context("health", "chronology")
    return sorted((p.pointer, p.message) for rule in RULES for p in rule(doc, ctx)
                  if p.code == GAP)


def test_a_gap_names_the_first_and_last_day_nothing_covers() -> None:
    # Entries on 5 January and 6 April 2024: uncovered are 6 January to 5 April.
    doc = clean_chronology()
    doc["entries"][1]["date"] = "2024-04-06"
    doc["entries"][2]["date"] = "2024-07-01"
    [(pointer, message)] = messages(doc)
    assert pointer == "/entries/1/date"  # the entry that ends the gap
    assert message.startswith("Nothing is recorded from 6 January 2024 to 5 April 2024 "
                              "inclusive, more than 3 months")


def test_gaps_at_the_scope_edges_name_the_scope_days() -> None:
    # Nothing before 2 April 2024: 1 January (the scope's first day) is uncovered too;
    # nothing after 20 August 2025: 21 August to 31 December 2025 (the scope's last day).
    doc = with_entries(entry(1, "2024-04-02"), entry(2, "2024-07-01"), entry(3, "2024-09-30"),
                       *clean_chronology()["entries"][4:-1])
    found = messages(doc)
    assert [m.split(" inclusive")[0] for _, m in found] == [
        "Nothing is recorded from 1 January 2024 to 1 April 2024",
        "Nothing is recorded from 21 August 2025 to 31 December 2025"]


def test_background_entries_do_not_fill_a_gap() -> None:
    doc = clean_chronology()
    del doc["entries"][4]   # 2024-09-15 .. 2025-03-01
    doc["entries"].insert(4, entry(99, "2024-12-10", background=True, background_reason="x"))
    assert only(GAP, run(RULES, doc)) == {("/entries/5/date", GAP, "warning")}


def test_an_explanation_covering_the_gap_silences_it() -> None:
    doc = clean_chronology()
    del doc["entries"][4]
    doc["gaps_explained"] = [{"from": "2024-10-01", "to": "2025-01-31",
                              "reason": "The family lived in Scotland."}]
    assert only(GAP, run(RULES, doc)) == set()


def test_a_partial_explanation_leaves_the_rest_judged_alone() -> None:
    doc = clean_chronology()
    del doc["entries"][4]
    # 2024-09-15 .. 2025-03-01 with 2024-11-01 .. 2024-12-01 explained: what is left,
    # 2024-09-15 .. 2024-11-01 and 2024-12-01 .. 2025-03-01, is at most 3 months each.
    doc["gaps_explained"] = [{"from": "2024-11-01", "to": "2024-12-01", "reason": "Away."}]
    assert only(GAP, run(RULES, doc)) == set()
    doc["gaps_explained"][0]["to"] = "2024-11-20"
    assert only(GAP, run(RULES, doc)) == {("/entries/4/date", GAP, "warning")}


def test_an_explanation_without_a_reason_explains_nothing() -> None:
    doc = clean_chronology()
    del doc["entries"][4]
    doc["gaps_explained"] = [{"from": "2024-09-15", "to": "2025-03-01", "reason": ""}]
    assert only(GAP, run(RULES, doc)) == {("/entries/4/date", GAP, "warning")}


def test_an_empty_chronology_is_one_gap_reported_at_the_entries() -> None:
    assert run(RULES, {"entries": []}) == {("/entries", GAP, "warning")}


def test_gap_needs_the_review_and_honours_gap_months() -> None:
    doc = with_entries(entry(1, "2024-06-01"))
    assert only(GAP, run(RULES, doc, context("health", "chronology", review=None))) == set()
    ctx = context("health", "chronology")
    # Before and after the one entry: two warnings, both at its date.
    found = [(p.pointer, p.code) for rule in chronology_rules(gap_months=3)
             for p in rule(doc, ctx) if p.code == GAP]
    assert found == [("/entries/0/date", GAP)] * 2
    assert only(GAP, run(chronology_rules(gap_months=24), doc)) == set()


def test_an_inexact_entry_covers_its_whole_span() -> None:
    # "2024" covers the whole year: nothing is missing before 1 March 2025.
    doc = with_entries(entry(1, "2024-01-05"), entry(2, "2024-01-01", date_precision="year"),
                       *clean_chronology()["entries"][5:])
    assert only(GAP, run(RULES, doc)) == set()
    # "May 2024" covers up to 31 May: 31 August is exactly three months on.
    doc = with_entries(entry(1, "2024-01-05"), entry(2, "2024-04-01"),
                       entry(3, "2024-05-01", date_precision="month"), entry(4, "2024-08-31"),
                       *clean_chronology()["entries"][4:])
    doc["entries"].insert(4, entry(5, "2024-11-30"))
    assert only(GAP, run(RULES, doc)) == set()
    doc["entries"][3]["date"] = "2024-09-01"
    assert only(GAP, run(RULES, doc)) == {("/entries/3/date", GAP, "warning")}


def test_a_year_entry_at_the_end_covers_to_the_scopes_end_unless_background() -> None:
    # The last exact entry is 1 March 2025; "2025" covers the rest of the scope.
    doc = with_entries(*clean_chronology()["entries"][:6],
                       entry(99, "2025-01-01", date_precision="year"))
    assert only(GAP, run(RULES, doc)) == set()
    doc["entries"][6].update(background=True, background_reason="Known only to the year.")
    assert only(GAP, run(RULES, doc)) == {("/entries/5/date", GAP, "warning")}
