"""Signing in and out: pages (session cookie), the API token, CSRF and rate limits."""

import pytest

from app.accounts.deps import SESSION_COOKIE
from app.config import get_settings
from tests.builders import (
    PASSWORD,
    api_headers,
    csrf_token,
    make_employer,
    make_national_user,
    post_form,
    sign_in,
)
from tests.html import assert_good_page


@pytest.fixture
def employer(session):
    return make_employer(session, email="lead@riverside.example.org")


def set_cookie_header(response) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))


def test_sign_in_page_has_an_email_and_a_password_field(client):
    soup = assert_good_page(client.get("/sign-in"), title_contains="Sign in")

    assert soup.select_one("#email")["autocomplete"] == "email"
    assert soup.select_one("#password")["type"] == "password"


def test_employer_signs_in_with_an_httponly_samesite_cookie_and_reaches_the_dashboard(
    client, employer
):
    response = post_form(client, "/sign-in", {"email": " Lead@Riverside.example.org ",
                                              "password": PASSWORD}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    cookie = set_cookie_header(response).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # only in production, which serves HTTPS
    page = client.get("/dashboard")
    assert page.status_code == 200
    soup = assert_good_page(page)
    assert soup.select_one('.govuk-service-navigation form[action="/sign-out"]') is not None


def test_national_user_signing_in_goes_to_national_results(client, session):
    user = make_national_user(session)

    response = post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD},
                         follow_redirects=False)

    assert response.headers["location"] == "/national"


def test_signing_in_returns_to_the_page_that_asked_for_it(client, employer):
    asked = client.get("/rounds/new", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/sign-in?next=/rounds/new"
    soup = assert_good_page(client.get(asked.headers["location"]))
    assert soup.select_one('input[name="next"]')["value"] == "/rounds/new"

    response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD,
                                              "next": "/rounds/new"}, follow_redirects=False)

    assert response.headers["location"] == "/rounds/new"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_signing_in_never_sends_anyone_to_another_site(client, employer, next_url):
    response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD,
                                              "next": next_url}, follow_redirects=False)

    assert response.headers["location"] == "/dashboard"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, employer):
    wrong_password = post_form(client, "/sign-in", {"email": employer.email,
                                                    "password": "not the password"})
    unknown_email = post_form(client, "/sign-in", {"email": "nobody@example.org",
                                                   "password": "not the password"})

    assert wrong_password.status_code == unknown_email.status_code == 401
    messages = []
    for response in (wrong_password, unknown_email):
        soup = assert_good_page(response, title_contains="Error: Sign in")
        messages.append(soup.select_one(".govuk-error-summary__list").get_text(strip=True))
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert messages[0] == messages[1] == "The email address or password you entered is not right"


def test_blank_sign_in_fields_get_enter_messages_and_keep_the_email(client):
    response = post_form(client, "/sign-in", {"email": "lead@example.org", "password": ""})

    soup = assert_good_page(response, title_contains="Error: Sign in")
    assert [a.get_text() for a in soup.select(".govuk-error-summary a")] == ["Enter your password"]
    assert soup.select_one("#email")["value"] == "lead@example.org"


def test_a_signed_in_user_visiting_sign_in_goes_to_their_home(client, employer):
    sign_in(client, employer)

    response = client.get("/sign-in", follow_redirects=False)

    assert response.headers["location"] == "/dashboard"


def test_sign_out_ends_the_session(client, employer):
    post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD})
    assert client.get("/dashboard", follow_redirects=False).status_code == 200

    response = post_form(client, "/sign-out", follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/"
    assert 'asye360_session=""' in set_cookie_header(response) or "Max-Age=0" in set_cookie_header(
        response)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_a_copy_of_the_session_cookie_stops_working_once_the_user_signs_out(client, employer):
    post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD})
    stolen = client.cookies.get(SESSION_COOKIE)

    post_form(client, "/sign-out", follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, stolen)

    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    client.cookies.clear()  # signing in again gives a session that works
    post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD})
    assert client.get("/dashboard", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("url", ["/sign-in", "/sign-out", "/register"])
def test_a_form_without_the_csrf_token_is_refused(client, employer, url):
    csrf_token(client)  # the visitor has the cookie, but the form does not carry the token

    response = client.post(url, data={"email": employer.email, "password": PASSWORD})

    assert response.status_code == 403
    assert_good_page(response)
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_form_with_another_visitors_csrf_token_is_refused(client, employer):
    csrf_token(client)

    response = client.post("/sign-in", data={"csrf_token": "forged-token", "email": employer.email,
                                             "password": PASSWORD})

    assert response.status_code == 403


def test_sign_in_is_limited_per_account_even_with_the_right_password_afterwards(
    client, employer
):
    limit = get_settings().sign_in_attempts_per_account
    for _ in range(limit):
        assert post_form(client, "/sign-in", {"email": employer.email,
                                              "password": "wrong guess"}).status_code == 401

    response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD},
                         follow_redirects=False)

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    soup = assert_good_page(response, title_contains="Error: Sign in")
    assert "too many times" in soup.select_one(".govuk-error-summary").get_text()
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_successful_sign_in_clears_the_accounts_failed_attempts(client, employer):
    limit = get_settings().sign_in_attempts_per_account
    for _ in range(limit - 1):
        post_form(client, "/sign-in", {"email": employer.email, "password": "wrong guess"})
    post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD})

    for _ in range(limit - 1):
        post_form(client, "/sign-in", {"email": employer.email, "password": "wrong guess"})
    response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD},
                         follow_redirects=False)

    assert response.status_code == 303


