"""Rule 5's warnings on the national organisations pages in a real browser at 320 px: the
"with warnings" filter, the tag on the list and the sentence on the organisation's page, with
no axe violation."""

import secrets

import pytest

from tests.browser.api import employer_api, open_round
from tests.browser.checks import PageChecks
from tests.browser.test_journey import sign_in_as_national

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 740}
YEAR = "2024-25"  # a year no other browser test opens a round in


def test_a_round_with_more_codes_than_expected_shows_to_the_national_team(new_context,
                                                                          live_server):
    name = f"Warned {secrets.token_hex(3)} Council"
    with employer_api(live_server.url, name=name) as api:
        created = api.post("/rounds", json={
            "programme": "child_and_family", "year": YEAR,
            "statement_set": "child-and-family-2019",
            "expected": {"nqsw": 4, "line_manager": 2, "other": 0}})
        assert created.status_code == 201, created.text
        round_ = created.json()
        assert api.post(f"/rounds/{round_['id']}/open").status_code == 200
        issued = api.post(f"/rounds/{round_['id']}/codes", json={"line_manager": 5})
        assert issued.status_code == 201, issued.text
    open_round(live_server.url, name=f"Quiet {secrets.token_hex(3)} Council", year=YEAR)
    checks = PageChecks()
    page = new_context(viewport=NARROW).new_page()
    sign_in_as_national(page, checks, live_server)

    page.goto(f"/national/organisations?year={YEAR}")
    page.get_by_label("That year's round").select_option(label="With warnings")
    page.get_by_role("button", name="Show organisations").click()
    checks.check(page, fits_width=True)
    rows = page.locator("#organisations tbody tr")
    assert rows.count() == 1
    assert name in rows.first.inner_text() and "Check responses" in rows.first.inner_text()

    page.get_by_role("link", name=name).click()
    checks.check(page, fits_width=True)
    warning = page.locator(f"#round-{round_['id']}-warnings").inner_text()
    assert "5 line manager codes were issued, but 2 were expected" in " ".join(warning.split())
