"""Registering an organisation with its first employer account, by API and by page."""

import pytest
from sqlmodel import select

from app.accounts.models import Organisation, User
from app.accounts.service import authenticate
from tests.builders import PASSWORD, make_employer, post_form
from tests.html import assert_good_page


def registration(**changes) -> dict:
    body = {
        "organisation": {
            "name": "Riverside Council",
            "employer_type": "local_authority",
            "region": "london",
            "teaching_partnership": "south_london_tp",
            "programmes": ["child_and_family"],
        },
        "email": "Lead@Riverside.example.org",
        "password": PASSWORD,
    }
    for key, value in changes.items():
        if key in body["organisation"]:
            body["organisation"][key] = value
        else:
            body[key] = value
    return body


def form(**changes) -> dict:
    data = {
        "name": "Riverside Council",
        "employer_type": "local_authority",
        "region": "london",
        "teaching_partnership": "none",
        "programmes": ["adults", "child_and_family"],
        "email": "lead@riverside.example.org",
        "password": PASSWORD,
    }
    data.update(changes)
    return data


def test_registering_creates_the_organisation_and_its_employer_account(client, session):
    response = client.post("/api/v1/auth/register", json=registration())

    assert response.status_code == 201
    body = response.json()
    organisation = session.get(Organisation, body["organisation_id"])
    user = session.get(User, body["user_id"])
    assert organisation.name == "Riverside Council"
    assert organisation.teaching_partnership == "south_london_tp"
    assert user.organisation_id == organisation.id and user.role == "employer"
    assert user.email == "lead@riverside.example.org"
    assert user.password_hash != PASSWORD and user.password_hash.startswith("$argon2")
    assert authenticate(session=session, email="LEAD@riverside.example.org", password=PASSWORD)


def test_registering_without_a_teaching_partnership_stores_none(client, session):
    response = client.post("/api/v1/auth/register", json=registration(teaching_partnership=None))

    assert response.status_code == 201
    organisation = session.get(Organisation, response.json()["organisation_id"])
    assert organisation.teaching_partnership is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "Enter the name of your organisation"),
        ({"employer_type": "council"}, "Select the type of employer"),
        ({"region": "wales"}, "Select a region"),
        ({"teaching_partnership": "made_up_tp"}, "Select a Teaching Partnership"),
        ({"programmes": []}, "Select at least one programme"),
        ({"programmes": ["mental_health"]}, "Select a programme from the list"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"password": "short"}, "Password must be 12 characters or more"),
    ],
)
def test_registration_with_a_bad_field_is_refused_with_a_clear_message(
    client, session, changes, message
):
    response = client.post("/api/v1/auth/register", json=registration(**changes))

    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert session.exec(select(Organisation)).first() is None


def test_registering_an_email_already_in_use_is_a_conflict_and_stores_nothing(client, session):
    make_employer(session, email="lead@riverside.example.org")

    response = client.post("/api/v1/auth/register", json=registration())

    assert response.status_code == 409
    assert response.json() == {"detail": "An account with this email address already exists"}
    assert len(session.exec(select(Organisation)).all()) == 1


def test_register_page_asks_for_the_organisation_and_the_account(client):
    soup = assert_good_page(client.get("/register"), title_contains="Register your organisation")

    names = {field["name"] for field in soup.select("form input, form select")}
    assert {"name", "employer_type", "region", "teaching_partnership", "programmes", "email",
            "password"} <= names
    assert len(soup.select('input[name="region"]')) == 9
    assert soup.select_one('input[name="password"]')["autocomplete"] == "new-password"


def test_register_page_signs_the_new_employer_in_and_shows_the_dashboard(client, session):
    response = post_form(client, "/register", form())

    assert response.status_code == 200
    assert response.url.path == "/dashboard"
    soup = assert_good_page(response, title_contains="Your evaluation rounds")
    assert "Riverside Council" in soup.get_text()
    organisation = session.exec(select(Organisation)).one()
    assert organisation.programmes == ["adults", "child_and_family"]
    assert organisation.teaching_partnership is None