def test_sign_in_is_limited_per_address_across_accounts(client):
    limit = get_settings().sign_in_attempts_per_address
    for number in range(limit):
        post_form(client, "/sign-in", {"email": f"guess{number}@example.org", "password": "x"})

    response = post_form(client, "/sign-in", {"email": "another@example.org", "password": "x"})

    assert response.status_code == 429


def test_the_token_endpoint_shares_the_sign_in_limit(client, employer):
    limit = get_settings().sign_in_attempts_per_account
    for _ in range(limit):
        client.post("/api/v1/auth/token", data={"username": employer.email, "password": "wrong"})

    response = client.post("/api/v1/auth/token",
                           data={"username": employer.email, "password": PASSWORD})

    assert response.status_code == 429
    assert response.headers["retry-after"]
    assert response.json()["detail"] == "Too many sign-in attempts. Try again later."


def test_rate_limits_off_lets_every_attempt_through(client, employer, monkeypatch):
    monkeypatch.setenv("RATE_LIMITS", "off")
    get_settings.cache_clear()
    try:
        for _ in range(get_settings().sign_in_attempts_per_account + 3):
            post_form(client, "/sign-in", {"email": employer.email, "password": "wrong"})
        response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD},
                             follow_redirects=False)
    finally:
        monkeypatch.delenv("RATE_LIMITS")
        get_settings.cache_clear()

    assert response.status_code == 303


def test_the_token_endpoint_gives_a_short_lived_bearer_token(client, employer):
    response = client.post("/api/v1/auth/token",
                           data={"username": employer.email, "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().access_token_minutes * 60
    rounds = client.get("/api/v1/rounds",
                        headers={"Authorization": f"Bearer {body['access_token']}"})
    assert rounds.status_code == 200


def test_the_token_endpoint_refuses_wrong_details_with_one_message(client, employer):
    wrong = client.post("/api/v1/auth/token", data={"username": employer.email,
                                                    "password": "wrong"})
    unknown = client.post("/api/v1/auth/token", data={"username": "no@example.org",
                                                      "password": "wrong"})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Incorrect email address or password"}
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_the_api_ignores_the_page_cookie_so_it_needs_no_csrf_protection(client, employer):
    sign_in(client, employer)

    assert client.get("/api/v1/rounds").status_code == 401
    assert client.get("/api/v1/rounds", headers=api_headers(employer)).status_code == 200


# Issue 13, item 2: nobody can lock anyone else out


def client_from(app, address: str):
    from fastapi.testclient import TestClient

    return TestClient(app, client=(address, 50000))


def test_wrong_passwords_from_other_addresses_never_lock_out_the_owners_correct_password(
    app, employer
):
    for number in range(get_settings().sign_in_attempts_per_account + 3):
        with client_from(app, f"203.0.113.{number + 1}") as attacker:
            assert attacker.post("/api/v1/auth/token", data={
                "username": employer.email, "password": "wrong guess"}).status_code == 401

    with client_from(app, "198.51.100.20") as owner:
        response = owner.post("/api/v1/auth/token",
                              data={"username": employer.email, "password": PASSWORD})

    assert response.status_code == 200


def test_successful_sign_ins_never_use_up_the_addresses_limit(client, employer):
    for _ in range(get_settings().sign_in_attempts_per_address + 2):
        assert client.post("/api/v1/auth/token", data={
            "username": employer.email, "password": PASSWORD}).status_code == 200

    response = client.post("/api/v1/auth/token",
                           data={"username": employer.email, "password": "wrong guess"})

    assert response.status_code == 401


def test_past_the_limit_each_attempt_waits_a_delay_that_doubles(client, employer, monkeypatch):
    from app import ratelimit

    settings = get_settings()
    now = [50_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])

    def attempt(password="wrong guess"):
        return client.post("/api/v1/auth/token",
                           data={"username": employer.email, "password": password})

    assert [attempt().status_code
            for _ in range(settings.sign_in_attempts_per_account)] == [401] * 5
    first_wait = attempt()
    now[0] += settings.sign_in_delay_seconds
    after_the_delay = attempt()
    second_wait = attempt()
    now[0] += 2 * settings.sign_in_delay_seconds
    right_password_after_waiting = attempt(PASSWORD)

    assert first_wait.status_code == 429
    assert int(first_wait.headers["retry-after"]) == settings.sign_in_delay_seconds
    assert after_the_delay.status_code == 401  # checked again, not locked
    assert second_wait.status_code == 429
    assert int(second_wait.headers["retry-after"]) == 2 * settings.sign_in_delay_seconds
    assert right_password_after_waiting.status_code == 200
    assert attempt().status_code == 401  # the success cleared the count: no wait now


# Issue 13, item 11: the CSRF cookie is new after sign-in; a form from another site is refused


def test_signing_in_rotates_the_csrf_token_so_one_known_before_is_worthless(client, employer):
    before = csrf_token(client)

    response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD},
                         follow_redirects=False)
    after = client.cookies.get("asye360_csrf")
    with_old_token = client.post("/sign-out", data={"csrf_token": before})

    assert response.status_code == 303
    assert after and after != before
    assert with_old_token.status_code == 403


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "http://testserver.evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_a_form_sent_from_another_site_is_refused_even_with_the_token(client, employer,
                                                                      headers):
    response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD},
                         headers=headers, follow_redirects=False)

    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    {"Origin": "null"},
    {},
])
def test_a_form_from_this_service_goes_through(client, employer, headers):
    response = post_form(client, "/sign-in", {"email": employer.email, "password": PASSWORD},
                         headers=headers, follow_redirects=False)

    assert response.status_code == 303
