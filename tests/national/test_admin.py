"""National administration: organisations with filters and search, each one's rounds, the
year's completion list (CSV), the approval queue, inviting national users. Pages and API."""

import csv
import io
import itertools
import re

import pytest

from app.accounts.models import Organisation
from app.lifecycle.years import academic_year_of
from tests.builders import (
    api_headers,
    make_employer,
    make_national_user,
    make_organisation,
    make_round,
    post_form,
    sign_in,
)
from tests.html import assert_good_page

YEAR, BEFORE = "2025-26", "2024-25"
QUALIFYING = {"self_assessment": 1, "nqsw": 3, "line_manager": 1}
TOO_FEW = {"self_assessment": 1, "nqsw": 2, "line_manager": 1}
INVITATION = re.compile(r"http://testserver/invitations/([A-Za-z0-9_-]+)")


@pytest.fixture
def national(session):
    return make_national_user(session)


@pytest.fixture
def world(session):
    """Organisations of every kind, and what each one's round of YEAR is (the oracle)."""
    kinds = itertools.product(["london", "eastern"], ["local_authority", "nhs"],
                              ["approved", "pending"], ["none", "draft", "open", "closed",
                                                        "qualifying"])
    expected = {}
    for index, (region, employer_type, status, round_state) in enumerate(kinds):
        organisation = make_organisation(
            session, name=f"{'Riverside' if index % 7 == 0 else 'Hill'} Org {index}",
            region=region, employer_type=employer_type, status=status,
            teaching_partnership="south_london_tp" if index % 3 == 0 else None)
        if round_state != "none":
            make_round(session, organisation=organisation, year=YEAR,
                       status="closed" if round_state == "qualifying" else round_state,
                       responses=(QUALIFYING if round_state == "qualifying" else TOO_FEW)
                       if round_state in ("closed", "qualifying") else None)
        make_round(session, organisation=organisation, year=BEFORE, status="closed",
                   responses=QUALIFYING)
        expected[organisation.id] = {
            "region": region, "employer_type": employer_type, "status": status,
            "round_status": round_state, "name": organisation.name,
            "teaching_partnership": organisation.teaching_partnership}
    return expected


def listed(client, national, **params) -> list[dict]:
    response = client.get("/api/v1/national/organisations", headers=api_headers(national),
                          params={"year": YEAR, **params})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("field, value", [
    ("region", "eastern"), ("employer_type", "nhs"), ("status", "pending"),
    ("teaching_partnership", "south_london_tp"), ("round_status", "none"),
    ("round_status", "draft"), ("round_status", "open"), ("round_status", "qualifying"),
])
def test_each_filter_lists_exactly_the_matching_organisations(client, national, world, field,
                                                               value):
    found = listed(client, national, **{field: value})

    assert {o["id"] for o in found} == {
        id_ for id_, facts in world.items() if facts[field] == value}


def test_the_closed_filter_includes_qualifying_rounds(client, national, world):
    found = listed(client, national, round_status="closed")

    assert {o["id"] for o in found} == {
        id_ for id_, facts in world.items() if facts["round_status"] in ("closed", "qualifying")}


def test_filters_combine_and_search_matches_part_of_the_name(client, national, world):
    found = listed(client, national, region="london", status="approved", q="river-SIDE")

    assert {o["id"] for o in found} == {
        id_ for id_, facts in world.items()
        if facts["region"] == "london" and facts["status"] == "approved"
        and "riverside" in facts["name"].lower()}
    assert found, "the fixture has such organisations"


def test_each_organisation_shows_its_rounds_of_the_year_and_no_results(client, national, world):
    found = {o["id"]: o for o in listed(client, national)}

    assert set(found) == set(world)
    for id_, facts in world.items():
        rounds = found[id_]["rounds"]
        assert all(r["year"] == YEAR for r in rounds)
        expected_state = facts["round_status"]
        if expected_state == "none":
            assert rounds == []
            continue
        [round_] = rounds
        assert round_["status"] == ("closed" if expected_state == "qualifying"
                                    else expected_state)
        assert round_["meets_minimum"] is (expected_state == "qualifying")
        assert (round_["closed_on"] is not None) == (round_["status"] == "closed")
        assert set(round_) == {"id", "year", "programme", "status", "closes_on", "closed_on",
                               "meets_minimum", "warnings"}
    assert set(found[next(iter(world))]) == {"id", "name", "region", "teaching_partnership",
                                             "employer_type", "status", "rounds"}


