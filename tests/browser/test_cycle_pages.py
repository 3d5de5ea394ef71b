"""The pages of issue 15 in a real browser, at 320 px: closing date, sharing, preview, action
plan (with its error summary), evidence and its public check. Axe finds nothing on any of them."""

import re
import secrets

import httpx
import pytest

from tests.browser.checks import PageChecks

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 740}
PASSWORD = "cycle pages password 2026"


def _lead_with_rounds(base_url: str) -> tuple[str, dict, dict, str]:
    """A new organisation's lead; a closed 2025-26 round (and its verification code) and an
    open round of this year."""
    email = f"cycle-{secrets.token_hex(4)}@example.org"
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as api:
        assert api.post("/auth/register", json={
            "organisation": {"name": f"Cycle Pages {secrets.token_hex(2)} Council",
                             "employer_type": "local_authority", "region": "london",
                             "teaching_partnership": None, "programmes": ["child_and_family"]},
            "email": email, "password": PASSWORD}).status_code == 201
        token = api.post("/auth/token", data={"username": email, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        ratings = {str(n): 2 if n == 7 else 4 for n in range(1, 33)}

        closed = api.post("/rounds", json={"programme": "child_and_family", "year": "2025-26",
                                           "expected": {"nqsw": 3, "line_manager": 1}}).json()
        opened = api.post(f"/rounds/{closed['id']}/open").json()
        assert api.put(f"/rounds/{closed['id']}/self-assessment",
                       json={"ratings": ratings}).status_code == 200
        # Respondents answer without the organisation's token (rule 11 refuses it).
        with httpx.Client(base_url=str(api.base_url), timeout=30) as anonymous:
            for kind, count in (("nqsw", 3), ("line_manager", 3)):
                link = opened["links"][kind].rsplit("/", 1)[1]
                for _ in range(count):
                    assert anonymous.post(f"/survey/{link}/responses",
                                          json={"ratings": ratings}).status_code == 201
        closed = api.post(f"/rounds/{closed['id']}/close").json()

        current = api.post("/rounds", json={"programme": "child_and_family",
                                            "year": _this_year()}).json()
        current = api.post(f"/rounds/{current['id']}/open").json()
        code = api.get(f"/rounds/{closed['id']}/evidence").json()["verification_code"]
    return email, closed, current, code


def _this_year() -> str:
    from app.lifecycle.closing import uk_today
    from app.lifecycle.years import academic_year_of

    return academic_year_of(uk_today())


def test_the_quality_assurance_cycle_pages_work_at_320_px_without_axe_violations(
    new_context, live_server
):
    email, closed, current, code = _lead_with_rounds(live_server.url)
    checks = PageChecks()
    page = new_context(viewport=NARROW).new_page()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")

    page.goto(f"/rounds/{current['id']}")
    checks.check(page, fits_width=True)
    assert "Closing date" in page.locator("main").inner_text()
    page.goto(f"/rounds/{current['id']}/edit")
    checks.check(page, fits_width=True)
    page.locator("#closes_on").fill("31")
    page.locator("#closes_on_month").fill("2")
    page.locator("#closes_on_year").fill("2099")
    page.get_by_role("button", name="Save changes").click()
    assert page.title().startswith("Error: ")
    checks.check(page, fits_width=True)

    page.goto(f"/rounds/{current['id']}/share")
    checks.check(page, fits_width=True)
    page.goto(f"/rounds/{current['id']}/preview")
    checks.check(page, fits_width=True)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r".*/preview/theme/1$"))
    checks.check(page, fits_width=True)
    page.goto(f"/rounds/{current['id']}/codes")
    checks.check(page, fits_width=True)

    page.goto(f"/rounds/{closed['id']}/action-plan")
    checks.check(page, fits_width=True)
    page.get_by_role("link", name="Add statement 7 to the plan").click()
    checks.check(page, fits_width=True)
    page.get_by_role("button", name="Save").click()
    assert page.title().startswith("Error: ")
    checks.check(page, fits_width=True)

    page.goto(f"/rounds/{closed['id']}")
    checks.check(page, fits_width=True)
    page.goto("/verify")
    checks.check(page, fits_width=True)
    page.get_by_label("Check evidence of completion").fill("AAAA-BBBB-CCCC-DDDD-EEEE")
    page.get_by_role("button", name="Check the code").click()
    checks.check(page, fits_width=True)
    assert "No evidence has this verification code" in page.title()

    anyone = new_context(viewport=NARROW).new_page()  # an assessor, not signed in
    anyone.goto("/verify")
    anyone.get_by_label("Check evidence of completion").fill(code.lower())
    anyone.get_by_role("button", name="Check the code").click()
    anyone.wait_for_url(f"**/verify/{code}")
    checks.check(anyone, fits_width=True)
    assert "NQSWs: 3" in anyone.locator("#evidence-facts").inner_text()
