"""The employer's round pages: dashboard, create, run, codes, close, self-assessment."""

import csv
import io
from datetime import date

import pytest
from sqlmodel import select

from app.lifecycle.models import Round
from app.lifecycle.years import academic_year_of
from app.statements.loader import get_statement_sets
from app.survey.codes import hash_code
from app.survey.models import InvitationCode
from app.survey.service import get_self_assessment
from tests.builders import (
    SET_KEY,
    make_employer,
    make_national_user,
    make_organisation,
    make_round,
    post_form,
    sign_in,
)
from tests.html import assert_good_page


@pytest.fixture
def organisation(session):
    return make_organisation(session, name="Riverside Council")


@pytest.fixture
def employer(client, session, organisation):
    user = make_employer(session, organisation=organisation)
    sign_in(client, user)
    return user


@pytest.fixture
def open_round(session, organisation):
    """An open round expecting 4 NQSWs and 2 line managers, 3 and 1 of whom have answered."""
    return make_round(session, organisation=organisation, status="open",
                      expected={"nqsw": 4, "line_manager": 2, "other": 0},
                      responses={"nqsw": 3, "line_manager": 1})


def status_of(session, round_id: int) -> str:
    session.expire_all()
    return session.get(Round, round_id).status


def round_form(**changes) -> dict:
    return {"programme": "child_and_family", "year": "2025-26", "statement_set": "",
            "expected_nqsw": "8", "expected_line_manager": "4", "expected_other": "2"} | changes


# Dashboard


def test_the_dashboard_of_a_new_organisation_offers_to_create_a_round(client, employer):
    soup = assert_good_page(client.get("/dashboard"), title_contains="Your evaluation rounds")

    assert "Riverside Council" in soup.select_one(".govuk-caption-l").get_text()
    assert soup.select_one('a.govuk-button[href="/rounds/new"]') is not None
    assert "You have not created a round yet" in soup.get_text()


def test_the_dashboard_lists_rounds_by_year_with_status_and_next_step(
    client, session, organisation, employer
):
    draft = make_round(session, organisation=organisation, year="2025-26", programme="adults")
    open_ = make_round(session, organisation=organisation, year="2025-26", status="open")
    closed = make_round(session, organisation=organisation, year="2024-25", status="closed")

    soup = assert_good_page(client.get("/dashboard"))

    assert [h2.get_text(strip=True) for h2 in soup.select("main h2")] == ["2025-26", "2024-25"]
    rows = {row.th.get_text(strip=True) + " "
            + row.select_one("td .govuk-tag").get_text(strip=True): row.select("td")[1]
            for row in soup.select("tbody tr")}
    assert "0 answers" in soup.select_one("tbody td").get_text()
    assert set(rows) == {"Adults Not open yet", "Child and family Open",
                         "Child and family Closed"}
    assert rows["Adults Not open yet"].a["href"] == f"/rounds/{draft.id}"
    assert "Open the round" in rows["Adults Not open yet"].get_text()
    assert rows["Child and family Open"].a["href"] == f"/rounds/{open_.id}"
    assert rows["Child and family Closed"].a["href"] == f"/rounds/{closed.id}/report"


# Create a round


def test_the_new_round_page_suggests_this_academic_year_and_the_latest_set(client, employer):
    soup = assert_good_page(client.get("/rounds/new"), title_contains="Create a round")

    assert soup.select_one("#year")["value"] == academic_year_of(date.today())
    assert soup.select_one("#statement_set option[selected]")["value"] == ""
    assert len(soup.select('input[name="programme"]')) == 2


def test_creating_a_round_goes_to_its_page(client, session, employer):
    response = post_form(client, "/rounds/new", round_form())

    round_ = session.exec(select(Round)).one()
    assert response.url.path == f"/rounds/{round_.id}"
    assert (round_.expected_nqsw, round_.statement_set) == (8, SET_KEY)
    soup = assert_good_page(response, title_contains="Child and family programme, 2025-26")
    assert "Open the round" in soup.get_text()


