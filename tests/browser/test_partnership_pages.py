"""The Teaching Partnerships pages (issue 14) in a real browser at 320 px, without JavaScript
needed: list, add (with its error summary), rename, retire. Axe finds nothing on any of them."""

import secrets

import pytest

from tests.browser.checks import PageChecks

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 740}


def test_a_national_user_manages_partnerships_at_320_px_without_axe_violations(
    new_context, live_server
):
    checks = PageChecks()
    page = new_context(viewport=NARROW).new_page()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(live_server.national_email)
    page.locator("#password").fill(live_server.national_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/national")

    page.goto("/national/teaching-partnerships")
    checks.check(page, fits_width=True)
    page.get_by_role("button", name="Add the partnership").click()
    assert page.title().startswith("Error: ")
    checks.check(page, fits_width=True)

    name = f"Browser {secrets.token_hex(3)} Teaching Partnership with a rather long name"
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add the partnership").click()
    page.get_by_role("link", name=name).click()
    checks.check(page, fits_width=True)
    page.get_by_label("Name").fill(name + " renamed")
    page.get_by_role("button", name="Rename").click()
    page.get_by_role("link", name=name + " renamed").click()
    page.get_by_role("button", name="Retire the partnership").click()
    checks.check(page, fits_width=True)
    assert "Retired" in page.locator("#partnerships").inner_text()
