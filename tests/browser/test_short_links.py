"""A short link in a real browser, at 320 px: the round page shows it, and typing it (in lower
case, without its hyphen) opens the survey's start page. Axe finds nothing on either."""

import secrets

import pytest

from tests.browser.api import PASSWORD, employer_api
from tests.browser.checks import PageChecks

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 740}


def test_the_round_page_shows_a_short_link_that_opens_the_survey_at_320_px(
    new_context, live_server
):
    email = f"short-{secrets.token_hex(4)}@example.org"
    with employer_api(live_server.url, name=f"Short Links {secrets.token_hex(2)} Council",
                      email=email) as api:
        round_ = api.post("/rounds", json={"programme": "child_and_family", "year": "2025-26",
                                          "expected": {"nqsw": 3}}).json()
        round_ = api.post(f"/rounds/{round_['id']}/open").json()
    checks = PageChecks()
    page = new_context(viewport=NARROW).new_page()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")

    page.goto(f"/rounds/{round_['id']}")
    checks.check(page, fits_width=True)
    short_url = page.locator("#short-link-nqsw").inner_text().strip()
    assert short_url.startswith(f"{live_server.url}/s/"), short_url

    typed = short_url.removeprefix(live_server.url).lower().replace("-", "")
    page.goto(typed)
    assert page.url == round_["links"]["nqsw"]
    checks.check(page, fits_width=True)
