"""Protection notes and hidden-cell words say the actual cause, with labels and plurals (rule 5)."""

from app.reports.notes import cell_text, protection_notes
from app.reports.service import build_round_report
from tests.builders import make_closed_round, make_organisation, same_answers

HIDDEN = "Not shown: fewer than 3 ratings"


def report_for(session, answers):
    round_ = make_closed_round(session, organisation=make_organisation(session), answers=answers)
    return build_round_report(session=session, round_=round_)


def test_a_lone_line_manager_is_named_as_the_reason_the_nqsws_are_pooled(session):
    report = report_for(session, same_answers(
        {"self_assessment": [4], "nqsw": [4, 4, 5, 3, 4, 5], "line_manager": [2]}))
    statement = report.statement(1)

    assert protection_notes(report) == [
        "Only 1 line manager answered, so NQSWs and line managers are shown together to protect "
        "that person (every statement). Shown separately, their ratings could be worked out by "
        "subtracting the other figures from the total."
    ]
    assert cell_text(report, statement, "nqsw") == (
        "Shown together with line managers, because only 1 line manager answered")
    assert cell_text(report, statement, "line_manager") == HIDDEN
    # Nobody answered as "other": the cell reads the same as for one or two (rule 5).
    assert cell_text(report, statement, "other") == HIDDEN


def test_two_small_groups_pooled_together_are_both_named_with_plurals(session):
    report = report_for(session, same_answers(
        {"self_assessment": [4], "nqsw": [4, 3], "line_manager": [2, 5]}))

    assert protection_notes(report) == [
        "Only 2 NQSWs and 2 line managers answered, so NQSWs and line managers are shown "
        "together to protect them (every statement). Shown separately, their ratings could be "
        "worked out by subtracting the other figures from the total."
    ]
    statement = report.statement(7)
    assert {cell_text(report, statement, t) for t in ("nqsw", "line_manager", "other")} == {
        HIDDEN}


def test_too_few_anonymous_ratings_leave_only_the_self_assessment(session):
    report = report_for(session, same_answers(
        {"self_assessment": [4], "nqsw": [4], "line_manager": [2]}))

    assert protection_notes(report) == [
        "Only 1 NQSW answered, so NQSWs are not shown on their own.",
        "Only 1 line manager answered, so line managers are not shown on their own.",
        "For every statement, fewer than 3 people besides you gave a rating, so only your "
        "self-assessment is shown and there is no organisation average.",
    ]
    assert cell_text(report, report.statement(3), "nqsw") == HIDDEN


def test_i_do_not_know_answers_are_a_cause_named_for_their_statements_only(session):
    # Four NQSWs, three of whom do not know statement 5; three line managers.
    report = report_for(session, same_answers(
        {"self_assessment": [None], "nqsw": [4, 4, 4, 4], "line_manager": [3, 3, 3]},
        s5={"nqsw": [4, None, None, None]}))

    assert protection_notes(report) == [
        "For statement 5, one of these groups gave fewer than 3 ratings (“I do not know” is not "
        "a rating), so NQSWs and line managers are shown together."
    ]
    assert cell_text(report, report.statement(5), "nqsw") == HIDDEN
    assert cell_text(report, report.statement(5), "self_assessment") == (
        "Answered “I do not know”")


def test_a_report_with_nothing_hidden_has_no_notes(session):
    report = report_for(session, same_answers(
        {"self_assessment": [4], "nqsw": [4, 4, 4], "line_manager": [3, 3, 3]}))

    assert protection_notes(report) == []
