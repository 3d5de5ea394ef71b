"""The report as JSON, page, CSV and PDF: who may read it, when, and that all agree."""

import csv
import io
import random

import pytest
from pypdf import PdfReader

from app.accounts.models import User
from tests.builders import (
    api_headers,
    make_closed_round,
    make_organisation,
    make_user,
    random_answers,
)
from tests.builders import sign_in as sign_in_page
from tests.html import assert_good_page

FORMATS = ("", ".csv", ".pdf")


@pytest.fixture
def closed_round(session):
    rng = random.Random(7)
    rounds = [
        make_closed_round(
            session,
            organisation=make_organisation(session),
            answers=random_answers(rng, nqsw=6, line_manager=3, other=2),
        )
        for _ in range(4)
    ]
    return rounds[-1]


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_report_api_refuses_anonymous_callers_and_other_organisations(
    client, session, closed_round, suffix
):
    stranger = make_user(session, organisation=make_organisation(session))
    url = f"/api/v1/rounds/{closed_round.id}/report{suffix}"
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and "detail" in anonymous.json()
    other = client.get(url, headers=api_headers(stranger))
    assert other.status_code == 404 and "detail" in other.json()


@pytest.mark.parametrize("role", ["employer", "national"])
def test_the_organisations_employer_and_national_users_read_the_report(
    client, session, closed_round, role
):
    organisation = closed_round.organisation_id if role == "employer" else None
    user = User(
        email=f"{role}@example.org", role=role, password_hash="x", organisation_id=organisation
    )
    session.add(user)
    session.commit()
    response = client.get(f"/api/v1/rounds/{closed_round.id}/report", headers=api_headers(user))
    assert response.status_code == 200
    assert response.json()["round"]["id"] == closed_round.id


def test_the_report_is_a_409_until_the_round_closes(client, session):
    organisation = make_organisation(session)
    round_ = make_closed_round(
        session,
        organisation=organisation,
        status="open",
        answers=random_answers(random.Random(1), nqsw=3, line_manager=1, other=0),
    )
    employer = make_user(session, organisation=organisation)
    for suffix in FORMATS:
        response = client.get(
            f"/api/v1/rounds/{round_.id}/report{suffix}", headers=api_headers(employer)
        )
        assert response.status_code == 409
        assert "closed" in response.json()["detail"]
    sign_in_page(client, employer)
    page = client.get(f"/rounds/{round_.id}/report")
    assert page.status_code == 409
    assert "not ready" in assert_good_page(page).h1.text


def read_csv(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The header rows (key → value) and the table below the first blank row."""
    lines = text.splitlines()
    blank = lines.index("")
    header = dict(csv.reader(lines[:blank]))
    return header, list(csv.DictReader(lines[blank + 1:]))


def published_numbers(report: dict) -> set[tuple]:
    """Every number the JSON publishes, as (statement or theme, group, field, printed value)."""
    numbers = set()
    for theme in report["themes"]:
        if theme["average"] is not None:
            numbers.add((f"theme {theme['number']}", "theme", "average", f"{theme['average']:.1f}"))
    for s in report["statements"]:
        n = s["number"]
        if s["average"] is not None:
            numbers |= {(n, "organisation", "average", f"{s['average']:.1f}"),
                        (n, "organisation", "ratings", str(s["n"]))}
        if s["previous"] and s["previous"]["change"] is not None:
            numbers |= {(n, "organisation", "change", f"{s['previous']['change']:+.1f}"),
                        (n, "organisation", "previous_average",
                         f"{s['previous']['average']:.1f}")}
        for group, shown in s["by_respondent_type"].items():
            if "average" in shown:
                numbers |= {(n, group, "average", f"{shown['average']:.1f}"),
                            (n, group, "ratings", str(shown["n"]))}
        for part in s["combined"]:
            group = "+".join(part["types"])
            numbers |= {(n, group, "average", f"{part['average']:.1f}"),
                        (n, group, "ratings", str(part["n"]))}
        for group, b in s["benchmarks"].items():
            if b is not None:
                numbers |= {(n, group, "average", f"{b['average']:.1f}"),
                            (n, group, "organisations", str(b["organisations"]))}
                if b["min"] is not None:
                    numbers |= {(n, group, "min", f"{b['min']:.1f}"),
                                (n, group, "max", f"{b['max']:.1f}")}
    return numbers


def csv_numbers(rows: list[dict[str, str]]) -> set[tuple]:
    numbers = set()
    for row in rows:
        where = int(row["statement"]) if row["statement"] else f"theme {row['theme']}"
        for field in ("average", "ratings", "organisations", "min", "max", "change",
                      "previous_average"):
            if row[field]:
                numbers.add((where, row["group"], field, row[field]))
    return numbers


def test_every_published_number_of_the_json_is_in_the_csv_and_nothing_else(client, session):
    rng = random.Random(3)
    organisations = [make_organisation(session) for _ in range(5)]
    for year in ("2024-25", "2025-26"):
        for organisation in organisations:
            round_ = make_closed_round(
                session, organisation=organisation, year=year,
                answers=random_answers(rng, nqsw=5, line_manager=1, other=2, dont_know=0.2))
    employer = make_user(session)
    employer.organisation_id = round_.organisation_id
    session.commit()
    headers = api_headers(employer)
    report = client.get(f"/api/v1/rounds/{round_.id}/report", headers=headers).json()
    response = client.get(f"/api/v1/rounds/{round_.id}/report.csv", headers=headers)

    assert response.headers["content-type"].startswith("text/csv")
    header, rows = read_csv(response.text)
    assert header["Organisation"] == report["round"]["organisation"]["name"]
    assert header["Year"] == "2025-26" and header["Compared with"] == "2024-25"
    assert {k: int(header[f"Responses: {label}"]) for k, label in (
        ("self_assessment", "Self-assessment"), ("nqsw", "NQSWs"),
        ("line_manager", "Line managers"), ("other", "Others"))} == report["counts"]
    published = published_numbers(report)
    assert any(group == "nqsw+line_manager" or "+" in str(group) for _, group, _, _ in published)
    assert csv_numbers(rows) == published
    # A blank is never silent: each row without an average says why.
    assert all(row["average"] or row["not_shown_because"] for row in rows)


def test_the_page_shows_the_numbers_of_the_json_and_the_pdf_holds_them(
    client, session, closed_round
):
    employer = make_user(session)
    employer.organisation_id = closed_round.organisation_id
    session.commit()
    report = client.get(
        f"/api/v1/rounds/{closed_round.id}/report", headers=api_headers(employer)
    ).json()
    sign_in_page(client, employer)

    page = assert_good_page(client.get(f"/rounds/{closed_round.id}/report"))

    for statement in report["statements"]:
        row = page.find(id=f"statement-{statement['number']}")
        cells = row.find_all("td")
        if statement["average"] is None:
            assert "Not shown" in cells[0].text
        else:
            assert f"{statement['average']:.1f}" in cells[0].text
            assert statement["rag"].capitalize() in cells[0].text
    assert page.find("svg", attrs={"role": "img"}).find("title").text

    pdf = client.get(f"/rounds/{closed_round.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert report["round"]["organisation"]["name"] in text
    for theme in report["themes"]:
        if theme["average"] is not None:
            assert f"{theme['average']:.1f}" in text
    csv_page = client.get(f"/rounds/{closed_round.id}/report.csv")
    assert csv_page.status_code == 200 and csv_page.text.startswith("Organisation,")


def test_a_page_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, closed_round):
    response = client.get(f"/rounds/{closed_round.id}/report", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
    assert response.content == b""  # a redirect carries no error page