def test_the_completion_list_has_a_row_per_round_of_the_year(client, national, world):
    response = client.get("/api/v1/national/organisations.csv", headers=api_headers(national),
                          params={"year": YEAR})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(world)
    by_id = {int(row["Organisation id"]): row for row in rows}
    for id_, facts in world.items():
        row = by_id[id_]
        assert row["Organisation"] == facts["name"]
        assert row["Year"] == YEAR
        expected = {"none": "no round", "qualifying": "closed"}.get(facts["round_status"],
                                                                    facts["round_status"])
        assert row["Round status"] == expected
        assert row["Meets the minimum criteria"] == (
            "yes" if facts["round_status"] == "qualifying" else "no")
        assert bool(row["Completed on"]) == (expected == "closed")


def test_the_completion_list_never_hands_a_spreadsheet_a_formula(client, session, national):
    make_organisation(session, name="=HYPERLINK(\"http://evil.example\")")

    response = client.get("/api/v1/national/organisations.csv", headers=api_headers(national),
                          params={"year": YEAR})

    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["Organisation"].startswith("'=")


@pytest.mark.parametrize("params", [{"year": "2025"}, {"region": "atlantis"},
                                    {"status": "maybe"}, {"round_status": "half"},
                                    {"q": "x" * 201}])
def test_a_filter_that_does_not_exist_is_refused(client, national, params):
    response = client.get("/api/v1/national/organisations", headers=api_headers(national),
                          params=params)

    assert response.status_code == 422
    assert "detail" in response.json()


def test_the_year_defaults_to_this_academic_year(client, session, national):
    organisation = make_organisation(session)
    this_year = academic_year_of(__import__("datetime").date.today())
    make_round(session, organisation=organisation, year=this_year)

    response = client.get("/api/v1/national/organisations", headers=api_headers(national))

    [found] = response.json()
    assert [r["year"] for r in found["rounds"]] == [this_year]


@pytest.mark.parametrize("path", ["/api/v1/national/organisations",
                                  "/api/v1/national/organisations.csv"])
def test_only_national_users_list_organisations(client, session, path):
    employer = make_employer(session)

    assert client.get(path, headers=api_headers(employer)).status_code == 403
    assert client.get(path).status_code == 401


# Pages


def test_the_organisations_page_filters_and_links_to_each_organisation(client, session,
                                                                       national, world):
    sign_in(client, national)

    soup = assert_good_page(client.get("/national/organisations",
                                       params={"year": YEAR, "status": "pending",
                                               "region": "london"}),
                            title_contains="Organisations")

    links = {a["href"] for a in soup.select("#organisations a")}
    expected = {id_ for id_, f in world.items()
                if f["status"] == "pending" and f["region"] == "london"}
    assert links == {f"/national/organisations/{id_}" for id_ in expected}
    csv_link = soup.select_one("a[download]")["href"]
    assert "status=pending" in csv_link and "region=london" in csv_link
    download = client.get(csv_link)
    assert download.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(download.text)))) == len(expected)


def test_a_filter_edited_in_the_address_bar_gets_an_error_summary(client, national):
    sign_in(client, national)

    response = client.get("/national/organisations", params={"region": "atlantis"})

    soup = assert_good_page(response, title_contains="Error: Organisations")
    assert soup.select_one(".govuk-error-summary a[href='#region']") is not None