def test_the_new_round_page_shows_problems_and_keeps_what_was_typed(client, session, employer):
    response = post_form(client, "/rounds/new",
                         round_form(programme="", year="2025", expected_nqsw="eight",
                                    expected_other=""))

    assert response.status_code == 422
    soup = assert_good_page(response, title_contains="Error: Create a round")
    assert [(a["href"], a.get_text(strip=True)) for a in soup.select(".govuk-error-summary a")] == [
        ("#programme", "Select a programme"),
        ("#year", "Enter the academic year in the format 2025-26"),
        ("#expected_nqsw", "Number of NQSWs must be a number"),
        ("#expected_other", "Enter how many others you expect to answer, or 0"),
    ]
    assert soup.select_one("#year")["value"] == "2025"
    assert soup.select_one("#expected_nqsw")["value"] == "eight"
    assert soup.select_one("#expected_line_manager")["value"] == "4"
    assert session.exec(select(Round)).first() is None


def test_a_duplicate_round_is_refused_on_the_page_with_a_clear_message(
    client, session, organisation, employer
):
    make_round(session, organisation=organisation, programme="child_and_family", year="2025-26")

    response = post_form(client, "/rounds/new", round_form())

    assert response.status_code == 409
    soup = assert_good_page(response, title_contains="Error:")
    error = soup.select_one(".govuk-error-summary a")
    assert error["href"] == "#year"
    assert "already has a round for the Child and family programme in 2025-26" in error.text


# Run the round


def test_a_draft_round_page_offers_to_open_it_and_shows_no_links(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation)

    soup = assert_good_page(client.get(f"/rounds/{round_.id}"))

    assert soup.select_one(f'form[action="/rounds/{round_.id}/open"]') is not None
    assert "/survey/" not in soup.get_text()

    post_form(client, f"/rounds/{round_.id}/open")
    assert status_of(session, round_.id) == "open"


def test_an_open_round_page_shares_a_link_per_type_with_copy_button_and_qr_code(
    client, employer, open_round
):
    round_ = open_round
    soup = assert_good_page(client.get(f"/rounds/{round_.id}"))

    for respondent_type in ("nqsw", "line_manager", "other"):
        link = soup.select_one(f"#link-{respondent_type}")
        assert link.get_text(strip=True).startswith("http://testserver/survey/")
        copy = soup.select_one(f'[data-copy-target="link-{respondent_type}"]')
        assert copy is not None and copy.get("data-copy-label")
        figure = link.find_parent("p").find_next_sibling("figure")
        svg = figure.select_one("svg")
        assert svg["role"] == "img" and svg.title.get_text().startswith("QR code of the")
        assert figure.figcaption.get_text(strip=True)
    assert soup.select_one(f'a[href="/rounds/{round_.id}/codes"]') is not None
    assert soup.select_one(f'a[href="/rounds/{round_.id}/self-assessment"]') is not None
    assert soup.select_one(f'a[href="/rounds/{round_.id}/close"]') is not None


def test_an_open_round_page_shows_counts_rates_and_minimum_progress_but_no_results(
    client, employer, open_round
):
    round_ = open_round
    soup = assert_good_page(client.get(f"/rounds/{round_.id}"))

    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")]
            for row in soup.select("tbody tr")]
    assert rows == [["NQSW", "3 of 4 expected (75%)"], ["Line manager", "1 of 2 expected (50%)"],
                    ["Other", "0 (none expected)"]]
    text = soup.get_text(" ", strip=True)
    assert "3 NQSWs (at least 3 needed)" in text and "Not done yet" in text
    assert "average" not in text.lower()
    assert soup.select(".app-rag") == []


def test_a_national_user_sees_a_round_but_none_of_its_controls(client, session, organisation):
    round_ = make_round(session, organisation=organisation, status="open")
    sign_in(client, make_national_user(session))

    soup = assert_good_page(client.get(f"/rounds/{round_.id}"))

    assert soup.select("main form") == []
    assert "/survey/" not in soup.get_text()
    assert soup.select_one(f'a[href="/rounds/{round_.id}/close"]') is None


def test_a_round_page_form_without_the_csrf_token_changes_nothing(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation)

    response = client.post(f"/rounds/{round_.id}/open", data={})

    assert response.status_code == 403
    assert_good_page(response)
    assert status_of(session, round_.id) == "draft"


