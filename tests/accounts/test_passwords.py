"""Password reset by emailed link and password change: pages and API, through a real SMTP server."""

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import AccountToken, User
from app.accounts.service import ACCESS_TOKEN, SESSION_TOKEN, issue_token
from app.db import utcnow
from tests.builders import PASSWORD, api_headers, make_employer, post_form, sign_in
from tests.html import assert_good_page

NEW_PASSWORD = "a brand new pass phrase"
LINK = re.compile(r"http://testserver/reset-password/([A-Za-z0-9_-]+)")


@pytest.fixture
def lead(session):
    return make_employer(session, email="lead@riverside.example.org")


def ask_for_a_reset(client, smtp_server, email="lead@riverside.example.org") -> str:
    response = client.post("/api/v1/auth/password-reset", json={"email": email})
    assert response.status_code == 202
    [message] = smtp_server.wait_for(1)
    assert message["To"] == email
    assert message["Subject"] == "Reset your ASYE 360 password"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [token] = LINK.findall(text)
    assert f"/reset-password/{token}" in html
    return token


def can_sign_in(client, email: str, password: str) -> bool:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    return response.status_code == 200


def is_signed_in(client, headers) -> bool:
    return client.get("/api/v1/rounds", headers=headers).status_code == 200


# Reset through the API


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    client, session, lead, smtp_server
):
    api_before = api_headers(lead)
    page_before = issue_token(user=lead, kind=SESSION_TOKEN).token
    token = ask_for_a_reset(client, smtp_server)

    response = client.post(f"/api/v1/auth/password-reset/{token}",
                           json={"password": NEW_PASSWORD})

    assert response.status_code == 204
    assert can_sign_in(client, lead.email, NEW_PASSWORD)
    assert not can_sign_in(client, lead.email, PASSWORD)
    assert not is_signed_in(client, api_before)
    client.cookies.set(SESSION_COOKIE, page_before)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    again = client.post(f"/api/v1/auth/password-reset/{token}", json={"password": "another one!!"})
    assert again.status_code == 404
    assert can_sign_in(client, lead.email, NEW_PASSWORD)


def test_asking_for_a_reset_answers_the_same_whether_or_not_the_account_exists(
    client, session, lead, smtp_server
):
    known = client.post("/api/v1/auth/password-reset", json={"email": lead.email})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"})

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert known.status_code == 202
    smtp_server.wait_for(1)
    assert [m["To"] for m in smtp_server.messages] == [lead.email]
    assert session.exec(select(AccountToken)).all()[0].user_id == lead.id


def test_a_stored_reset_token_is_only_a_hash_of_the_emailed_one(client, session, lead, smtp_server):
    token = ask_for_a_reset(client, smtp_server)

    [stored] = session.exec(select(AccountToken)).all()
    assert token not in stored.token_hash
    assert stored.purpose == "reset"
    hour = timedelta(hours=1)
    expires = stored.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert hour - timedelta(minutes=1) < expires <= hour


