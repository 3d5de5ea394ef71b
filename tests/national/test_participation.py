"""Participation: organisations at each stage of a year and programme, counted exactly."""

from tests.builders import make_closed_round, make_organisation, national_results, same_answers

YEAR, BEFORE, LONG_AGO = "2025-26", "2024-25", "2023-24"

QUALIFYING = {"self_assessment": [4], "nqsw": [4, 4, 4], "line_manager": [4]}
TOO_FEW_NQSWS = {"self_assessment": [4], "nqsw": [4, 4], "line_manager": [4]}
NO_SELF_ASSESSMENT = {"nqsw": [4, 4, 4], "line_manager": [4]}


def organisation(session, *programmes: str):
    return make_organisation(session, programmes=programmes or ("child_and_family",))


def test_participation_counts_each_organisation_at_every_stage_it_reached(session):
    both = ("child_and_family", "adults")
    # Qualifying this year, after a closed round last year: on its second round.
    returning = organisation(session)
    make_closed_round(session, organisation=returning, answers=same_answers(QUALIFYING),
                      year=BEFORE)
    make_closed_round(session, organisation=returning, answers=same_answers(QUALIFYING))
    # Qualifying, first round.
    make_closed_round(session, organisation=organisation(session), answers=same_answers(QUALIFYING))
    # Data but too few NQSWs; it closed a round two years ago, so this is its second.
    few = organisation(session)
    make_closed_round(session, organisation=few, answers=same_answers(QUALIFYING), year=LONG_AGO)
    make_closed_round(session, organisation=few, answers=same_answers(TOO_FEW_NQSWS))
    # Still open with one response: data, cannot qualify yet.
    make_closed_round(session, organisation=organisation(session), status="open",
               answers=same_answers({"nqsw": [3]}))
    # Open with no responses, and closed with no responses: a round, but no data.
    make_closed_round(session, organisation=organisation(session), status="open")
    make_closed_round(session, organisation=organisation(session))
    # A draft never opened is not a round yet, even after a closed round last year.
    drafted = organisation(session)
    make_closed_round(session, organisation=drafted, answers=same_answers(QUALIFYING), year=BEFORE)
    make_closed_round(session, organisation=drafted, status="draft")
    # Registered for the programme, never ran a round.
    organisation(session)
    # Registered for adults only: not counted for child and family…
    organisation(session, "adults")
    # …unless it ran a child and family round anyway (and a draft the year before is no round).
    switched = organisation(session, "adults")
    make_closed_round(session, organisation=switched, status="draft", year=BEFORE)
    make_closed_round(session, organisation=switched, answers=same_answers(QUALIFYING))
    # A closed adults round last year does not make this its second child and family round.
    adults_before = organisation(session, *both)
    make_closed_round(session, organisation=adults_before, answers=same_answers(QUALIFYING),
               year=BEFORE, programme="adults")
    make_closed_round(session, organisation=adults_before, answers=same_answers(QUALIFYING))
    # Closed without the self-assessment: data, not qualifying.
    make_closed_round(session, organisation=organisation(session),
               answers=same_answers(NO_SELF_ASSESSMENT))
    # Took part last year only.
    make_closed_round(session, organisation=organisation(session), answers=same_answers(QUALIFYING),
               year=BEFORE)

    child_and_family = national_results(session, year=YEAR,
                                              programme="child_and_family")
    adults = national_results(session, year=YEAR, programme="adults")

    assert child_and_family["participation"] == {
        "registered": 12,
        "with_round": 9,
        "with_data_not_qualifying": 3,
        "qualifying": 4,
        "second_round_or_later": 2,
    }
    assert child_and_family["organisations"] == 4
    assert adults["participation"] == {
        "registered": 3, "with_round": 0, "with_data_not_qualifying": 0, "qualifying": 0,
        "second_round_or_later": 0,
    }
    assert adults["organisations"] == 0


def test_participation_of_an_empty_service_is_all_zero_and_shows_no_results(session):
    results = national_results(session, year=YEAR, programme="child_and_family")

    assert set(results["participation"].values()) == {0}
    assert results["organisations"] == 0
    assert results["previous_year"] is None
    assert all(s["average"] is None and s["previous"] is None for s in results["statements"])