def test_opening_an_open_round_from_a_stale_page_explains_why_not(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation, status="open")

    response = post_form(client, f"/rounds/{round_.id}/open")

    assert response.status_code == 409
    soup = assert_good_page(response)
    assert "already open" in soup.get_text()


# Close


def test_closing_asks_for_confirmation_saying_it_is_final(client, session, organisation, employer):
    round_ = make_round(session, organisation=organisation, status="open",
                        responses={"nqsw": 1})

    soup = assert_good_page(client.get(f"/rounds/{round_.id}/close"),
                            title_contains="close this round")

    text = soup.get_text(" ", strip=True)
    assert "Closing is final" in text and "can never be opened again" in text
    assert "it needs at least 3 NQSW responses (it has 1)" in text
    assert status_of(session, round_.id) == "open"

    response = post_form(client, f"/rounds/{round_.id}/close")

    assert status_of(session, round_.id) == "closed"
    soup = assert_good_page(response)
    assert soup.select_one(f'a[href="/rounds/{round_.id}/report"]') is not None


def test_there_is_no_close_confirmation_for_a_round_that_is_not_open(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation, status="closed")

    response = client.get(f"/rounds/{round_.id}/close")

    assert response.status_code == 409
    assert_good_page(response)


# Single-use codes


def test_codes_are_downloaded_once_as_csv_and_stored_only_as_keyed_hashes(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation, status="open")
    soup = assert_good_page(client.get(f"/rounds/{round_.id}/codes"),
                            title_contains="Single-use codes")
    assert "cannot show them again" in soup.get_text()

    response = post_form(client, f"/rounds/{round_.id}/codes", {"nqsw": "3", "other": "2"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Respondent type", "Code", "Where to enter the code"]
    codes = {row[1]: row[0] for row in rows[1:]}
    assert list(codes.values()).count("NQSW") == 3 and len(codes) == 5
    assert {row[2] for row in rows[1:]} == {"http://testserver/survey/code"}
    stored = session.exec(select(InvitationCode).where(InvitationCode.round_id == round_.id)).all()
    hashes = {code.code_hash for code in stored}
    assert {hash_code(code) for code in codes} == hashes
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    page = assert_good_page(client.get(f"/rounds/{round_.id}/codes"))
    assert "NQSW: 3 issued, 0 used" in page.get_text()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "nqsw", "Enter how many codes you need for at least one type of respondent"),
        ({"line_manager": "lots"}, "line_manager", "Number of codes must be a number"),
        ({"line_manager": "-1"}, "line_manager", "Number of codes must be 0 or more"),
        ({"line_manager": "2.5"}, "line_manager", "Number of codes must be a whole number"),
        ({"other": "5000"}, "other", "Number of codes must be 1,000 or fewer"),
        # Look-alikes: str.isdigit() takes a superscript two, which int() refuses.
        ({"line_manager": "²"}, "line_manager", "Number of codes must be a number"),
        ({"line_manager": "３"}, "line_manager", "Number of codes must be a number"),
    ],
)
def test_the_codes_page_explains_a_wrong_number(
    client, session, organisation, employer, form, field, message
):
    round_ = make_round(session, organisation=organisation, status="open")

    response = post_form(client, f"/rounds/{round_.id}/codes", form)

    assert response.status_code == 422
    soup = assert_good_page(response, title_contains="Error: Single-use codes")
    link = soup.select_one(".govuk-error-summary a")
    assert link["href"] == f"#{field}" and message in link.get_text()
    assert session.exec(select(InvitationCode)).first() is None


def test_a_closed_round_gets_no_codes(client, session, organisation, employer):
    round_ = make_round(session, organisation=organisation, status="closed")

    soup = assert_good_page(client.get(f"/rounds/{round_.id}/codes"))
    response = post_form(client, f"/rounds/{round_.id}/codes", {"nqsw": "2"})

    assert soup.select("main form") == []
    assert response.status_code == 409
    assert session.exec(select(InvitationCode)).first() is None


# Self-assessment: the respondents' pages, for the employer


