"""The report of a round with suppressed groups, and the employer and national pages around it,
read in Chromium at 320 and 1280 pixels: nothing scrolls sideways, nothing is clipped, every table
header shows, no report table is wider than its column at 1280, zero axe violations.

Screenshots of the report at 375 and 1280 pixels are saved in test-artifacts/screenshots/.
The rounds are of 2021-22 and 2022-23, years no other browser test uses, so the benchmarks of
the journey test are not disturbed.
"""

import re
import secrets

import pytest
from playwright.sync_api import Page

from tests.browser.api import PASSWORD, STATEMENTS, answered_round, closed_round, employer_api
from tests.browser.checks import ROOT, PageChecks

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = (320, 1280)
YEARS = ("2021-22", "2022-23")


def every(score):
    return dict.fromkeys(STATEMENTS, score)


# 6 NQSWs and 1 line manager: the line manager is pooled with the NQSWs in every statement,
# and statement 5 has too few anonymous ratings ("I do not know") to show anything but the
# self-assessment.
NQSWS = [{**every(score), 5: None} for score in (4, 5, 3, 4, 5, 4)]
LINE_MANAGER = [{**every(2), 5: 3}]
QUALIFYING = {"nqsw": [every(4), every(3), every(5)], "line_manager": [every(4)]}

LAYOUT = """() => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    if (document.documentElement.scrollWidth > width)
        problems.push(`document is ${document.documentElement.scrollWidth}px wide`);
    const scroller = (el) => el.closest(
        "[role=region][tabindex][aria-label], [role=region][tabindex][aria-labelledby]");
    for (const el of document.querySelectorAll("main *")) {
        const box = el.getBoundingClientRect();
        if (!box.width) continue;
        // Clipped inside a box that hides its overflow (scroll regions excepted).
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (style.overflowX === "hidden" && !up.classList.contains("govuk-visually-hidden")
                    && !el.closest(".govuk-visually-hidden")) {
                const outer = up.getBoundingClientRect();
                if (box.right > outer.right + 1 || box.left < outer.left - 1)
                    problems.push(`clipped: ${el.tagName} in ${up.tagName}.${up.className}`);
                break;
            }
        }
    }
    for (const th of document.querySelectorAll("main th")) {
        const box = th.getBoundingClientRect();
        const style = getComputedStyle(th);
        if (!box.width || !box.height || style.visibility === "hidden")
            problems.push(`hidden header: ${th.textContent.trim().slice(0, 40)}`);
        else if (!scroller(th) && (box.right > width + 1 || box.left < -1))
            problems.push(`header off-screen: ${th.textContent.trim().slice(0, 40)}`);
    }
    for (const table of document.querySelectorAll("main table")) {
        const wide = table.getBoundingClientRect().width
            > table.parentElement.getBoundingClientRect().width + 1;
        if (wide && !scroller(table))
            problems.push(`table ${table.id} is wider than its column, outside a scroll region`);
    }
    return problems.slice(0, 10);
}"""

TABLES_WIDER_THAN_THEIR_COLUMN = """() => [...document.querySelectorAll("main table")]
    .map((t) => {
        const column = (t.closest("[role=region]") || t).parentElement;
        return [t.id, t.getBoundingClientRect().width, column.getBoundingClientRect().width];
    })
    .filter(([, table, column]) => table > column + 1)"""


def assert_layout(page: Page, width: int) -> None:
    problems = page.evaluate(LAYOUT)
    assert not problems, f"{page.url} at {width}px: {problems}"


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def test_the_report_of_a_round_with_suppressed_groups_reads_at_every_width(
    new_context, live_server
):
    for number in range(3):
        closed_round(live_server.url, name=f"Benchmark Trust {number}", year=YEARS[1],
                     self_assessment=every(4), answers=QUALIFYING)
    email = f"lead-{secrets.token_hex(4)}@example.org"
    with employer_api(live_server.url, name="Smallgroup Council", email=email) as api:
        answered_round(api, year=YEARS[0], self_assessment=every(3), answers=QUALIFYING)
        round_ = answered_round(api, year=YEARS[1], self_assessment={**every(4), 5: None},
                                answers={"nqsw": NQSWS, "line_manager": LINE_MANAGER})
    report_path = f"/rounds/{round_['id']}/report"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    checks = PageChecks()

    for width in WIDTHS:
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        sign_in(page, email)
        for path in ("/dashboard", f"/rounds/{round_['id']}", report_path, "/accessibility",
                     "/privacy"):
            page.goto(path)
            checks.titles.clear()  # the same pages again at another width
            checks.check(page)
            assert_layout(page, width)

        page.goto(report_path)
        text = page.locator("main").inner_text()
        assert "Only 1 line manager answered, so NQSWs and line managers are shown together" in text
        assert "Shown together with line managers, because only 1 line manager answered" in text
        assert "1 line manager\n" in text and "1 line managers" not in text
        assert f"Change since {YEARS[0]}" in text
        statement_5 = page.locator("#statement-5-figures").inner_text()
        assert "Not shown: fewer than 3 ratings" in statement_5
        if width == 1280:
            # The lead sees every column, change since last year included, without scrolling.
            assert page.evaluate(TABLES_WIDER_THAN_THEIR_COLUMN) == []
            assert page.locator("#theme-summary th", has_text="Change since").is_visible()
        page.set_viewport_size({"width": 375 if width == 320 else width, "height": 900})
        page.screenshot(path=SCREENSHOTS / f"report-{375 if width == 320 else width}.png",
                        full_page=True)

    assert (SCREENSHOTS / "report-375.png").stat().st_size > 0
    assert (SCREENSHOTS / "report-1280.png").stat().st_size > 0


def test_national_and_respondent_pages_fit_at_320_and_1280(new_context, live_server):
    email = f"lead-{secrets.token_hex(4)}@example.org"
    with employer_api(live_server.url, name="Narrowfield Council", email=email) as api:
        created = api.post("/rounds", json={
            "programme": "child_and_family", "year": "2023-24",
            "expected": {"nqsw": 4, "line_manager": 1, "other": 0}})
        assert created.status_code == 201, created.text
        opened = api.post(f"/rounds/{created.json()['id']}/open").json()
    link = opened["links"]["nqsw"]
    checks = PageChecks()

    for width in WIDTHS:
        checks.titles.clear()
        respondent = new_context(viewport={"width": width, "height": 800}).new_page()
        respondent.goto(link)
        checks.check(respondent)
        assert_layout(respondent, width)
        assert not respondent.locator("a[href='/sign-in'], a[href^='/api']").count()
        respondent.get_by_role("button", name="Start now").click()
        respondent.wait_for_url(re.compile(r".*/theme/1$"))
        respondent.get_by_role("button", name="Continue").click()
        checks.check(respondent)
        assert_layout(respondent, width)
        summary = respondent.locator(".govuk-error-summary a")
        assert summary.count() == 1  # one short message, not 7 identical links

        national = new_context(viewport={"width": width, "height": 800}).new_page()
        national.goto("/sign-in")
        national.get_by_label("Email address").fill(live_server.national_email)
        national.locator("#password").fill(live_server.national_password)
        national.get_by_role("button", name="Sign in").click()
        national.wait_for_url("**/national")
        checks.check(national)
        assert_layout(national, width)
