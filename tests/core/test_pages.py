"""The start page, the accessibility statement, error pages and the built assets."""

import re
from types import SimpleNamespace

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from starlette.requests import Request

from app.config import get_settings
from app.core.templating import render, templates
from app.main import create_app
from tests.html import assert_good_page

CROWN_PATH_START = "M33.1,9.8"  # first path of the Tudor crown in GOV.UK Frontend's logo


@pytest.fixture(scope="module")
def app():
    app = create_app()

    # Routes that exist only to exercise the error handlers.
    @app.get("/test-only/boom")
    @app.get("/api/v1/test-only/boom")
    def boom():
        raise RuntimeError("secret internals that must not reach the page")

    @app.get("/test-only/slow-down")
    @app.get("/api/v1/test-only/slow-down")
    def slow_down():
        raise HTTPException(429, detail="Too many sign-in attempts", headers={"Retry-After": "30"})

    @app.get("/api/v1/test-only/numbers")
    def numbers(count: int):
        return {"count": count}

    return app


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def fake_request(path: str = "/", user=None) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"",
            "headers": [],
            "state": {"user": user, "csrf_token": "token-for-test"},
        }
    )


def test_start_page_explains_the_service_and_offers_register_and_sign_in(client):
    response = client.get("/")

    assert response.status_code == 200
    soup = assert_good_page(response, title_contains="ASYE 360")
    text = soup.get_text(" ", strip=True)
    assert "360-degree organisational evaluation" in text
    assert "anonymous" in text
    start = soup.select_one("a.govuk-button--start")
    assert start["href"] == "/register" and "Register your organisation" in start.get_text()
    assert soup.select_one('main a.govuk-button[href="/sign-in"]') is not None


def test_every_page_has_the_generic_header_and_no_crown(client):
    response = client.get("/")

    soup = assert_good_page(response)
    header = soup.select_one(".govuk-generic-header")
    assert header.select_one("a")["href"] == "/"
    assert header.get_text(strip=True) == "ASYE 360"
    assert soup.select_one(".govuk-header") is None
    assert "govuk-logo" not in response.text
    assert "govuk-footer__crown" not in response.text
    assert CROWN_PATH_START not in response.text
    assert "Crown copyright" not in response.text


def test_layout_links_the_built_assets_and_the_support_pages(client):
    soup = assert_good_page(client.get("/"))

    assert soup.select_one('link[rel="stylesheet"]')["href"] == "/assets/css/app.css"
    scripts = [script["src"] for script in soup.select('script[type="module"][src]')]
    assert scripts == ["/assets/js/govuk-frontend.min.js", "/assets/js/app.js"]
    footer_links = {a["href"] for a in soup.select(".govuk-footer a")}
    assert {"/accessibility", "/api/docs"} <= footer_links
    assert soup.select_one(".govuk-phase-banner").get_text(" ", strip=True).startswith("Beta")


def test_signed_out_visitor_is_offered_sign_in_only():
    soup = assert_good_page(render(fake_request(), "core/start.html"))

    links = [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation a")]
    assert links == ["Sign in"]
    assert soup.select_one(".govuk-service-navigation form") is None


@pytest.mark.parametrize(
    ("user", "link"),
    [
        (
            SimpleNamespace(email="lead@example.org", is_national=False, organisation_name="Org"),
            ("Dashboard", "/dashboard"),
        ),
        (
            SimpleNamespace(email="team@example.org", is_national=True, organisation_name=None),
            ("National results", "/national"),
        ),
    ],
)
def test_signed_in_user_sees_their_home_and_a_sign_out_form(user, link):
    soup = assert_good_page(render(fake_request(user=user), "core/start.html"))

    navigation = soup.select_one(".govuk-service-navigation")
    assert [(a.get_text(strip=True), a["href"]) for a in navigation.select("a")] == [link]
    form = navigation.select_one('form[method="post"]')
    assert form["action"] == "/sign-out"
    assert form.select_one('input[name="csrf_token"]')["value"] == "token-for-test"
    assert form.select_one('button[type="submit"]').get_text(strip=True) == "Sign out"


def test_accessibility_statement_names_the_standard(client):
    response = client.get("/accessibility")

    assert response.status_code == 200
    soup = assert_good_page(response, title_contains="Accessibility statement")
    text = soup.get_text(" ", strip=True)
    assert "Web Content Accessibility Guidelines version 2.2" in text
    assert "Known limitations" in text
    assert "This statement was prepared on" in text
    assert soup.select_one("#contact-email")["href"] == "mailto:help@asye360.invalid"


def test_the_privacy_notice_says_what_is_stored_for_how_long_and_who_sees_what(client):
    soup = assert_good_page(client.get("/privacy"), title_contains="Privacy notice")

    headings = [h2.get_text(strip=True) for h2 in soup.select("main h2")]
    assert headings == ["If you answer the evaluation", "If you run an evaluation for your "
                        "organisation", "Who sees what", "How long we keep it", "Contact"]
    assert "internet (IP) address" in soup.get_text()


def test_the_phase_banner_links_to_feedback_from_the_setting(client, monkeypatch):
    monkeypatch.setenv("FEEDBACK_URL", "https://forms.example.org/asye360")
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        soup = assert_good_page(client.get("/"))
    finally:
        get_settings.cache_clear()
    link = soup.select_one(".govuk-phase-banner a")
    assert (link.get_text(), link["href"]) == ("feedback", "https://forms.example.org/asye360")


def test_unknown_page_shows_page_not_found(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    soup = assert_good_page(response, title_contains="Page not found")
    assert soup.h1.get_text(strip=True) == "Page not found"


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"detail": "Not Found"}


def test_unexpected_error_shows_a_plain_500_page_without_internals(client):
    response = client.get("/test-only/boom")

    assert response.status_code == 500
    assert_good_page(response, title_contains="Sorry, there is a problem with the service")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_unexpected_error_under_api_answers_json_500(client):
    response = client.get("/api/v1/test-only/boom")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error",
                               "reference": response.json()["reference"]}
    assert len(response.json()["reference"]) == 12


