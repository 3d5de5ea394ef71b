"""Rule 13: an action plan on a closed round round-trips through the API and pages, refuses bad
input whole, and appears in next year's report with each statement's change and RAG change."""

import io

import pytest
from pypdf import PdfReader

from app.accounts.models import Organisation
from tests.builders import (
    api_headers,
    make_closed_round,
    make_employer,
    make_national_user,
    make_round,
    post_form,
    same_answers,
    sign_in,
)
from tests.html import assert_good_page

ITEM = {"statement": 7, "actions": "Monthly protected-caseload review with each NQSW",
        "owner": "Principal social worker", "due": "2027-03-31", "status": "planned"}


@pytest.fixture
def lead(session):
    return make_employer(session)


def organisation_of(session, user) -> Organisation:
    return session.get(Organisation, user.organisation_id)


def closed_round(session, lead, *, year="2025-26", score=4, s7=None):
    """Three NQSWs, three line managers and the self-assessment rate every statement `score`
    (statement 7 `s7`), so each published average is exactly that score."""
    s7 = score if s7 is None else s7
    answers = same_answers(
        {"self_assessment": [score], "nqsw": [score] * 3, "line_manager": [score] * 3},
        s7={"self_assessment": [s7], "nqsw": [s7] * 3, "line_manager": [s7] * 3})
    return make_closed_round(session, organisation=organisation_of(session, lead), year=year,
                             answers=answers)


def put(client, user, round_, items):
    return client.put(f"/api/v1/rounds/{round_.id}/action-plan", headers=api_headers(user),
                      json={"items": items})


def test_a_plan_round_trips_and_national_users_read_it_but_cannot_change_it(
    client, session, lead
):
    round_ = closed_round(session, lead)
    national = make_national_user(session)

    saved = put(client, lead, round_, [ITEM, ITEM | {"statement": 2, "status": "in_progress"}])

    assert saved.status_code == 200, saved.text
    expected = [ITEM | {"statement": 2, "status": "in_progress"}, ITEM]
    assert saved.json()["items"] == expected
    read = client.get(f"/api/v1/rounds/{round_.id}/action-plan", headers=api_headers(national))
    assert read.json()["items"] == expected
    assert put(client, national, round_, []).status_code == 403
    report = client.get(f"/api/v1/rounds/{round_.id}/report", headers=api_headers(lead)).json()
    assert report["action_plan"] == expected
    assert report["previous_action_plan"] is None


@pytest.mark.parametrize("change, status, words", [
    ({"statement": 33}, 422, "Statement 33 is not one of this round's statements"),
    ({"statement": 0}, 422, "statement"),
    ({"status": "finished"}, 422, "status"),
    ({"due": "31/03/2027"}, 422, "due"),
    ({"due": "2027-02-30"}, 422, "due"),
    ({"actions": "   "}, 422, "actions"),
    ({"owner": "P\x00SW"}, 422, "NUL"),
])
def test_a_bad_item_is_refused_and_the_plan_stays_as_it_was(
    client, session, lead, change, status, words
):
    round_ = closed_round(session, lead)
    assert put(client, lead, round_, [ITEM]).status_code == 200

    response = put(client, lead, round_, [ITEM | {"statement": 3}, ITEM | change])

    assert response.status_code == status
    assert words in str(response.json()["detail"])
    after = client.get(f"/api/v1/rounds/{round_.id}/action-plan", headers=api_headers(lead))
    assert after.json()["items"] == [ITEM]


def test_a_statement_twice_is_refused(client, session, lead):
    round_ = closed_round(session, lead)

    response = put(client, lead, round_, [ITEM, ITEM])

    assert response.status_code == 422 and "twice" in response.json()["detail"]


def test_an_open_round_has_no_action_plan_yet(client, session, lead):
    round_ = make_round(session, organisation=organisation_of(session, lead), status="open")

    assert put(client, lead, round_, [ITEM]).status_code == 409
    read = client.get(f"/api/v1/rounds/{round_.id}/action-plan", headers=api_headers(lead))
    assert read.status_code == 409
    sign_in(client, lead)
    page = client.get(f"/rounds/{round_.id}/action-plan")
    assert page.status_code == 409
    assert "once the round has closed" in page.text


