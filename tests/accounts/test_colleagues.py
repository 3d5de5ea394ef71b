"""Colleagues: leads invite by email (a 7-day single-use link), list, change and remove people;
the last lead stays; viewers read but change nothing. Pages and API, through a real SMTP server."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts.models import AccountToken, User
from app.db import utcnow
from tests.builders import (
    PASSWORD,
    api_headers,
    make_employer,
    make_national_user,
    make_organisation,
    post_form,
    sign_in,
)
from tests.html import assert_good_page

LINK = re.compile(r"http://testserver/invitations/([A-Za-z0-9_-]+)")
NEW_PASSWORD = "a colleague's pass phrase"


@pytest.fixture
def organisation(session):
    return make_organisation(session, name="Riverside Council")


@pytest.fixture
def lead(session, organisation):
    return make_employer(session, organisation=organisation, email="lead@riverside.example.org")


def people(session, organisation) -> dict[str, str]:
    session.expire_all()
    users = session.exec(select(User).where(User.organisation_id == organisation.id)).all()
    return {user.email: user.organisation_role for user in users}


def invite(client, lead, email="co.lead@riverside.example.org", role="lead"):
    return client.post("/api/v1/organisation/users", headers=api_headers(lead),
                       json={"email": email, "role": role})


def token_from(message) -> str:
    [token] = LINK.findall(message.get_body(("plain",)).get_content())
    assert f"/invitations/{token}" in message.get_body(("html",)).get_content()
    return token


def can_sign_in(client, email, password) -> bool:
    return client.post("/api/v1/auth/token",
                       data={"username": email, "password": password}).status_code == 200


# API


@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_a_lead_invites_a_colleague_who_sets_a_password_and_signs_in(
    client, session, organisation, lead, smtp_server, role
):
    response = invite(client, lead, role=role)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "co.lead@riverside.example.org"
    assert (body["role"], body["invited"]) == (role, True)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "co.lead@riverside.example.org"
    assert message["Subject"] == "You are invited to join Riverside Council on ASYE 360"
    assert f"as a {role}" in message.get_body(("plain",)).get_content()
    assert not can_sign_in(client, "co.lead@riverside.example.org", "")
    token = token_from(message)

    accepted = client.post(f"/api/v1/invitations/{token}", json={"password": NEW_PASSWORD})

    assert accepted.status_code == 204
    assert can_sign_in(client, "co.lead@riverside.example.org", NEW_PASSWORD)
    assert client.post(f"/api/v1/invitations/{token}",
                       json={"password": "another pass phrase"}).status_code == 404
    listed = client.get("/api/v1/organisation/users", headers=api_headers(lead)).json()
    assert {(c["email"], c["role"], c["invited"]) for c in listed} == {
        ("lead@riverside.example.org", "lead", False),
        ("co.lead@riverside.example.org", role, False),
    }


def test_an_invitation_lasts_seven_days(client, session, lead, smtp_server):
    invite(client, lead)
    token = token_from(smtp_server.wait_for(1)[0])
    stored = session.exec(select(AccountToken)).one()
    lifetime = stored.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(days=7) - timedelta(minutes=1) < lifetime <= timedelta(days=7)
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    response = client.post(f"/api/v1/invitations/{token}", json={"password": NEW_PASSWORD})

    assert response.status_code == 404
    assert not can_sign_in(client, "co.lead@riverside.example.org", NEW_PASSWORD)


def test_a_reset_link_is_not_an_invitation_and_the_other_way_round(client, lead, smtp_server):
    invite(client, lead)
    token = token_from(smtp_server.wait_for(1)[0])

    response = client.post(f"/api/v1/auth/password-reset/{token}",
                           json={"password": NEW_PASSWORD})

    assert response.status_code == 404


def test_inviting_an_existing_member_is_refused_and_sends_nothing(
    client, session, organisation, lead, smtp_server
):
    viewer = make_employer(session, organisation=organisation, organisation_role="viewer")
    before = people(session, organisation)

    response = invite(client, lead, email=viewer.email.upper(), role="lead")

    assert response.status_code == 409
    assert "already a member" in response.json()["detail"]
    assert people(session, organisation) == before
    assert smtp_server.messages == []


def test_inviting_someone_of_another_organisation_is_refused(client, session, organisation, lead):
    other = make_employer(session)
    before = people(session, organisation)

    response = invite(client, lead, email=other.email)

    assert response.status_code == 409
    assert people(session, organisation) == before
    session.refresh(other)
    assert other.organisation_id != organisation.id


@pytest.mark.parametrize("body", [
    {"email": "not an address", "role": "lead"},
    {"email": "ok@example.org", "role": "owner"},
    {"email": "ok@example.org"},
])
def test_a_malformed_invitation_is_refused(client, session, organisation, lead, body):
    before = people(session, organisation)

    response = client.post("/api/v1/organisation/users", headers=api_headers(lead), json=body)

    assert response.status_code == 422
    assert "detail" in response.json()
    assert people(session, organisation) == before


def test_the_last_lead_cannot_be_removed_or_made_a_viewer(client, session, organisation, lead):
    viewer = make_employer(session, organisation=organisation, organisation_role="viewer")
    headers = api_headers(lead)
    before = people(session, organisation)

    removed = client.delete(f"/api/v1/organisation/users/{lead.id}", headers=headers)
    demoted = client.patch(f"/api/v1/organisation/users/{lead.id}", headers=headers,
                           json={"role": "viewer"})

    assert removed.status_code == 409 and demoted.status_code == 409
    assert "last lead" in removed.json()["detail"]
    assert people(session, organisation) == before
    assert viewer.id


def test_an_invited_lead_who_has_not_signed_up_does_not_count_as_the_last_lead(
    client, session, organisation, lead, smtp_server
):
    invite(client, lead, role="lead")

    response = client.delete(f"/api/v1/organisation/users/{lead.id}", headers=api_headers(lead))

    assert response.status_code == 409


def test_a_lead_removes_a_colleague_and_makes_another_a_lead(client, session, organisation, lead):
    viewer = make_employer(session, organisation=organisation, organisation_role="viewer")
    other = make_employer(session, organisation=organisation, organisation_role="viewer")
    their_token = api_headers(other)
    headers = api_headers(lead)

    promoted = client.patch(f"/api/v1/organisation/users/{viewer.id}", headers=headers,
                            json={"role": "lead"})
    removed = client.delete(f"/api/v1/organisation/users/{other.id}", headers=headers)

    assert promoted.status_code == 200 and promoted.json()["role"] == "lead"
    assert removed.status_code == 204
    assert people(session, organisation) == {lead.email: "lead", viewer.email: "lead"}
    assert client.get("/api/v1/rounds", headers=their_token).status_code == 401
    # Now there is another lead, the first may step down.
    assert client.delete(f"/api/v1/organisation/users/{lead.id}",
                         headers=headers).status_code == 204


def test_a_lead_cannot_touch_another_organisations_people(client, session, organisation, lead):
    stranger = make_employer(session)

    removed = client.delete(f"/api/v1/organisation/users/{stranger.id}",
                            headers=api_headers(lead))
    changed = client.patch(f"/api/v1/organisation/users/{stranger.id}",
                           headers=api_headers(lead), json={"role": "viewer"})

    assert removed.status_code == 404 and changed.status_code == 404
    session.refresh(stranger)
    assert stranger.organisation_role == "lead"


@pytest.mark.parametrize("who", ["viewer", "national"])
def test_only_a_lead_manages_people(client, session, organisation, lead, who):
    user = (make_employer(session, organisation=organisation, organisation_role="viewer")
            if who == "viewer" else make_national_user(session))
    headers = api_headers(user)
    before = people(session, organisation)

    answers = [
        client.get("/api/v1/organisation/users", headers=headers),
        client.post("/api/v1/organisation/users", headers=headers,
                    json={"email": "x@example.org", "role": "lead"}),
        client.patch(f"/api/v1/organisation/users/{lead.id}", headers=headers,
                     json={"role": "viewer"}),
        client.delete(f"/api/v1/organisation/users/{lead.id}", headers=headers),
    ]

    assert [a.status_code for a in answers] == [403] * 4
    assert people(session, organisation) == before


def test_both_roles_read_the_organisation(client, session, organisation, lead):
    viewer = make_employer(session, organisation=organisation, organisation_role="viewer")

    for user in (lead, viewer):
        response = client.get("/api/v1/organisation", headers=api_headers(user))
        assert response.status_code == 200
        assert response.json() == {
            "id": organisation.id, "name": "Riverside Council",
            "employer_type": organisation.employer_type, "region": organisation.region,
            "teaching_partnership": None, "programmes": organisation.programmes,
            "status": "approved"}
    national = client.get("/api/v1/organisation", headers=api_headers(make_national_user(session)))
    assert national.status_code == 403


# Pages


def test_a_lead_invites_a_viewer_through_the_pages(
    client, session, organisation, lead, smtp_server
):
    sign_in(client, lead)
    assert_good_page(client.get("/organisation"), title_contains="Your organisation")
    listing = assert_good_page(client.get("/organisation/users"),
                               title_contains="People in your organisation")
    assert lead.email in listing.text
    assert_good_page(client.get("/organisation/users/invite"), title_contains="Invite a colleague")

    blank = post_form(client, "/organisation/users/invite", {})
    assert blank.status_code == 422
    soup = assert_good_page(blank, title_contains="Error: Invite a colleague")
    assert {a["href"] for a in soup.select(".govuk-error-summary a")} == {"#email", "#role"}
    member = post_form(client, "/organisation/users/invite",
                       {"email": lead.email, "role": "viewer"})
    assert member.status_code == 409
    assert "already a member" in assert_good_page(member).select_one(
        ".govuk-error-summary").text

    sent = post_form(client, "/organisation/users/invite",
                     {"email": "Viewer@Riverside.example.org", "role": "viewer"})

    listing = assert_good_page(sent, title_contains="People in your organisation")
    assert "viewer@riverside.example.org" in listing.text and "Invited" in listing.text
    token = token_from(smtp_server.wait_for(1)[0])
    client.cookies.clear()
    form = assert_good_page(client.get(f"/invitations/{token}"), title_contains="Set your password")
    assert "viewer@riverside.example.org" in form.text
    short = post_form(client, f"/invitations/{token}", {"password": "short"})
    assert short.status_code == 422
    assert_good_page(short, title_contains="Error: Set your password")
    done = post_form(client, f"/invitations/{token}", {"password": NEW_PASSWORD})
    dashboard = assert_good_page(done)
    assert "only a lead can change them" in dashboard.text
    assert dashboard.select_one('a[href="/rounds/new"]') is None
    assert client.get("/organisation/users", follow_redirects=False).status_code == 403
    assert_good_page(client.get("/organisation"), title_contains="Your organisation")


def test_a_lead_changes_a_role_and_removes_a_colleague_through_the_pages(
    client, session, organisation, lead
):
    viewer = make_employer(session, organisation=organisation, organisation_role="viewer")
    sign_in(client, lead)
    page = assert_good_page(client.get(f"/organisation/users/{viewer.id}"))
    assert page.select_one("#role")["value"] == "lead"

    last = post_form(client, f"/organisation/users/{lead.id}/role", {"role": "viewer"})
    assert last.status_code == 409
    assert "last lead" in assert_good_page(last).select_one(".govuk-error-summary").text
    assert post_form(client, f"/organisation/users/{lead.id}/remove").status_code == 409

    post_form(client, f"/organisation/users/{viewer.id}/role", {"role": "lead"})
    assert people(session, organisation)[viewer.email] == "lead"
    removed = post_form(client, f"/organisation/users/{viewer.id}/remove")
    assert_good_page(removed, title_contains="People in your organisation")
    assert people(session, organisation) == {lead.email: "lead"}
    assert client.get("/organisation/users/999999").status_code == 404


def test_an_unknown_invitation_link_gets_its_own_page(client):
    response = client.get("/invitations/no-such-token")

    assert response.status_code == 404
    assert_good_page(response, title_contains="This link does not work")


def test_the_registering_account_is_its_organisations_lead(client, session):
    client.post("/api/v1/auth/register", json={
        "organisation": {"name": "New Council", "employer_type": "local_authority",
                         "region": "london", "teaching_partnership": None,
                         "programmes": ["adults"]},
        "email": "first@example.org", "password": PASSWORD})

    user = session.exec(select(User).where(User.email == "first@example.org")).one()
    assert user.organisation_role == "lead"
