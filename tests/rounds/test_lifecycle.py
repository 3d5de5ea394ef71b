"""Rule 1: draft → open → closed, one round per organisation, programme and year, closing final."""

import inspect
import random

import pytest
from sqlalchemy import func, insert
from sqlmodel import select

from app.lifecycle.models import Round
from app.lifecycle.service import RoundConflict
from app.results.models import RoundSummary
from app.rounds import service
from app.rounds.service import (
    RoundInvalid,
    close_round,
    create_round,
    open_round,
)
from app.statements.models import StatementSetRecord
from app.survey.models import IdempotencyRecord, Rating, RoundLink, SurveyResponse
from tests.builders import (
    NUMBERS,
    add_answers,
    add_response,
    api_headers,
    make_employer,
    make_organisation,
    make_round,
)

EXPECTED = {"nqsw": 8, "line_manager": 4, "other": 2}


@pytest.fixture
def organisation(session):
    return make_organisation(session)


def new_round(session, organisation, **changes) -> Round:
    arguments = {"programme": "child_and_family", "year": "2025-26", "statement_set": None,
                 "expected": EXPECTED} | changes
    return create_round(session=session, organisation_id=organisation.id, **arguments)


def test_a_new_round_is_a_draft_with_a_link_per_anonymous_type_and_the_latest_set(
    session, organisation
):
    round_ = new_round(session, organisation)

    assert round_.status == "draft" and round_.opened_at is None
    assert round_.statement_set == "child-and-family-2019"
    assert (round_.expected_nqsw, round_.expected_line_manager, round_.expected_other) == (8, 4, 2)
    links = session.exec(select(RoundLink).where(RoundLink.round_id == round_.id)).all()
    assert sorted(link.respondent_type for link in links) == ["line_manager", "nqsw", "other"]
    assert len({link.token for link in links}) == 3
    assert session.get(StatementSetRecord, "child-and-family-2019") is not None


def test_a_second_round_for_the_same_programme_and_year_is_refused(session, organisation):
    new_round(session, organisation)

    with pytest.raises(RoundConflict, match="already has a round for the Child and family"):
        new_round(session, organisation)


def test_another_programme_or_year_or_organisation_may_have_its_own_round(session, organisation):
    new_round(session, organisation)
    new_round(session, organisation, programme="adults")
    new_round(session, organisation, year="2024-25")
    new_round(session, make_organisation(session))

    assert session.exec(select(func.count()).select_from(Round)).one() == 4


