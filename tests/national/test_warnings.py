"""Rule 5's warnings where the national team works: a round with more responses or codes of a
type than expected at open shows it on the organisations list and page, in the API and in the
year's completion list, without opening each round's report."""

import csv
import io

import pytest

from app.survey.codes import issue_codes
from tests.builders import (
    api_headers,
    make_national_user,
    make_organisation,
    make_round,
    round_report,
    same_answers,
    sign_in,
)
from tests.html import assert_good_page

YEAR = "2025-26"
PADDED_SENTENCE = "3 line manager responses were received, but 1 was expected when the round opened"
CODES_SENTENCE = "4 NQSW codes were issued, but 2 were expected when the round opened"


@pytest.fixture
def national(session):
    return make_national_user(session)


@pytest.fixture
def rounds(session):
    """A closed round padded with line-manager answers, an open round with more codes than
    expected, a clean closed round, and a draft with codes beyond its (still changeable)
    expected numbers; the warnings each must show (the oracle: counted by hand)."""
    padded = make_round(session, organisation=make_organisation(session, name="Padded Council"),
                        year=YEAR, status="closed",
                        expected={"nqsw": 4, "line_manager": 1, "other": 0},
                        answers=same_answers({"self_assessment": [3], "nqsw": [4] * 4,
                                              "line_manager": [1, 5, 5]}))
    coded = make_round(session, organisation=make_organisation(session, name="Coded Trust"),
                       year=YEAR, status="open",
                       expected={"nqsw": 2, "line_manager": 3, "other": 3})
    issue_codes(session=session, round_id=coded.id, counts={"nqsw": 4, "line_manager": 3})
    clean = make_round(session, organisation=make_organisation(session, name="Clean Council"),
                       year=YEAR, status="closed",
                       responses={"self_assessment": 1, "nqsw": 3, "line_manager": 1})
    draft = make_round(session, organisation=make_organisation(session, name="Draft Council"),
                       year=YEAR, expected={"nqsw": 1, "line_manager": 1, "other": 0})
    issue_codes(session=session, round_id=draft.id, counts={"nqsw": 5})
    return {
        "padded": (padded, [("more_responses_than_expected", "line_manager", 1, 3)]),
        "coded": (coded, [("more_codes_than_expected", "nqsw", 2, 4)]),
        "clean": (clean, []),
        "draft": (draft, []),
    }


def _facts(warnings: list[dict]) -> list[tuple]:
    return [(w["code"], w["respondent_type"], w["expected"], w["received"]) for w in warnings]


def test_each_listed_round_carries_its_warnings_as_the_report_says_them(client, session,
                                                                         national, rounds):
    response = client.get("/api/v1/national/organisations", headers=api_headers(national),
                          params={"year": YEAR})

    assert response.status_code == 200
    listed = {r["id"]: r for o in response.json() for r in o["rounds"]}
    for round_, expected in rounds.values():
        assert _facts(listed[round_.id]["warnings"]) == expected
    padded = rounds["padded"][0]
    assert listed[padded.id]["warnings"] == round_report(session, padded)["warnings"]
    [coded] = listed[rounds["coded"][0].id]["warnings"]
    assert CODES_SENTENCE in coded["message"]


def test_the_rounds_with_warnings_filter_lists_only_their_organisations(client, national,
                                                                        rounds):
    response = client.get("/api/v1/national/organisations", headers=api_headers(national),
                          params={"year": YEAR, "round_status": "warnings"})

    assert response.status_code == 200
    assert {o["name"] for o in response.json()} == {"Padded Council", "Coded Trust"}


def test_the_organisations_page_tags_the_rounds_to_check(client, national, rounds):
    sign_in(client, national)

    soup = assert_good_page(client.get("/national/organisations", params={"year": YEAR}),
                            title_contains="Organisations")

    tagged = {row.th.a.get_text(strip=True) for row in soup.select("#organisations tbody tr")
              if "Check responses" in row.get_text()}
    assert tagged == {"Padded Council", "Coded Trust"}
    filtered = assert_good_page(client.get("/national/organisations",
                                           params={"year": YEAR, "round_status": "warnings"}))
    assert {a.get_text(strip=True) for a in filtered.select("#organisations tbody th a")} == {
        "Padded Council", "Coded Trust"}


def test_an_organisation_page_says_the_warning_beside_the_round(client, national, rounds):
    sign_in(client, national)
    padded = rounds["padded"][0]

    soup = assert_good_page(client.get(f"/national/organisations/{padded.organisation_id}"))

    warning = soup.select_one(f"#round-{padded.id}-warnings")
    assert warning is not None
    assert PADDED_SENTENCE in " ".join(warning.get_text().split())
    clean = assert_good_page(client.get(
        f"/national/organisations/{rounds['clean'][0].organisation_id}"))
    assert "Check responses" not in clean.text and "was expected" not in clean.text


def test_the_completion_list_has_a_warnings_column(client, national, rounds):
    response = client.get("/api/v1/national/organisations.csv", headers=api_headers(national),
                          params={"year": YEAR})

    rows = {row["Organisation"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert PADDED_SENTENCE in rows["Padded Council"]["Warnings"]
    assert CODES_SENTENCE in rows["Coded Trust"]["Warnings"]
    assert rows["Clean Council"]["Warnings"] == ""
    assert rows["Draft Council"]["Warnings"] == ""