def answer_theme(client, round_id: int, theme, value: str = "4"):
    """Answer each part of a theme in turn; the page after the last (or a page of errors)."""
    data = {f"statement-{s.number}": value for s in theme.statements}
    url = f"/rounds/{round_id}/self-assessment/theme/{theme.number}"
    while True:
        response = post_form(client, url, data, follow_redirects=False)
        if response.status_code != 303:
            return response
        url = response.headers["location"]
        if f"/theme/{theme.number}/part/" not in url:
            return client.get(url)


@pytest.mark.parametrize("status", ["draft", "open"])
def test_the_self_assessment_asks_each_theme_then_checks_and_saves(
    client, session, organisation, employer, status
):
    round_ = make_round(session, organisation=organisation, status=status)
    statement_set = get_statement_sets()[SET_KEY]
    start = assert_good_page(client.get(f"/rounds/{round_.id}/self-assessment"),
                             title_contains="Your self-assessment")
    first = start.select_one("a.govuk-button--start")["href"]
    # Theme 1's 19 statements are asked in three parts (7, 6, 6), as respondents are asked them.
    theme_page = assert_good_page(client.get(first),
                                  title_contains="Self-assessment: theme 1, part 1 of 3")
    assert len(theme_page.select("fieldset legend")) == 7
    assert theme_page.select_one(".app-progress").get_text(strip=True) == "Page 1 of 6"
    part_2 = assert_good_page(client.get(f"{first}/part/2"), title_contains="part 2 of 3")
    assert [f["id"] for f in part_2.select("fieldset")] == [
        f"statement-{n}-question" for n in range(8, 14)]
    assert part_2.select_one(".govuk-back-link")["href"] == first

    for theme in statement_set.themes:
        response = answer_theme(client, round_.id, theme, "3" if theme.number == 2 else "4")
    check = assert_good_page(response, title_contains="Check your self-assessment")
    assert check.select_one('main button').get_text(strip=True) == \
        "Save your self-assessment"
    assert get_self_assessment(session=session, round_id=round_.id) is None  # not yet saved

    saved = post_form(client, f"/rounds/{round_.id}/self-assessment/check")

    assert saved.url.path == f"/rounds/{round_.id}"
    stored = get_self_assessment(session=session, round_id=round_.id)
    assert len(stored) == 32 and stored[20] == 3 and stored[1] == 4
    page = assert_good_page(saved)
    assert "Change your self-assessment" in page.get_text()
    banner = page.select_one(".govuk-notification-banner--success")
    assert "Your self-assessment has been saved" in banner.get_text()
    # The banner is for the moment after saving, not for every later visit.
    later = assert_good_page(client.get(f"/rounds/{round_.id}"))
    assert later.select_one(".govuk-notification-banner--success") is None


def test_a_theme_with_unanswered_statements_is_shown_again_with_each_one_named(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation, status="open")

    response = post_form(client, f"/rounds/{round_.id}/self-assessment/theme/2",
                         {"statement-20": "5", "statement-21": "dont_know"})

    assert response.status_code == 422
    soup = assert_good_page(response, title_contains="Error:")
    assert [a["href"] for a in soup.select(".govuk-error-summary a")] == [
        "#statement-22", "#statement-23", "#statement-24"]
    assert soup.select_one('input[name="statement-20"][value="5"]').has_attr("checked")


def test_revising_the_self_assessment_starts_from_what_was_saved(
    client, session, organisation, employer
):
    round_ = make_round(session, organisation=organisation, status="open")
    statement_set = get_statement_sets()[SET_KEY]
    for theme in statement_set.themes:
        answer_theme(client, round_.id, theme, "2")
    post_form(client, f"/rounds/{round_.id}/self-assessment/check")

    start = assert_good_page(client.get(f"/rounds/{round_.id}/self-assessment"))
    check_url = start.select_one("main a.govuk-button")["href"]
    assert check_url.endswith("/self-assessment/check")
    theme = assert_good_page(client.get(f"/rounds/{round_.id}/self-assessment/theme/1"))
    assert theme.select_one('input[name="statement-1"][value="2"]').has_attr("checked")


def test_the_self_assessment_pages_refuse_a_closed_round(client, session, organisation, employer):
    round_ = make_round(session, organisation=organisation, status="closed")

    response = client.get(f"/rounds/{round_.id}/self-assessment/theme/1")

    assert response.status_code == 409
    assert_good_page(response)