def test_a_duplicate_that_slips_past_the_check_is_still_refused_by_the_database(
    session, organisation, monkeypatch
):
    """Two requests racing: both pass the check, the unique constraint stops the second."""
    new_round(session, organisation)
    real_find = service._find_round
    calls = []

    def find_nothing_the_first_time(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real_find(*args, **kwargs)

    monkeypatch.setattr(service, "_find_round", find_nothing_the_first_time)

    with pytest.raises(RoundConflict, match="already has a round"):
        new_round(session, organisation)
    assert len(calls) == 2  # checked, inserted, met the constraint, checked again
    assert session.exec(select(func.count()).select_from(Round)).one() == 1


def test_a_statement_set_that_does_not_exist_is_refused(session, organisation):
    with pytest.raises(RoundInvalid, match="no statement set called"):
        new_round(session, organisation, statement_set="made-up-2030")


def test_opening_a_draft_records_when(session, organisation):
    round_ = open_round(session=session, round_id=new_round(session, organisation).id)

    assert round_.status == "open" and round_.opened_at is not None


@pytest.mark.parametrize(("status", "move", "refusal"), [
    ("open", open_round, "already open"),
    ("draft", close_round, "not been opened"),
    ("closed", open_round, "can never be opened again"),
    ("closed", close_round, "already closed"),
], ids=["open an open round", "close a draft", "reopen a closed round", "close it twice"])
def test_a_move_out_of_the_wrong_state_is_refused_and_changes_nothing(
    session, organisation, status, move, refusal
):
    round_ = make_round(session, organisation=organisation, status=status)

    with pytest.raises(RoundConflict, match=refusal):
        move(session=session, round_id=round_.id)
    session.expire_all()
    assert session.get(Round, round_.id).status == status


def test_closing_summarises_the_round_and_forgets_its_idempotency_keys(session, organisation):
    round_ = make_round(session, organisation=organisation, status="open")
    add_response(session, round_=round_, respondent_type="nqsw", score=4)
    add_response(session, round_=round_, respondent_type="nqsw", score=2)
    session.add(IdempotencyRecord(key_hash="k" * 64, round_id=round_.id, respondent_type="nqsw"))
    session.commit()

    closed = close_round(session=session, round_id=round_.id)

    assert closed.status == "closed" and closed.closed_at is not None
    cell = session.exec(select(RoundSummary).where(
        RoundSummary.round_id == round_.id, RoundSummary.statement_number == 1,
        RoundSummary.respondent_type == "nqsw")).one()
    assert (cell.n, cell.total, cell.dont_know) == (2, 6, 0)
    assert session.exec(select(IdempotencyRecord)).all() == []


def test_a_round_with_rating_rows_and_packed_answers_closes_to_the_summary_of_both(
        session, organisation):
    """Responses stored before answers were packed (rating rows) and after (packed), and the
    self-assessment (rating rows), all count, each once."""
    rng = random.Random(17)
    round_ = make_round(session, organisation=organisation, status="open")

    def answer() -> dict[int, int | None]:
        return {n: rng.choice([None, 1, 2, 3, 4, 5]) for n in NUMBERS}

    sent = {"nqsw": [answer() for _ in range(4)], "line_manager": [answer() for _ in range(2)],
            "other": [answer()], "self_assessment": [answer()]}
    old_kind = [("nqsw", sent["nqsw"][0]), ("line_manager", sent["line_manager"][0]),
                ("self_assessment", sent["self_assessment"][0])]
    for respondent_type, ratings in old_kind:  # as stored before migration 0d07e8ba32dc
        response = SurveyResponse(round_id=round_.id, respondent_type=respondent_type)
        session.add(response)
        session.flush()
        session.execute(insert(Rating), [
            {"response_id": response.id, "statement_number": n, "score": score}
            for n, score in ratings.items()])
    add_answers(session, round_=round_, answers={  # packed, as a submission stores them now
        "nqsw": sent["nqsw"][1:], "line_manager": sent["line_manager"][1:],
        "other": sent["other"]})
    session.commit()
    assert sorted(a is None for a in session.exec(select(SurveyResponse.answers))) == \
        [False] * 5 + [True] * 3

    close_round(session=session, round_id=round_.id)

    # The oracle: counted here from what was sent, statement by statement and type by type.
    expected = set()
    for respondent_type, responses in sent.items():
        for n in NUMBERS:
            scores = [r[n] for r in responses if r[n] is not None]
            expected.add((n, respondent_type, len(scores), sum(scores),
                          sum(r[n] is None for r in responses)))
    summary = set(session.exec(select(
        RoundSummary.statement_number, RoundSummary.respondent_type, RoundSummary.n,
        RoundSummary.total, RoundSummary.dont_know).where(RoundSummary.round_id == round_.id)))
    assert summary == expected
    assert set(session.exec(select(SurveyResponse.answers))) == {None}
    assert session.exec(select(func.count()).select_from(Rating)).one() == 8 * len(NUMBERS)


def test_an_open_round_keeps_the_statement_set_its_answers_were_packed_under(client, session,
                                                                             organisation):
    """Packed answers mean something only with their set (app.survey.answers): nothing changes
    a round's set once created, and the API refuses to."""
    employer = make_employer(session, organisation=organisation)
    round_ = make_round(session, organisation=organisation, status="open")

    response = client.patch(f"/api/v1/rounds/{round_.id}", headers=api_headers(employer),
                            json={"statement_set": "adults-2019"})

    assert response.status_code == 422
    assert "statement_set" not in inspect.signature(service.update_round).parameters
    session.refresh(round_)
    assert round_.statement_set == "child-and-family-2019"


# The same rules through the API


@pytest.fixture
def employer(session, organisation):
    return make_employer(session, organisation=organisation)


def test_the_api_creates_a_round_and_returns_it_as_the_contract_says(client, employer):
    response = client.post("/api/v1/rounds", headers=api_headers(employer), json={
        "programme": "child_and_family", "year": "2025-26",
        "statement_set": "child-and-family-2019", "expected": EXPECTED})

    assert response.status_code == 201
    body = response.json()
    assert {"id", "year", "programme", "statement_set", "status", "links", "counts",
            "meets_minimum"} <= set(body)
    assert body["status"] == "draft" and body["year"] == "2025-26"
    assert body["expected"] == EXPECTED
    assert set(body["links"]) == {"nqsw", "line_manager", "other"}
    assert all(url.startswith("http://testserver/survey/") for url in body["links"].values())
    assert body["counts"] == {"self_assessment": 0, "nqsw": 0, "line_manager": 0, "other": 0}
    assert body["meets_minimum"] is False and body["minimum_reasons"]
    assert body["organisation"]["id"] == employer.organisation_id


def test_the_api_refuses_a_duplicate_round_with_409(client, employer):
    body = {"programme": "adults", "year": "2025-26"}
    client.post("/api/v1/rounds", headers=api_headers(employer), json=body)

    response = client.post("/api/v1/rounds", headers=api_headers(employer), json=body)

    assert response.status_code == 409
    assert "already has a round for the Adults programme in 2025-26" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"programme": "mental_health", "year": "2025-26"}, "Select a programme"),
        ({"programme": "adults", "year": "2025/26"}, "format 2025-26"),
        ({"programme": "adults", "year": "2025-27"}, "format 2025-26"),
        ({"programme": "adults", "year": "1999-00"}, "from 2018-19"),
        ({"programme": "adults", "year": "2025-26", "expected": {"nqsw": -1}}, "expected.nqsw"),
        ({"programme": "adults", "year": "2025-26", "statement_set": "nope"}, "no statement set"),
    ],
)
def test_the_api_refuses_bad_round_details_with_422(client, employer, body, message):
    response = client.post("/api/v1/rounds", headers=api_headers(employer), json=body)

    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_the_api_lifecycle_answers_409_in_the_wrong_state(client, session, employer):
    headers = api_headers(employer)
    round_id = client.post("/api/v1/rounds", headers=headers,
                           json={"programme": "adults", "year": "2025-26"}).json()["id"]

    close_draft = client.post(f"/api/v1/rounds/{round_id}/close", headers=headers)
    opened = client.post(f"/api/v1/rounds/{round_id}/open", headers=headers)
    open_twice = client.post(f"/api/v1/rounds/{round_id}/open", headers=headers)
    closed = client.post(f"/api/v1/rounds/{round_id}/close", headers=headers)
    reopen = client.post(f"/api/v1/rounds/{round_id}/open", headers=headers)
    close_twice = client.post(f"/api/v1/rounds/{round_id}/close", headers=headers)

    assert close_draft.status_code == 409 and "not been opened" in close_draft.json()["detail"]
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert open_twice.status_code == 409 and open_twice.json() == {
        "detail": "This round is already open"}
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert reopen.status_code == 409 and "never be opened again" in reopen.json()["detail"]
    assert close_twice.status_code == 409


def test_the_openapi_schema_documents_the_round_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {"401", "403", "404", "409", "422"} <= set(paths["/api/v1/rounds/{round_id}/close"]
                                                      ["post"]["responses"])
    assert {"401", "403", "409", "422"} <= set(paths["/api/v1/rounds"]["post"]["responses"])
    assert "404" in paths["/api/v1/rounds/{round_id}"]["get"]["responses"]
    assert "409" in paths["/api/v1/auth/register"]["post"]["responses"]