def test_other_errors_show_the_generic_page_and_keep_their_headers(client):
    response = client.get("/test-only/slow-down")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    soup = assert_good_page(response)
    assert "Too many sign-in attempts" in soup.select_one("main").get_text(" ", strip=True)

    api = client.get("/api/v1/test-only/slow-down")
    assert api.status_code == 429 and api.headers["retry-after"] == "30"
    assert api.json() == {"detail": "Too many sign-in attempts"}


def test_wrong_method_on_a_page_is_a_405_page(client):
    response = client.post("/accessibility")

    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert_good_page(response)


def test_api_validation_error_is_422_with_a_readable_detail(client):
    response = client.get("/api/v1/test-only/numbers", params={"count": "many"})

    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("query.count: ")
    assert body["errors"][0]["loc"] == ["query", "count"]


def test_page_validation_error_is_a_422_page(client, app):
    @app.get("/test-only/rounds/{number}")
    def a_page(number: int):
        return {"number": number}

    response = client.get("/test-only/rounds/seven")

    assert response.status_code == 422
    assert_good_page(response)


def test_stylesheet_is_served_with_system_fonts_only(client):
    assert (get_settings().assets_dir / "css" / "app.css").is_file(), (
        "frontend/dist is not built: run `npm ci && npm run build` in frontend/"
    )
    response = client.get("/assets/css/app.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "GDS Transport" not in response.text
    assert "/assets/fonts/" not in response.text
    assert "system-ui" in response.text


def test_scripts_and_icons_are_served(client):
    for path in (
        "/assets/js/govuk-frontend.min.js",
        "/assets/js/app.js",
        "/assets/images/asye360-icon.svg",
        "/assets/manifest.json",
    ):
        assert client.get(path).status_code == 200, path


def _contrast(foreground: str, background: str) -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("rag", ["red", "amber", "green"])
def test_rag_colours_meet_wcag_aa(client, rag):
    css = client.get("/assets/css/app.css").text

    tag = re.search(r"\.app-rag--" + rag + r"\{([^}]*)\}", css).group(1)
    text = re.search(r"(?:^|;)color:(#[0-9a-f]{6})", tag).group(1)
    background = re.search(r"background-color:(#[0-9a-f]{6})", tag).group(1)
    assert _contrast(text, background) >= 4.5
    bar = re.search(r"\.app-chart__bar--" + rag + r"\{fill:(#[0-9a-f]{6})\}", css).group(1)
    assert _contrast(bar, "#ffffff") >= 3  # graphics against the white page


def test_rag_tag_shows_the_value_and_the_rag_in_words():
    macro = templates.env.from_string(
        '{% from "partials/rag.html" import rag_tag %}{{ rag_tag("green", "4.1") }}|'
        '{{ rag_tag("amber", "3.9") }}|{{ rag_tag(none, "Not enough ratings") }}'
    )

    green, amber, none = macro.render().split("|")
    assert (
        'class="app-rag app-rag--green"' in green
        and re.sub(r"<[^>]+>", "", green).strip() == "4.1 Green"
    )
    assert "app-rag--amber" in amber and "Amber" in amber
    assert "app-rag--none" in none and "Not enough ratings" in none


def test_error_summary_links_each_message_to_its_field():
    macro = templates.env.from_string(
        '{% from "partials/error_summary.html" import error_summary %}{{ error_summary(errors) }}'
    )

    html = macro.render(
        errors={"email": "Enter your email address", "programme": "Select a programme"}
    )
    assert "There is a problem" in html
    assert html.index('href="#email"') < html.index('href="#programme"')
    assert "Enter your email address" in html
    assert macro.render(errors={}).strip() == ""


def test_pages_state_the_small_group_threshold_the_settings_give_not_a_literal(client, monkeypatch):
    monkeypatch.setenv("SMALL_GROUP_K", "5")
    get_settings.cache_clear()
    try:
        text = assert_good_page(client.get("/")).get_text(" ", strip=True)
    finally:
        monkeypatch.delenv("SMALL_GROUP_K")
        get_settings.cache_clear()

    assert "When fewer than 5 people of one type rate a statement" in text