def test_register_page_shows_every_problem_and_keeps_what_was_typed(client, session):
    response = post_form(
        client, "/register",
        form(employer_type="", region="", teaching_partnership="", programmes=[],
             email="lead-at-riverside", password="short"),
    )

    assert response.status_code == 422
    soup = assert_good_page(response, title_contains="Error: Register your organisation")
    summary = [a.get_text(strip=True) for a in soup.select(".govuk-error-summary a")]
    assert summary == [
        "Select the type of employer",
        "Select a region",
        "Select a Teaching Partnership, or ‘Not in a Teaching Partnership’",
        "Select at least one programme",
        "Enter an email address in the correct format, like name@example.org",
        "Password must be 12 characters or more",
    ]
    assert soup.select_one("#name")["value"] == "Riverside Council"
    assert soup.select_one("#email")["value"] == "lead-at-riverside"
    assert not soup.select_one("#password").get("value")  # a password is never sent back
    assert session.exec(select(Organisation)).first() is None


def test_register_page_with_an_email_in_use_says_so_next_to_the_email(client, session):
    make_employer(session, email="lead@riverside.example.org")

    response = post_form(client, "/register", form())

    assert response.status_code == 409
    soup = assert_good_page(response, title_contains="Error:")
    assert soup.select_one(".govuk-error-summary a")["href"] == "#email"
    assert "already exists" in soup.select_one("#email-error").get_text()


# Issue 13, item 5: one normal form of an email address; look-alikes refused; slow probing


@pytest.mark.parametrize("look_alike", [
    "l\u0435ad@riverside.example.org",  # a Cyrillic е among Latin letters
    "le\u200bad@riverside.example.org",  # a zero-width space
    "\u0130nfo@riverside.example.org",  # a dotted capital İ: lowers to i + a combining dot
    "lead\u202e@riverside.example.org",  # a right-to-left override
])
def test_a_look_alike_email_is_refused_not_a_new_account(client, session, look_alike):
    response = client.post("/api/v1/auth/register", json=registration(email=look_alike))

    assert response.status_code == 422
    assert "one alphabet, without hidden characters" in response.json()["detail"]
    assert session.exec(select(User)).all() == []


@pytest.mark.parametrize("same_address", [
    "\uff4c\uff45\uff41\uff44@riverside.example.org",  # full-width letters
    "LEAD@RIVERSIDE.EXAMPLE.ORG",
    " lead@riverside.example.org\u3000",  # an ideographic space after it
])
def test_another_way_of_writing_an_existing_email_is_the_same_account(client, session,
                                                                       same_address):
    make_employer(session, email="lead@riverside.example.org")

    response = client.post("/api/v1/auth/register", json=registration(email=same_address))
    token = client.post("/api/v1/auth/token", data={"username": same_address,
                                                    "password": PASSWORD})

    assert response.status_code == 409
    assert token.status_code == 200


def test_registering_is_limited_per_address_so_probing_for_emails_is_slow(client, session,
                                                                           monkeypatch):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "registrations_per_address_per_hour", 3)
    make_employer(session, email="known@example.org")

    statuses = [client.post("/api/v1/auth/register",
                            json=registration(email=f"probe{n}@example.org")).status_code
                for n in range(3)]
    probe = client.post("/api/v1/auth/register", json=registration(email="known@example.org"))

    assert statuses == [201, 201, 201]
    assert probe.status_code == 429 and int(probe.headers["retry-after"]) > 3000


@pytest.mark.parametrize("name", ["River\u202eside", "River\u2066side\u2069", "Riv\u200berside",
                                  "River\x7fside"])
def test_an_organisation_name_with_hidden_or_direction_characters_is_refused(client, session,
                                                                              name):
    api = client.post("/api/v1/auth/register", json=registration(name=name))
    page = post_form(client, "/register", form(name=name))

    assert api.status_code == 422 and page.status_code == 422
    if "\x7f" not in name:  # a control character is refused before the form is read
        soup = assert_good_page(page, title_contains="Error:")
        assert "no hidden characters" in soup.select_one("#name-error").get_text()
    assert session.exec(select(Organisation)).all() == []
