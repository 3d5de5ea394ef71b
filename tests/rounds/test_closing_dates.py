"""Rule 12 through the API and pages: choosing, showing, moving and refusing closing dates;
changing and deleting draft rounds. Bad input is a clear 4xx and nothing is stored."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from app.accounts.models import Organisation
from app.lifecycle.closing import uk_today
from app.lifecycle.models import Round
from app.lifecycle.years import academic_year_end, academic_year_of
from app.survey.models import RoundLink
from tests.builders import (
    api_headers,
    make_employer,
    make_round,
    make_survey_round,
    post_form,
    sign_in,
)
from tests.html import assert_good_page

TODAY = uk_today()
YEAR = academic_year_of(TODAY)
END = academic_year_end(YEAR)


def soon(days: int = 10):
    return min(TODAY + timedelta(days=days), END)


def rounds_stored(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Round)).one()


@pytest.fixture
def lead(session):
    return make_employer(session)


def create(client, lead, **changes):
    body = {"programme": "adults", "year": YEAR, "expected": {"nqsw": 4}} | changes
    return client.post("/api/v1/rounds", headers=api_headers(lead), json=body)


@pytest.mark.parametrize("closes_on, message", [
    (TODAY - timedelta(days=1), "The closing date must be today or in the future"),
    (END + timedelta(days=1), f"must be on or before 31 August {END.year}, the end of the"),
    ("2027-02-30", "date"),
    ("next week", "date"),
])
def test_a_closing_date_that_cannot_be_is_refused_and_nothing_is_stored(
    client, session, lead, closes_on, message
):
    response = create(client, lead, closes_on=str(closes_on))

    assert response.status_code == 422
    assert message in str(response.json()["detail"])
    assert rounds_stored(session) == 0


def test_without_a_closing_date_opening_sets_28_days_later(client, session, lead):
    created = create(client, lead).json()
    assert created["closes_on"] is None

    opened = client.post(f"/api/v1/rounds/{created['id']}/open", headers=api_headers(lead))

    assert opened.json()["closes_on"] == (uk_today() + timedelta(days=28)).isoformat()


def test_an_open_rounds_date_moves_later_but_never_earlier(client, session, lead):
    created = create(client, lead, closes_on=soon(5).isoformat()).json()
    url = f"/api/v1/rounds/{created['id']}"
    client.post(f"{url}/open", headers=api_headers(lead))

    earlier = client.patch(url, headers=api_headers(lead),
                           json={"closes_on": TODAY.isoformat()})
    later = client.patch(url, headers=api_headers(lead), json={"closes_on": END.isoformat()})

    if soon(5) > TODAY:
        assert earlier.status_code == 422
        assert "To end the round earlier, close it" in earlier.json()["detail"]
    assert later.status_code == 200 and later.json()["closes_on"] == END.isoformat()
    expected = client.patch(url, headers=api_headers(lead), json={"expected": {"nqsw": 9}})
    assert expected.status_code == 409
    assert client.get(url, headers=api_headers(lead)).json()["expected"]["nqsw"] == 4


def test_a_draft_changes_its_expected_numbers_and_date_all_or_nothing(client, session, lead):
    url = f"/api/v1/rounds/{create(client, lead).json()['id']}"

    refused = client.patch(url, headers=api_headers(lead), json={
        "expected": {"nqsw": 9}, "closes_on": (END + timedelta(days=1)).isoformat()})
    unknown = client.patch(url, headers=api_headers(lead), json={"status": "open"})
    changed = client.patch(url, headers=api_headers(lead), json={
        "expected": {"nqsw": 9, "line_manager": 3}, "closes_on": soon().isoformat()})

    assert refused.status_code == 422 and unknown.status_code == 422
    assert changed.status_code == 200
    assert changed.json()["expected"] == {"nqsw": 9, "line_manager": 3, "other": 0}
    assert changed.json()["closes_on"] == soon().isoformat()


def test_a_closed_rounds_date_cannot_change(client, session, lead):
    organisation = session.get(Organisation, lead.organisation_id)
    closed = make_round(session, organisation=organisation, status="closed")

    response = client.patch(f"/api/v1/rounds/{closed.id}", headers=api_headers(lead),
                            json={"closes_on": soon().isoformat()})

    assert response.status_code == 409


def test_only_a_draft_round_can_be_deleted_and_its_links_go_with_it(client, session, lead):
    draft = create(client, lead).json()["id"]
    opened = create(client, lead, programme="child_and_family").json()["id"]
    client.post(f"/api/v1/rounds/{opened}/open", headers=api_headers(lead))

    assert client.delete(f"/api/v1/rounds/{opened}", headers=api_headers(lead)).status_code == 409
    assert client.delete(f"/api/v1/rounds/{draft}", headers=api_headers(lead)).status_code == 204
    assert client.get(f"/api/v1/rounds/{draft}", headers=api_headers(lead)).status_code == 404
    session.rollback()
    assert session.exec(select(RoundLink).where(RoundLink.round_id == draft)).all() == []
    assert rounds_stored(session) == 1


def test_the_create_page_offers_a_date_input_28_days_ahead_and_refuses_an_unreal_date(
    client, session, lead
):
    sign_in(client, lead)
    soup = assert_good_page(client.get("/rounds/new"))
    default = TODAY + timedelta(days=28)
    assert soup.select_one("#closes_on")["value"] == str(default.day)
    assert soup.select_one("#closes_on_month")["value"] == str(default.month)

    response = post_form(client, "/rounds/new", {
        "programme": "adults", "year": YEAR, "expected_nqsw": "3", "expected_line_manager": "1",
        "expected_other": "0", "closes_on": "31", "closes_on_month": "2",
        "closes_on_year": str(END.year)})

    soup = assert_good_page(response, title_contains="Error: ")
    assert response.status_code == 422
    summary = soup.select_one(".govuk-error-summary")
    assert "The closing date must be a real date" in summary.get_text()
    assert summary.select_one('a[href="#closes_on"]')
    assert soup.select_one("#closes_on")["value"] == "31"
    assert rounds_stored(session) == 0


def test_the_lead_moves_the_date_on_the_edit_page_and_the_round_page_shows_it(
    client, session, lead
):
    created = create(client, lead, closes_on=soon(3).isoformat()).json()
    sign_in(client, lead)
    client.post(f"/api/v1/rounds/{created['id']}/open", headers=api_headers(lead))
    assert_good_page(client.get(f"/rounds/{created['id']}/edit"))

    bad = post_form(client, f"/rounds/{created['id']}/edit", {
        "closes_on": "1", "closes_on_month": "9", "closes_on_year": str(END.year)})
    good = post_form(client, f"/rounds/{created['id']}/edit", {
        "closes_on": str(END.day), "closes_on_month": str(END.month),
        "closes_on_year": str(END.year)}, follow_redirects=False)

    assert bad.status_code == 422
    assert "the end of the" in assert_good_page(bad).select_one(".govuk-error-summary").get_text()
    assert good.status_code == 303
    page = assert_good_page(client.get(f"/rounds/{created['id']}"))
    assert f"31 August {END.year}" in page.get_text(" ")


def test_every_respondent_page_says_when_the_evaluation_closes(client, session):
    made = make_survey_round(session)
    closes_on = session.get(Round, made.round.id).closes_on
    words = f"This evaluation closes on {closes_on.day} {closes_on.strftime('%B %Y')}."

    for path in ("", "/theme/1"):
        soup = assert_good_page(client.get(f"/survey/{made.token}{path}"))
        assert soup.select_one("#closing-date").get_text(strip=True) == words
