"""An organisation's details: leads change them; a round keeps where it stood when it opened;
rounds only for declared programmes; one registration per name, with a way to ask to join."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import func, select

from app.accounts.models import Organisation, User
from app.accounts.organisations import name_key
from app.lifecycle.models import Round
from app.rounds.service import create_round, open_round
from tests.builders import (
    api_headers,
    make_closed_round,
    make_employer,
    make_organisation,
    post_form,
    round_report,
    same_answers,
    sign_in,
)
from tests.html import assert_good_page

QUALIFYING = {"self_assessment": [4], "nqsw": [4, 4, 4], "line_manager": [4]}


def registration(name: str, email: str = "second@example.org") -> dict:
    return {"organisation": {"name": name, "employer_type": "local_authority",
                             "region": "london", "teaching_partnership": None,
                             "programmes": ["child_and_family"]},
            "email": email, "password": "a long enough password"}


def counts(session) -> tuple[int, int]:
    return (session.exec(select(func.count()).select_from(Organisation)).one(),
            session.exec(select(func.count()).select_from(User)).one())


# One name per organisation (rule 15)


def _oracle(name: str) -> str:
    # Independent of the service: keep letters and digits, lower-cased (ASCII names).
    return "".join(c for c in name.lower() if c.isalnum())


ASCII_NAMES = st.text(alphabet=string.ascii_letters + string.digits + " .,&'-()", min_size=1,
                      max_size=40)


@given(ASCII_NAMES)
def test_the_name_key_ignores_case_spacing_and_punctuation(name):
    assert name_key(name) == _oracle(name)


@given(ASCII_NAMES, st.data())
def test_a_name_written_differently_has_the_same_key(name, data):
    variant = "".join(
        data.draw(st.sampled_from([c.upper(), c.lower()])) + data.draw(
            st.sampled_from(["", " ", "  ", ".", "-", ",", "'"]))
        for c in name)

    assert name_key(variant) == name_key(name)


@pytest.mark.parametrize("again", ["Riverside Council", "riverside council", " RIVERSIDE-council.",
                                   "Riverside  Council", "Riverside, Council"])
def test_registering_an_existing_name_again_is_refused_with_a_way_to_join(client, session, again):
    existing = make_organisation(session, name="Riverside Council")
    before = counts(session)

    response = client.post("/api/v1/auth/register", json=registration(again))

    assert response.status_code == 409
    body = response.json()
    assert "Riverside Council is already registered" in body["detail"]
    assert body["join_url"] == f"/organisations/{existing.id}/join"
    assert body["organisation_id"] == existing.id
    assert counts(session) == before


def test_a_different_name_registers(client, session):
    make_organisation(session, name="Riverside Council")

    response = client.post("/api/v1/auth/register", json=registration("Riverside County Council"))

    assert response.status_code == 201


def test_the_register_page_offers_to_ask_the_existing_lead(client, session, smtp_server):
    existing = make_organisation(session, name="Riverside Council")
    lead = make_employer(session, organisation=existing)
    make_employer(session, organisation=existing, organisation_role="viewer")
    before = counts(session)

    response = post_form(client, "/register", {
        "name": "riverside council", "employer_type": "local_authority", "region": "london",
        "teaching_partnership": "none", "programmes": "adults",
        "email": "newcomer@riverside.example.org", "password": "a long enough password"})

    assert response.status_code == 409
    soup = assert_good_page(response, title_contains="Error: Register your organisation")
    assert soup.select_one(".govuk-error-summary a[href='#name']") is not None
    join = soup.select_one(f"a[href='/organisations/{existing.id}/join']")
    assert join is not None
    assert counts(session) == before

    assert_good_page(client.get(join["href"]), title_contains="Ask to join Riverside Council")
    sent = post_form(client, join["href"], {"email": "newcomer@riverside.example.org"})
    assert_good_page(sent, title_contains="Request sent")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == lead.email  # the leads, not the viewer
    assert message["Subject"] == "Someone asks to join Riverside Council on ASYE 360"
    text = message.get_body(("plain",)).get_content()
    assert "newcomer@riverside.example.org" in text
    assert "http://testserver/organisation/users/invite" in text
    assert counts(session) == before


def test_asking_to_join_is_limited_per_address(client, session, smtp_server):
    existing = make_organisation(session, name="Riverside Council")
    make_employer(session, organisation=existing)
    url = f"/api/v1/organisations/{existing.id}/join-requests"

    answers = [client.post(url, json={"email": f"n{i}@example.org"}).status_code
               for i in range(6)]

    assert answers == [202] * 5 + [429]
    smtp_server.wait_for(5)
    assert len(smtp_server.messages) == 5


def test_asking_to_join_needs_an_address_and_an_organisation(client, session):
    existing = make_organisation(session)

    assert client.post(f"/api/v1/organisations/{existing.id}/join-requests",
                       json={"email": "nope"}).status_code == 422
    assert client.post("/api/v1/organisations/999999/join-requests",
                       json={"email": "a@example.org"}).status_code == 404
    page = post_form(client, f"/organisations/{existing.id}/join", {"email": ""})
    assert page.status_code == 422
    assert_good_page(page, title_contains="Error: Ask to join")


# Changing the details


@pytest.fixture
def organisation(session):
    return make_organisation(session, name="Riverside Council", region="london",
                             programmes=("child_and_family",))


@pytest.fixture
def lead(session, organisation):
    return make_employer(session, organisation=organisation)


def details(session, organisation) -> tuple:
    session.refresh(organisation)
    return (organisation.name, organisation.employer_type, organisation.region,
            organisation.teaching_partnership, organisation.programmes)


def test_a_lead_changes_the_details_through_the_api(client, session, organisation, lead):
    response = client.patch("/api/v1/organisation", headers=api_headers(lead), json={
        "region": "south_west", "teaching_partnership": "south_london_tp",
        "programmes": ["adults", "child_and_family", "adults"]})

    assert response.status_code == 200, response.text
    assert response.json()["region"] == "south_west"
    assert details(session, organisation) == (
        "Riverside Council", "local_authority", "south_west", "south_london_tp",
        ["adults", "child_and_family"])


@pytest.mark.parametrize("body", [
    {"region": "atlantis"}, {"name": ""}, {"programmes": []}, {"employer_type": "castle"},
    {"teaching_partnership": "no_such_tp"}, {"name": "x" * 201},
])
def test_bad_details_are_refused_and_change_nothing(client, session, organisation, lead, body):
    before = details(session, organisation)

    response = client.patch("/api/v1/organisation", headers=api_headers(lead), json=body)

    assert response.status_code == 422
    assert "detail" in response.json()
    assert details(session, organisation) == before


def test_renaming_to_another_organisations_name_is_refused(client, session, organisation, lead):
    other = make_organisation(session, name="Hillside Council")
    before = details(session, organisation)

    response = client.patch("/api/v1/organisation", headers=api_headers(lead),
                            json={"name": "HILLSIDE council"})

    assert response.status_code == 409
    assert response.json()["join_url"] == f"/organisations/{other.id}/join"
    assert details(session, organisation) == before
    # Its own name, written differently, is fine.
    assert client.patch("/api/v1/organisation", headers=api_headers(lead),
                        json={"name": "Riverside council"}).status_code == 200


def test_a_viewer_cannot_change_the_details(client, session, organisation):
    viewer = make_employer(session, organisation=organisation, organisation_role="viewer")
    before = details(session, organisation)

    api = client.patch("/api/v1/organisation", headers=api_headers(viewer),
                       json={"region": "south_west"})
    sign_in(client, viewer)
    page = post_form(client, "/organisation/edit", {"name": "Changed"}, follow_redirects=False)

    assert api.status_code == 403 and page.status_code == 403
    assert details(session, organisation) == before
    assert assert_good_page(client.get("/organisation")).select_one(
        'a[href^="/organisation/edit"]') is None


def test_a_lead_changes_the_details_through_the_pages(client, session, organisation, lead):
    sign_in(client, lead)
    form = assert_good_page(client.get("/organisation/edit"),
                            title_contains="Change your organisation's details")
    assert form.select_one("#name")["value"] == "Riverside Council"
    blank = post_form(client, "/organisation/edit", {"name": ""})
    assert blank.status_code == 422
    soup = assert_good_page(blank, title_contains="Error: Change your organisation's details")
    assert soup.select_one(".govuk-error-summary a[href='#name']") is not None

    saved = post_form(client, "/organisation/edit", {
        "name": "Riverside Borough Council", "employer_type": "local_authority",
        "region": "eastern", "teaching_partnership": "none",
        "programmes": ["adults", "child_and_family"]})

    page = assert_good_page(saved, title_contains="Your organisation")
    assert "Riverside Borough Council" in page.text and "Eastern" in page.text
    assert details(session, organisation)[2] == "eastern"


# A round keeps where it stood when it opened


def test_a_round_records_the_organisations_place_when_it_opens(session, organisation):
    organisation.teaching_partnership = "south_london_tp"
    session.commit()
    draft = create_round(session=session, organisation_id=organisation.id,
                         programme="child_and_family", year="2025-26", statement_set=None,
                         expected={})
    assert (draft.region, draft.teaching_partnership, draft.employer_type) == (None, None, None)

    opened = open_round(session=session, round_id=draft.id)
    organisation.region, organisation.teaching_partnership = "north_east", None
    organisation.employer_type = "nhs"
    session.commit()

    session.refresh(opened)
    assert (opened.region, opened.teaching_partnership, opened.employer_type) == (
        "london", "south_london_tp", "local_authority")


def test_moving_region_later_does_not_rewrite_past_benchmarks(client, session):
    # Four organisations whose closed rounds recorded London; the reader then moves.
    rounds = []
    for score in (5, 4, 4, 3):
        member = make_organisation(session, region="london")
        round_ = make_closed_round(session, organisation=member, answers=same_answers(
            {kind: [score] * len(scores) for kind, scores in QUALIFYING.items()}))
        round_.region, round_.employer_type = "london", "local_authority"
        rounds.append(round_)
    session.commit()
    reader = rounds[0]
    before = round_report(session, reader)["statements"][0]["benchmarks"]["region"]
    lead = make_employer(session, organisation=session.get(Organisation,
                                                           reader.organisation_id))

    moved = client.patch("/api/v1/organisation", headers=api_headers(lead),
                         json={"region": "south_west", "employer_type": "nhs"})

    assert moved.status_code == 200
    report = round_report(session, reader)
    assert report["round"]["organisation"]["region"] == "london"
    assert report["statements"][0]["benchmarks"]["region"] == before
    assert before["organisations"] == 4


# Rounds only for declared programmes


def test_a_round_is_only_for_a_programme_the_organisation_runs(client, session, organisation,
                                                               lead):
    response = client.post("/api/v1/rounds", headers=api_headers(lead),
                           json={"programme": "adults", "year": "2025-26"})

    assert response.status_code == 422
    assert "does not run the Adults programme" in response.json()["detail"]
    assert session.exec(select(func.count()).select_from(Round)).one() == 0
    client.patch("/api/v1/organisation", headers=api_headers(lead),
                 json={"programmes": ["adults", "child_and_family"]})
    assert client.post("/api/v1/rounds", headers=api_headers(lead),
                       json={"programme": "adults", "year": "2025-26"}).status_code == 201


@pytest.mark.parametrize("field", ["name", "employer_type", "region", "programmes"])
def test_a_null_for_a_detail_every_organisation_needs_is_a_422_and_changes_nothing(
        client, session, field):
    organisation = make_organisation(session, programmes=("child_and_family",))
    lead = make_employer(session, organisation=organisation)
    before = {name: getattr(organisation, name)
              for name in ("name", "employer_type", "region", "programmes")}

    response = client.patch("/api/v1/organisation", headers=api_headers(lead),
                            json={field: None})

    assert response.status_code == 422 and "detail" in response.json()
    session.expire_all()
    assert {name: getattr(session.get(type(organisation), organisation.id), name)
            for name in before} == before
