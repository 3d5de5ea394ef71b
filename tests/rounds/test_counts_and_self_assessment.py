"""Counts while open (never an average), the minimum criteria, and the self-assessment."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.lifecycle.service import RoundConflict
from app.results import criteria
from app.survey.models import Rating, SurveyResponse
from app.survey.ratings import RatingsError
from app.survey.service import count_responses, get_self_assessment, save_self_assessment
from tests.builders import (
    add_response,
    api_headers,
    full_ratings,
    make_employer,
    make_organisation,
    make_round,
)


def round_counts(*, session, round_id: int) -> dict[str, int]:
    return count_responses(session=session, round_ids=[round_id])[round_id]


def test_a_closed_round_with_everything_meets_the_minimum():
    result = criteria.check(status="closed",
                            counts={"self_assessment": 1, "nqsw": 3, "line_manager": 1, "other": 0})

    assert result.met is True and result.reasons == ()
    met, reasons = result.met, result.reasons
    assert met and not reasons


def test_meets_minimum_says_every_reason_it_is_not_met_in_words():
    result = criteria.check(status="open",
                            counts={"self_assessment": 0, "nqsw": 2, "line_manager": 0, "other": 9})

    assert result.met is False
    assert list(result.reasons) == [
        "the round has not closed yet",
        "the self-assessment has not been completed",
        "it needs at least 3 NQSW responses (it has 2)",
        "it needs at least 1 line manager response (it has 0)",
    ]


def test_others_do_not_count_toward_the_minimum():
    result = criteria.check(status="closed",
                            counts={"self_assessment": 1, "nqsw": 0, "line_manager": 0,
                                    "other": 50})

    assert not result.met


def test_minimum_progress_shows_each_criterion_and_how_far_along_it_is():
    progress = criteria.progress(status="open",
                                 counts={"self_assessment": 1, "nqsw": 2, "line_manager": 1})

    assert [(c.label, c.met, c.progress) for c in progress] == [
        ("Self-assessment complete", True, "Complete"),
        ("At least 3 NQSW responses", False, "2 of 3 so far"),
        ("At least 1 line manager response", True, "1 line manager (at least 1 needed)"),
        ("Round closed", False, "Not closed yet"),
    ]


def test_a_criterion_met_with_more_than_needed_never_reads_met_4_of_3():
    progress = criteria.progress(status="closed",
                                 counts={"self_assessment": 1, "nqsw": 4, "line_manager": 2})

    assert [c.progress for c in progress[1:3]] == [
        "4 NQSWs (at least 3 needed)", "2 line managers (at least 1 needed)"]


def test_round_counts_counts_responses_per_type_with_zero_for_none(session):
    round_ = make_round(session, organisation=make_organisation(session), status="open",
                        responses={"nqsw": 2, "other": 1})
    make_round(session, organisation=make_organisation(session), status="open",
               responses={"nqsw": 5})

    assert round_counts(session=session, round_id=round_.id) == {
        "self_assessment": 0, "nqsw": 2, "line_manager": 0, "other": 1}


def test_an_open_round_shows_counts_and_response_rates_but_no_average(client, session):
    organisation = make_organisation(session)
    employer = make_employer(session, organisation=organisation)
    round_ = make_round(session, organisation=organisation, status="open",
                        expected={"nqsw": 4, "line_manager": 2, "other": 0},
                        responses={"nqsw": 3, "line_manager": 1, "self_assessment": 1})

    body = client.get(f"/api/v1/rounds/{round_.id}", headers=api_headers(employer)).json()

    assert body["counts"] == {"self_assessment": 1, "nqsw": 3, "line_manager": 1, "other": 0}
    assert body["response_rates"] == {"nqsw": 0.75, "line_manager": 0.5, "other": None}
    assert body["meets_minimum"] is False
    assert body["minimum_reasons"] == ["the round has not closed yet"]
    text = str(body).lower()
    assert "average" not in text and "mean" not in text and "score" not in text


# The self-assessment


@pytest.fixture
def organisation(session):
    return make_organisation(session)


@pytest.fixture
def employer(session, organisation):
    return make_employer(session, organisation=organisation)


@pytest.fixture
def open_round(session, organisation):
    return make_round(session, organisation=organisation, status="open")


def self_assessments(session, round_id: int) -> list[SurveyResponse]:
    session.expire_all()
    return session.exec(select(SurveyResponse).where(SurveyResponse.round_id == round_id,
                                               SurveyResponse.respondent_type == "self_assessment")
                        ).all()


def test_saving_the_self_assessment_stores_one_complete_response(session, open_round):
    save_self_assessment(session=session, round_id=open_round.id,
                         ratings=full_ratings(3) | {"32": None})

    assert len(self_assessments(session, open_round.id)) == 1
    stored = get_self_assessment(session=session, round_id=open_round.id)
    assert len(stored) == 32 and stored[1] == 3 and stored[32] is None


def test_revising_the_self_assessment_replaces_it_whole(session, open_round):
    save_self_assessment(session=session, round_id=open_round.id, ratings=full_ratings(2))

    save_self_assessment(session=session, round_id=open_round.id, ratings=full_ratings(5))

    assert len(self_assessments(session, open_round.id)) == 1
    assert set(get_self_assessment(session=session, round_id=open_round.id).values()) == {5}
    assert session.exec(select(func.count()).select_from(Rating)).one() == 32


def test_an_incomplete_self_assessment_is_refused_and_the_earlier_one_kept(session, open_round):
    save_self_assessment(session=session, round_id=open_round.id, ratings=full_ratings(2))
    incomplete = full_ratings(5)
    del incomplete["7"]

    with pytest.raises(RatingsError) as refused:
        save_self_assessment(session=session, round_id=open_round.id,
                             ratings=incomplete | {"3": 6})

    assert set(refused.value.problems) == {"3", "7"}
    assert set(get_self_assessment(session=session, round_id=open_round.id).values()) == {2}


def test_the_self_assessment_changes_until_the_round_closes(session):
    draft = make_round(session, organisation=make_organisation(session), status="draft")
    closed = make_round(session, organisation=make_organisation(session), status="closed")

    # The employer may rate itself before the links go out (issue 15).
    save_self_assessment(session=session, round_id=draft.id, ratings=full_ratings())
    with pytest.raises(RoundConflict, match="has closed"):
        save_self_assessment(session=session, round_id=closed.id, ratings=full_ratings())

    assert len(self_assessments(session, draft.id)) == 1
    assert self_assessments(session, closed.id) == []


def test_the_self_assessment_api_saves_replaces_and_reads_back(
    client, session, employer, open_round
):
    url = f"/api/v1/rounds/{open_round.id}/self-assessment"
    headers = api_headers(employer)

    before = client.get(url, headers=headers).json()
    first = client.put(url, headers=headers, json={"ratings": full_ratings(4)})
    second = client.put(url, headers=headers, json={"ratings": full_ratings(3) | {"1": None}})
    after = client.get(url, headers=headers).json()

    assert before == {"round_id": open_round.id, "complete": False, "ratings": {}}
    assert first.status_code == second.status_code == 200
    assert after["complete"] is True
    assert after["ratings"]["1"] is None and after["ratings"]["2"] == 3
    assert len(self_assessments(session, open_round.id)) == 1


@pytest.mark.parametrize(
    ("ratings", "named"),
    [
        (full_ratings() | {"5": "4"}, "5"),
        (full_ratings() | {"5": 4.0}, "5"),
        (full_ratings() | {"5": True}, "5"),
        (full_ratings() | {"5": 0}, "5"),
        (full_ratings() | {"33": 4}, "33"),
    ],
)
def test_the_self_assessment_api_refuses_bad_ratings_naming_the_statements(
    client, session, employer, open_round, ratings, named
):
    response = client.put(f"/api/v1/rounds/{open_round.id}/self-assessment",
                          headers=api_headers(employer), json={"ratings": ratings})

    assert response.status_code == 422
    assert named in response.json()["errors"]
    assert f"statement {named}" in response.json()["detail"]
    assert self_assessments(session, open_round.id) == []


def test_the_self_assessment_api_refuses_a_closed_round_with_409(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation, status="closed")

    response = client.put(f"/api/v1/rounds/{round_.id}/self-assessment",
                          headers=api_headers(employer), json={"ratings": full_ratings()})

    assert response.status_code == 409


def test_a_stored_self_assessment_counts_as_complete(session, open_round):
    add_response(session, round_=open_round, respondent_type="self_assessment")

    assert round_counts(session=session, round_id=open_round.id)["self_assessment"] == 1
