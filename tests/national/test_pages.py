"""The national page and CSV download: access, filters, tables, charts and agreement with JSON."""

import csv
from datetime import date

import pytest

from app.accounts.service import find_user_by_email
from app.demo import DEMO_NATIONAL_EMAIL, load_demo
from tests.builders import (
    bearer,
    make_closed_round,
    make_organisation,
    make_user,
    same_answers,
    sign_in,
)
from tests.html import assert_good_page

QUALIFYING = {"self_assessment": [4], "nqsw": [4, 4, 5], "line_manager": [3]}
API = "/api/v1/national/2025-26?programme=child_and_family"


def build_year(session) -> None:
    """Three London organisations and one in the North East, this year; three last year."""
    for region, score in (("london", 4), ("london", 5), ("london", 3), ("north_east", 2)):
        organisation = make_organisation(session, region=region)
        make_closed_round(session, organisation=organisation, answers=same_answers(
            {"self_assessment": [score], "nqsw": [score] * 3, "line_manager": [score]},
            s26={"self_assessment": [2], "nqsw": [2, 2, 2], "line_manager": [2]}))
        if region == "london":
            make_closed_round(session, organisation=organisation, year="2024-25",
                              answers=same_answers({"self_assessment": [3], "nqsw": [3] * 3,
                                                    "line_manager": [3]}))


@pytest.fixture
def national_page(client, session):
    sign_in(client, make_user(session, role="national"))
    return client


@pytest.mark.parametrize("path", ["/national", "/national/2025-26.csv?programme=adults"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=/national")


@pytest.mark.parametrize("path", ["/national", "/national/2025-26.csv?programme=adults"])
def test_employers_cannot_see_the_national_page_or_download(client, session, path):
    employer = make_user(session, role="employer", organisation=make_organisation(session))
    sign_in(client, employer)

    response = client.get(path)

    assert response.status_code == 403
    assert_good_page(response)


def test_the_page_shows_the_latest_year_with_participation_tables_and_charts(
    national_page, session
):
    build_year(session)

    soup = assert_good_page(national_page.get("/national"),
                            title_contains="National results: Child and family 2025-26")

    assert soup.select_one("#year option[selected]")["value"] == "2025-26"
    assert soup.select_one("#programme option[selected]")["value"] == "child_and_family"
    assert soup.select_one("form#filters")["method"] == "get"
    counts = {row["id"]: row.select_one("td").get_text(strip=True)
              for row in soup.select("#participation tbody tr")}
    assert counts == {"participation-registered": "4", "participation-with-round": "4",
                      "participation-with-data-not-qualifying": "0",
                      "participation-qualifying": "4",
                      "participation-second-round-or-later": "3"}
    row = soup.select_one("#statement-1")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    # (4 + 5 + 3 + 2) / 4 = 3.5; last year every London organisation averaged 3.0.
    assert cells[:4] == ["3.5 Amber", "2.0", "5.0", "4"]
    assert cells[4].startswith("+0.5")
    assert "app-rag--amber" in row.select_one(".app-rag")["class"]
    assert soup.select_one("#lowest").get_text(" ", strip=True).startswith("Statement 26")
    charts = soup.select("svg.app-chart__svg")
    assert len(charts) == 4
    assert charts[0]["role"] == "img"
    description = charts[0].select_one("desc").get_text()
    assert "Statement 1: 3.5 (2024-25 national average 3.0)" in description
    assert not soup.select("input[type=radio]")
    link = soup.select_one("#downloads a")["href"]
    assert link.startswith("/national/2025-26.csv?programme=child_and_family")


def test_a_breakdown_shows_groups_with_enough_organisations_and_names_the_others(
    national_page, session
):
    build_year(session)

    soup = assert_good_page(national_page.get("/national?year=2025-26&group_by=region"))

    table = soup.select_one("#theme-1-groups")
    headings = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert headings == ["Statement", "London (3)"]
    assert table.select_one("tbody tr td").get_text(" ", strip=True) == "4.0 Green"
    assert soup.select_one("#hidden-groups").get_text(" ", strip=True) == (
        "North East (1 organisation)")
    assert "not enough organisations yet" in soup.get_text()
    assert soup.select_one("#group-by option[selected]")["value"] == "region"


def test_a_year_without_qualifying_rounds_says_so(national_page, session):
    build_year(session)

    soup = assert_good_page(national_page.get("/national?year=2026-27&programme=adults"))

    assert "no national averages to show" in soup.select_one("#no-results").get_text()


def test_a_filter_edited_into_nonsense_gets_an_error_summary(national_page, session):
    build_year(session)

    response = national_page.get("/national?year=last-year&group_by=postcode")

    soup = assert_good_page(response, title_contains="Error: National results")
    links = [a["href"] for a in soup.select(".govuk-error-summary a")]
    assert links == ["#year", "#group-by"]


def test_the_csv_has_one_row_per_statement_matching_the_json(national_page, client, session):
    build_year(session)
    headers = bearer(client, make_user(session, role="national"))
    results = client.get(f"{API}&group_by=region", headers=headers).json()

    response = national_page.get("/national/2025-26.csv?programme=child_and_family"
                                 "&group_by=region")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.splitlines()
    header = dict(csv.reader(lines[:lines.index("")]))
    participation = results["participation"]
    assert {key: int(header[label]) for key, label in (
        ("registered", "Organisations registered"),
        ("with_round", "Organisations with a round this year"),
        ("with_data_not_qualifying", "Organisations with data but not qualifying"),
        ("qualifying", "Organisations qualifying"),
        ("second_round_or_later", "Organisations on their second or later round"),
    )} == participation
    assert header["Year"] == "2025-26"
    rows = list(csv.DictReader(lines[lines.index("") + 1:]))
    assert len(rows) == 32
    london = results["groups"]["london"]["statements"]
    for row, statement, in_london in zip(rows, results["statements"], london, strict=True):
        assert row["Statement"] == str(statement["number"])
        assert row["Text"] == statement["text"]
        assert row["National average"] == f"{statement['average']:.1f}"
        assert row["RAG"] == statement["rag"]
        assert (row["Min"], row["Max"]) == (f"{statement['min']:.1f}", f"{statement['max']:.1f}")
        assert row["Organisations"] == str(statement["organisations"])
        assert row["Change"] == f"{statement['previous']['change']:+.1f}"
        assert row["London average"] == f"{in_london['average']:.1f}"
        assert row["London RAG"] == in_london["rag"]
        assert row["North East average"] == "not enough organisations yet"


def test_the_csv_refuses_an_unknown_programme(national_page):
    response = national_page.get("/national/2025-26.csv?programme=nursing")

    assert response.status_code == 422
    assert_good_page(response)


def test_demo_data_gives_two_years_with_visible_change(client, session):
    load_demo(today=date(2026, 11, 1))
    national = find_user_by_email(session=session, email=DEMO_NATIONAL_EMAIL)
    sign_in(client, national)

    soup = assert_good_page(client.get("/national"))

    assert [o["value"] for o in soup.select("#year option")][:3] == [
        "2026-27", "2025-26", "2024-25"]
    assert soup.select_one("#year option[selected]")["value"] == "2025-26"
    assert "Compared with 2024-25" in soup.select_one("#year-on-year").get_text()
    changes = [td.get_text(strip=True)
               for td in soup.select("#theme-1-national tbody td:last-child")]
    assert any(change[:4] not in ("+0.0", "-0.0", "–") for change in changes)
    assert soup.select("#rag-changes li")
