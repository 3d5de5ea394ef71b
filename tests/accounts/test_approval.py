"""Rule 15: organisations are pending until approved; only approved ones count anywhere."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlmodel import select

from app.accounts.models import Organisation
from tests.builders import (
    api_headers,
    make_closed_round,
    make_employer,
    make_national_user,
    make_organisation,
    national_results,
    round_report,
    same_answers,
)

YEAR = "2025-26"


def qualifying(score: int):
    return same_answers({"self_assessment": [score], "nqsw": [score] * 3,
                         "line_manager": [score]})


def _cohort(session, *, approved_scores, other_statuses):
    """Approved organisations with these (uniform) scores, and one more organisation of each
    other status scoring 1 everywhere, each with a qualifying round."""
    rounds = {}
    for score in approved_scores:
        organisation = make_organisation(session, programmes=("child_and_family",))
        rounds[organisation.id] = make_closed_round(session, organisation=organisation,
                                                    answers=qualifying(score))
    for status in other_statuses:
        organisation = make_organisation(session, programmes=("child_and_family",),
                                         status=status)
        rounds[organisation.id] = make_closed_round(session, organisation=organisation,
                                                    answers=qualifying(1))
    return rounds


def _expected_average(scores) -> str:
    # Every organisation weighs the same: the mean of the organisation averages (rule 7).
    mean = Decimal(sum(scores)) / Decimal(len(scores))
    return str(float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)))


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_an_organisation_not_approved_counts_nowhere_in_the_national_results(session, status):
    scores = [5, 4, 4, 3]  # rule 7: a national figure needs 4 organisations
    _cohort(session, approved_scores=scores, other_statuses=[status])

    results = national_results(session, year=YEAR, programme="child_and_family")

    participation = results["participation"]
    assert participation["registered"] == 4
    assert participation["with_round"] == 4
    assert participation["qualifying"] == 4
    assert results["organisations"] == 4
    statement = results["statements"][0]
    assert statement["organisations"] == 4
    assert str(statement["average"]) == _expected_average(scores)


def test_approving_an_organisation_brings_its_rounds_into_the_national_results(
    session, client
):
    scores = [5, 4, 4]
    _cohort(session, approved_scores=scores, other_statuses=["pending"])
    pending = session.exec(select(Organisation).where(Organisation.status == "pending")).one()

    response = client.post(f"/api/v1/national/organisations/{pending.id}/approve",
                           headers=api_headers(make_national_user(session)))

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    results = national_results(session, year=YEAR, programme="child_and_family")
    assert results["participation"]["qualifying"] == 4
    assert str(results["statements"][0]["average"]) == _expected_average([*scores, 1])


def test_a_pending_organisation_is_left_out_of_every_benchmark(session):
    scores = [5, 4, 4, 3]
    rounds = _cohort(session, approved_scores=scores, other_statuses=["pending", "rejected"])
    reader = next(iter(rounds.values()))

    report = round_report(session, reader)

    benchmarks = report["statements"][0]["benchmarks"]
    national = benchmarks["national"]
    assert national is not None
    assert national["organisations"] == len(scores)
    assert str(national["average"]) == _expected_average(scores)
    assert benchmarks["region"]["organisations"] == len(scores)
    assert benchmarks["employer_type"]["organisations"] == len(scores)


def test_a_pending_organisation_can_still_run_rounds_and_read_its_own_report(session):
    rounds = _cohort(session, approved_scores=[], other_statuses=["pending"])
    [round_] = rounds.values()

    report = round_report(session, round_)

    assert report["meets_minimum"] is True
    assert report["statements"][0]["average"] == 1.0


def test_registering_through_the_api_makes_a_pending_organisation(client, session):
    response = client.post("/api/v1/auth/register", json={
        "organisation": {"name": "New Council", "employer_type": "local_authority",
                         "region": "london", "teaching_partnership": None,
                         "programmes": ["adults"]},
        "email": "new@example.org", "password": "a long enough password"})

    assert response.status_code == 201
    organisation = session.get(Organisation, response.json()["organisation_id"])
    assert organisation.status == "pending"


# The approval API


def test_rejecting_emails_the_reason_to_every_lead(client, session, smtp_server):
    organisation = make_organisation(session, status="pending", name="Hill & Dale Council")
    leads = [make_employer(session, organisation=organisation) for _ in range(2)]
    make_employer(session, organisation=organisation, organisation_role="viewer")

    response = client.post(
        f"/api/v1/national/organisations/{organisation.id}/reject",
        json={"reason": "  This is a duplicate of Hill and Dale Council.  "},
        headers=api_headers(make_national_user(session)))

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted(lead.email for lead in leads)
    for message in messages:
        assert message["Subject"] == "Hill & Dale Council has not been approved"
        text = message.get_body(("plain",)).get_content()
        assert "This is a duplicate of Hill and Dale Council." in text
        html = message.get_body(("html",)).get_content()
        assert "Hill &amp; Dale Council" in html
    session.refresh(organisation)
    assert organisation.rejection_reason == "This is a duplicate of Hill and Dale Council."


def test_approving_emails_the_leads(client, session, smtp_server):
    organisation = make_organisation(session, status="pending", name="Riverside Council")
    lead = make_employer(session, organisation=organisation)

    response = client.post(f"/api/v1/national/organisations/{organisation.id}/approve",
                           headers=api_headers(make_national_user(session)))

    assert response.status_code == 200
    [message] = smtp_server.wait_for(1)
    assert message["To"] == lead.email
    assert message["Subject"] == "Riverside Council has been approved"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}])
def test_a_rejection_without_a_usable_reason_is_refused_and_changes_nothing(
    client, session, body
):
    organisation = make_organisation(session, status="pending")

    response = client.post(f"/api/v1/national/organisations/{organisation.id}/reject", json=body,
                           headers=api_headers(make_national_user(session)))

    assert response.status_code == 422
    assert "detail" in response.json()
    session.refresh(organisation)
    assert organisation.status == "pending"


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_only_a_pending_organisation_can_be_decided(client, session, decision):
    organisation = make_organisation(session, status="approved")

    response = client.post(f"/api/v1/national/organisations/{organisation.id}/{decision}",
                           json={"reason": "No"}, headers=api_headers(make_national_user(session)))

    assert response.status_code == 409
    session.refresh(organisation)
    assert organisation.status == "approved"


def test_deciding_an_unknown_organisation_is_404(client, session):
    response = client.post("/api/v1/national/organisations/999999/approve",
                           headers=api_headers(make_national_user(session)))

    assert response.status_code == 404
    assert response.json() == {"detail": "No organisation with this id"}


@pytest.mark.parametrize("who", ["nobody", "employer"])
def test_only_a_national_user_can_approve(client, session, who):
    organisation = make_organisation(session, status="pending")
    user = make_employer(session, organisation=organisation) if who == "employer" else None

    response = client.post(f"/api/v1/national/organisations/{organisation.id}/approve",
                           headers=api_headers(user))

    assert response.status_code == (401 if user is None else 403)
    session.refresh(organisation)
    assert organisation.status == "pending"