def test_an_organisation_page_lists_its_rounds_by_year_with_report_links(client, session,
                                                                         national):
    organisation = make_organisation(session, name="Riverside Council")
    closed = make_round(session, organisation=organisation, year=BEFORE, status="closed",
                        responses=QUALIFYING)
    open_ = make_round(session, organisation=organisation, year=YEAR, status="open")
    sign_in(client, national)

    soup = assert_good_page(client.get(f"/national/organisations/{organisation.id}"),
                            title_contains="Riverside Council")

    assert [h.text for h in soup.select("h3")] == [YEAR, BEFORE]
    hrefs = {a["href"] for a in soup.select("main a")}
    assert {f"/rounds/{closed.id}", f"/rounds/{closed.id}/report", f"/rounds/{open_.id}"} <= hrefs
    assert f"/rounds/{open_.id}/report" not in hrefs
    assert "qualifying" in soup.text
    assert client.get("/national/organisations/999999").status_code == 404


def test_the_approval_queue_approves_and_rejects_with_an_email(client, session, national,
                                                               smtp_server):
    first = make_organisation(session, name="First Council", status="pending")
    second = make_organisation(session, name="Second Council", status="pending")
    make_organisation(session, name="Old Council", status="approved")
    first_lead = make_employer(session, organisation=first)
    second_lead = make_employer(session, organisation=second)
    sign_in(client, national)

    queue = assert_good_page(client.get("/national/approvals"),
                             title_contains="waiting for approval")
    assert [h.text.strip() for h in queue.select("main h2")] == ["First Council", "Second Council"]

    approved = post_form(client, f"/national/organisations/{first.id}/approve")
    queue = assert_good_page(approved)
    assert [h.text.strip() for h in queue.select("main h2")] == ["Second Council"]
    [message] = smtp_server.wait_for(1)
    assert message["To"] == first_lead.email

    assert_good_page(client.get(f"/national/organisations/{second.id}/reject"),
                     title_contains="Reject Second Council")
    blank = post_form(client, f"/national/organisations/{second.id}/reject", {"reason": " "})
    assert blank.status_code == 422
    assert_good_page(blank, title_contains="Error: Reject Second Council")
    rejected = post_form(client, f"/national/organisations/{second.id}/reject",
                         {"reason": "Already registered as First Council"})
    assert "No organisation is waiting" in assert_good_page(rejected).text
    messages = smtp_server.wait_for(2)
    assert messages[1]["To"] == second_lead.email
    assert "Already registered as First Council" in messages[1].get_body(
        ("plain",)).get_content()
    session.expire_all()
    assert [session.get(Organisation, o.id).status for o in (first, second)] == [
        "approved", "rejected"]


def test_an_employer_cannot_reach_the_national_pages(client, session):
    pending = make_organisation(session, status="pending")
    sign_in(client, make_employer(session))

    for path in ("/national/organisations", "/national/approvals", "/national/users",
                 f"/national/organisations/{pending.id}"):
        assert client.get(path, follow_redirects=False).status_code == 403
    assert post_form(client, f"/national/organisations/{pending.id}/approve",
                     follow_redirects=False).status_code == 403
    session.refresh(pending)
    assert pending.status == "pending"


# National users


def test_a_national_user_invites_another_through_the_pages(client, session, national,
                                                           smtp_server):
    sign_in(client, national)
    assert_good_page(client.get("/national/users"), title_contains="National users")
    taken = post_form(client, "/national/users", {"email": national.email})
    assert taken.status_code == 409
    assert_good_page(taken, title_contains="Error: National users")

    sent = post_form(client, "/national/users", {"email": "colleague@skillsforcare.example"})

    assert "colleague@skillsforcare.example (invited)" in assert_good_page(sent).text
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "You are invited to join the national team on ASYE 360"
    [token] = INVITATION.findall(message.get_body(("plain",)).get_content())
    client.cookies.clear()
    done = post_form(client, f"/invitations/{token}", {"password": "a national pass phrase"},
                     follow_redirects=False)
    assert done.headers["location"] == "/national"
    assert client.get("/national/organisations").status_code == 200


def test_a_national_user_invites_another_through_the_api(client, session, national,
                                                         smtp_server):
    response = client.post("/api/v1/national/users", headers=api_headers(national),
                           json={"email": "second@skillsforcare.example"})

    assert response.status_code == 201
    assert response.json()["invited"] is True
    smtp_server.wait_for(1)
    employer = make_employer(session)
    assert client.post("/api/v1/national/users", headers=api_headers(employer),
                       json={"email": "x@example.org"}).status_code == 403