def test_next_years_report_shows_last_years_plan_with_each_statements_change(
    client, session, lead
):
    last_year = closed_round(session, lead, year="2024-25", score=4, s7=2)
    assert put(client, lead, last_year, [ITEM, ITEM | {"statement": 1, "status": "done"}]
               ).status_code == 200
    this_year = closed_round(session, lead, year="2025-26", score=4, s7=5)

    report = client.get(f"/api/v1/rounds/{this_year.id}/report", headers=api_headers(lead)).json()

    follow_up = {item["statement"]: item for item in report["previous_action_plan"]}
    # Statement 7: every rating 2 last year (amber), 5 this year (green): +3.0.
    assert (follow_up[7]["previous_average"], follow_up[7]["average"], follow_up[7]["change"],
            follow_up[7]["rag_change"], follow_up[7]["status"]) == (2.0, 5.0, 3.0,
                                                                    "amber → green", "planned")
    # Statement 1: 4 both years, green both: no change.
    assert (follow_up[1]["previous_average"], follow_up[1]["average"],
            follow_up[1]["change"]) == (4.0, 4.0, 0.0)
    assert not follow_up[1]["rag_change"]
    sign_in(client, lead)
    page = assert_good_page(client.get(f"/rounds/{this_year.id}/report"))
    section = page.select_one("#action-plan").get_text(" ")
    assert "Last year’s action plan" in section and "amber → green" in section


def test_a_lead_adds_changes_and_removes_items_on_the_pages(client, session, lead):
    round_ = closed_round(session, lead, s7=2)
    sign_in(client, lead)
    plan = assert_good_page(client.get(f"/rounds/{round_.id}/action-plan"))
    suggestions = plan.select_one("#suggestions").find_next("ul").get_text(" ")
    assert "Statement 7" in suggestions and "amber (2.0)" in suggestions
    assert "Statement 8" not in suggestions  # green 4.0, like every other statement
    assert_good_page(client.get(f"/rounds/{round_.id}/action-plan/item?statement=7"))

    bad = post_form(client, f"/rounds/{round_.id}/action-plan/item", {
        "statement": "7", "actions": "", "owner": "PSW", "due": "30", "due_month": "2",
        "due_year": "2027", "status": "planned"})
    soup = assert_good_page(bad, title_contains="Error: ")
    assert bad.status_code == 422
    summary = soup.select_one(".govuk-error-summary").get_text(" ")
    assert "Enter what will be done" in summary and "must be a real date" in summary
    assert client.get(f"/api/v1/rounds/{round_.id}/action-plan",
                      headers=api_headers(lead)).json()["items"] == []

    good = post_form(client, f"/rounds/{round_.id}/action-plan/item", {
        "statement": "7", "actions": "Caseload review", "owner": "PSW", "due": "31",
        "due_month": "3", "due_year": "2027", "status": "in_progress"}, follow_redirects=False)
    assert good.status_code == 303
    items = client.get(f"/api/v1/rounds/{round_.id}/action-plan",
                       headers=api_headers(lead)).json()["items"]
    assert items == [{"statement": 7, "actions": "Caseload review", "owner": "PSW",
                      "due": "2027-03-31", "status": "in_progress"}]
    report = assert_good_page(client.get(f"/rounds/{round_.id}/report"))
    assert "Caseload review" in report.select_one("#action-plan").get_text(" ")
    pdf = PdfReader(io.BytesIO(client.get(f"/rounds/{round_.id}/report.pdf").content))
    pdf_text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Action plan" in pdf_text and "Caseload review" in pdf_text

    removed = post_form(client, f"/rounds/{round_.id}/action-plan/remove/7",
                        follow_redirects=False)
    assert removed.status_code == 303
    assert client.get(f"/api/v1/rounds/{round_.id}/action-plan",
                      headers=api_headers(lead)).json()["items"] == []


@pytest.mark.parametrize("statement", ["²", "７"])
def test_a_look_alike_statement_number_on_the_page_is_an_error_not_a_500(
        client, session, lead, statement):
    """str.isdigit() takes a superscript two (and int() then refuses it) and full-width digits."""
    round_ = closed_round(session, lead, s7=2)
    sign_in(client, lead)

    response = post_form(client, f"/rounds/{round_.id}/action-plan/item", {
        "statement": statement, "actions": "Caseload review", "owner": "PSW", "due": "31",
        "due_month": "3", "due_year": "2027", "status": "planned"})

    assert response.status_code == 422
    assert_good_page(response, title_contains="Error: ")
    assert client.get(f"/api/v1/rounds/{round_.id}/action-plan",
                      headers=api_headers(lead)).json()["items"] == []