def test_an_expired_reset_link_is_refused_and_changes_nothing(client, session, lead, smtp_server):
    token = ask_for_a_reset(client, smtp_server)
    stored = session.exec(select(AccountToken)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    response = client.post(f"/api/v1/auth/password-reset/{token}",
                           json={"password": NEW_PASSWORD})

    assert response.status_code == 404
    assert "expired" in response.json()["detail"]
    assert can_sign_in(client, lead.email, PASSWORD)


@pytest.mark.parametrize("token", ["not-a-token", "x" * 40])
def test_an_unknown_reset_link_is_refused(client, lead, token):
    response = client.post(f"/api/v1/auth/password-reset/{token}",
                           json={"password": NEW_PASSWORD})

    assert response.status_code == 404
    assert can_sign_in(client, lead.email, PASSWORD)


@pytest.mark.parametrize("password", ["short", "elevenchars"])
def test_a_weak_password_is_refused_and_the_link_still_works(
    client, session, lead, smtp_server, password
):
    token = ask_for_a_reset(client, smtp_server)

    refused = client.post(f"/api/v1/auth/password-reset/{token}", json={"password": password})

    assert refused.status_code == 422
    assert "12 characters" in refused.json()["detail"]
    assert can_sign_in(client, lead.email, PASSWORD)
    assert client.post(f"/api/v1/auth/password-reset/{token}",
                       json={"password": NEW_PASSWORD}).status_code == 204


def test_using_one_reset_link_ends_the_others(client, session, lead, smtp_server):
    first = ask_for_a_reset(client, smtp_server)
    smtp_server.clear()
    second = ask_for_a_reset(client, smtp_server)

    assert client.post(f"/api/v1/auth/password-reset/{second}",
                       json={"password": NEW_PASSWORD}).status_code == 204
    assert client.post(f"/api/v1/auth/password-reset/{first}",
                       json={"password": "yet another pass phrase"}).status_code == 404


def test_no_reset_token_or_address_reaches_a_log(client, lead, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    token = ask_for_a_reset(client, smtp_server)
    client.post(f"/api/v1/auth/password-reset/{token}", json={"password": NEW_PASSWORD})

    # The service's own logs (not the test's SMTP server or HTTP client, which see everything).
    logged = "\n".join(record.getMessage() for record in caplog.records
                       if not record.name.startswith(("mail.log", "httpx", "httpcore")))
    assert {record.name for record in caplog.records} & {"asye360.email"}
    assert token not in logged
    assert lead.email not in logged
    assert "password_reset" in logged  # the send itself was logged, by template name


# Change through the API


def test_changing_the_password_ends_every_other_session_but_this_one(client, session, lead):
    this = api_headers(lead)
    other = api_headers(lead)
    page = issue_token(user=lead, kind=SESSION_TOKEN).token

    response = client.post("/api/v1/auth/password", headers=this,
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 204
    assert is_signed_in(client, this)
    assert not is_signed_in(client, other)
    client.cookies.set(SESSION_COOKIE, page)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    assert can_sign_in(client, lead.email, NEW_PASSWORD)
    assert not can_sign_in(client, lead.email, PASSWORD)


@pytest.mark.parametrize("body, field", [
    ({"current_password": "not my password", "new_password": NEW_PASSWORD}, "current"),
    ({"current_password": PASSWORD, "new_password": "too short"}, "12 characters"),
    ({"new_password": NEW_PASSWORD}, "current_password"),
])
def test_a_refused_password_change_changes_nothing(client, session, lead, body, field):
    headers = api_headers(lead)
    other = api_headers(lead)

    response = client.post("/api/v1/auth/password", headers=headers, json=body)

    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert can_sign_in(client, lead.email, PASSWORD)
    assert is_signed_in(client, other)


def test_changing_a_password_needs_a_signed_in_user(client):
    response = client.post("/api/v1/auth/password",
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 401


def test_signing_out_ends_api_tokens_too(client, session, lead):
    headers = api_headers(lead)
    sign_in(client, lead)

    post_form(client, "/sign-out")

    assert not is_signed_in(client, headers)


# Pages


def test_a_lead_resets_a_forgotten_password_through_the_pages(client, session, lead, smtp_server):
    sign_in_page = assert_good_page(client.get("/sign-in"))
    assert sign_in_page.select_one('a[href="/forgot-password"]') is not None
    assert_good_page(client.get("/forgot-password"), title_contains="Reset your password")

    sent = post_form(client, "/forgot-password", {"email": "Lead@Riverside.example.org"})

    assert_good_page(sent, title_contains="Check your email")
    [message] = smtp_server.wait_for(1)
    [token] = LINK.findall(message.get_body(("plain",)).get_content())
    form = assert_good_page(client.get(f"/reset-password/{token}"),
                            title_contains="Reset your password")
    assert lead.email in form.text
    too_short = post_form(client, f"/reset-password/{token}", {"password": "short"})
    assert too_short.status_code == 422
    soup = assert_good_page(too_short, title_contains="Error: Reset your password")
    assert soup.select_one(".govuk-error-summary a[href='#password']") is not None
    done = post_form(client, f"/reset-password/{token}", {"password": NEW_PASSWORD})
    assert_good_page(done, title_contains="Your password has been changed")
    assert can_sign_in(client, lead.email, NEW_PASSWORD)
    used = client.get(f"/reset-password/{token}")
    assert used.status_code == 404
    assert_good_page(used, title_contains="This link does not work")


def test_the_forgotten_password_page_answers_the_same_for_an_unknown_address(
    client, smtp_server
):
    sent = post_form(client, "/forgot-password", {"email": "nobody@example.org"})

    assert_good_page(sent, title_contains="Check your email")
    assert smtp_server.messages == []


def test_the_forgotten_password_page_asks_for_a_real_address(client):
    response = post_form(client, "/forgot-password", {"email": "not an address"})

    assert response.status_code == 422
    soup = assert_good_page(response, title_contains="Error: Reset your password")
    assert soup.select_one(".govuk-error-summary a[href='#email']") is not None


def test_a_signed_in_user_changes_the_password_and_stays_signed_in(client, session, lead):
    elsewhere = issue_token(user=lead, kind=SESSION_TOKEN).token
    api = {"Authorization": f"Bearer {issue_token(user=lead, kind=ACCESS_TOKEN).token}"}
    sign_in(client, lead)
    assert_good_page(client.get("/account/password"), title_contains="Change your password")

    wrong = post_form(client, "/account/password",
                      {"current_password": "wrong password!", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422
    soup = assert_good_page(wrong, title_contains="Error: Change your password")
    assert soup.select_one(".govuk-error-summary a[href='#current_password']") is not None
    blank = post_form(client, "/account/password", {})
    assert blank.status_code == 422
    assert "Enter your current password" in blank.text
    assert can_sign_in(client, lead.email, PASSWORD)

    done = post_form(client, "/account/password",
                     {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert_good_page(done, title_contains="Your password has been changed")
    assert client.get("/dashboard").status_code == 200
    assert not is_signed_in(client, api)
    client.cookies.set(SESSION_COOKIE, elsewhere)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_the_change_password_page_needs_a_signed_in_user(client):
    response = client.get("/account/password", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_an_invited_account_without_a_password_cannot_sign_in(client, session):
    user = make_employer(session)
    user.password_hash = ""
    session.add(user)
    session.commit()

    assert not can_sign_in(client, user.email, "")
    assert not can_sign_in(client, user.email, PASSWORD)
    assert session.get(User, user.id) is not None
