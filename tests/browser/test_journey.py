"""The whole service in Chromium, as its people use it: from registering to the national results.

An employer registers, creates and opens a round; three NQSWs and a line manager answer through
their links (one with the keyboard alone, one on a phone-sized screen, one without JavaScript);
the employer completes the self-assessment, closes the round, reads the report and downloads it;
a national user reads the national results. Every page on the way passes PageChecks (axe-core at
WCAG 2.2 AA, a title of its own, visible focus), and the numbers shown are the ones the ratings
given make, on the page, in the PDF and in the CSV.

Three other organisations' closed rounds are made through the API first, so that benchmarks and
national averages (shown from 4 organisations: a reader inside a group needs 3 others) have
something to show.
"""

import csv
import io
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.api import STATEMENTS, Ratings, closed_round
from tests.browser.checks import PageChecks, active_element

# A PDF renders in about 2 s alone, but a CI machine running both workers beside PostgreSQL
# can take far longer: wait generously rather than fail a correct journey.
DOWNLOAD_TIMEOUT_MS = 90_000

pytestmark = pytest.mark.browser

ORGANISATION = "Harbourside Borough Council"
EMAIL = "asye.lead@harbourside.example.org"
PASSWORD = "harbourside lead password 2026"
PHONE = {"width": 375, "height": 740}
MAX_KEY_PRESSES = 400


def rate(score) -> Ratings:
    """Every statement rated `score(n)`."""
    return {n: score(n) for n in STATEMENTS}


# Each respondent's ratings (None: "I do not know"). With Tab, Space and Enter alone, the one
# answer a keyboard user can give to a radio group is its first, so the keyboard NQSW rates 1.
KEYBOARD_NQSW = rate(lambda n: 1)
PHONE_NQSW = rate(lambda n: 2 + n % 4)
NO_SCRIPT_NQSW = rate(lambda n: None if n == 5 else 4)
LINE_MANAGER = rate(lambda n: None if n == 7 else 3 + n % 3)
SELF_ASSESSMENT = rate(lambda n: 5 - n % 2)

# The three other organisations (made through the API): self-assessment, NQSWs, line managers.
OTHERS = {
    "Northgate Children's Trust": (
        rate(lambda n: 4),
        [rate(lambda n: 4), rate(lambda n: 5), rate(lambda n: 3 + n % 2)],
        [rate(lambda n: 4)],
    ),
    "Eastbrook Family Services": (
        rate(lambda n: 3),
        [rate(lambda n: 2), rate(lambda n: 3), rate(lambda n: 2 + n % 3)],
        [rate(lambda n: 2)],
    ),
    "Southfield Council": (
        rate(lambda n: 4),
        [rate(lambda n: 3), rate(lambda n: 4), rate(lambda n: 1 + n % 5)],
        [rate(lambda n: 5)],
    ),
}


def mean(scores) -> Fraction:
    given = [s for s in scores if s is not None]
    return Fraction(sum(given), len(given))


def shown(value: Fraction) -> str:
    """As the service displays an average: one decimal place, rounding half up."""
    return f"{math.floor(value * 10 + Fraction(1, 2)) / 10:.1f}"


def organisation_means(self_assessment: Ratings, *responses: Ratings) -> dict[int, Fraction]:
    return {n: mean([self_assessment[n], *(r[n] for r in responses)]) for n in STATEMENTS}


OUR_MEANS = organisation_means(
    SELF_ASSESSMENT, KEYBOARD_NQSW, PHONE_NQSW, NO_SCRIPT_NQSW, LINE_MANAGER
)
OTHER_MEANS = [
    organisation_means(own, *nqsws, *managers) for own, nqsws, managers in OTHERS.values()
]
EXPECTED_AVERAGES = {n: shown(OUR_MEANS[n]) for n in STATEMENTS}
EXPECTED_NATIONAL = {
    n: shown(mean([OUR_MEANS[n], *(means[n] for means in OTHER_MEANS)])) for n in STATEMENTS
}


@dataclass
class Round:
    id: int
    year: str
    links: dict[str, str] = field(default_factory=dict)


# Pages read the way a test reads them


def figure(text: str) -> str:
    """The number at the start of a cell such as "3.4 Amber"."""
    found = re.match(r"\s*(\d\.\d)", text)
    assert found, f"no average in {text!r}"
    return found.group(1)


def statement_rows(page: Page, tables: str) -> dict[int, tuple[str, list[str]]]:
    """Statement number → (row heading, texts of its cells), from the rows of `tables`."""
    rows = page.eval_on_selector_all(
        f"{tables} tbody tr",
        """(rows) => rows.map((row) => [
            row.querySelector("th").textContent.trim(),
            [...row.querySelectorAll("td")].map((td) => td.textContent.trim()),
        ])""",
    )
    return {int(heading.split(".")[0]): (heading, cells) for heading, cells in rows}


def statement_cards(page: Page) -> dict[int, tuple[str, dict[str, str]]]:
    """Statement number → (its heading, {row heading: cell text}) from the report's cards."""
    cards = page.eval_on_selector_all(
        "section.app-statement",
        """(cards) => cards.map((card) => [
            card.querySelector("h3").textContent.trim(),
            [...card.querySelectorAll("tbody tr")].map((row) => [
                row.querySelector("th").textContent.trim(),
                row.querySelector("td").textContent.trim().replace(/\\s+/g, " "),
            ]),
        ])""",
    )
    return {int(heading.split(".")[0]): (heading, dict(rows)) for heading, rows in cards}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_last_page(page: Page) -> bool:
    """Whether this theme page (or part of one) is the journey's last: "Page n of n"."""
    progress = page.locator("main .app-progress").inner_text()
    found = re.fullmatch(r"Page (\d+) of (\d+)", progress.strip())
    assert found, f"no 'Page n of N' progress: {progress!r}"
    return found.group(1) == found.group(2)


def wait_for_next_page(page: Page, last: bool, before: str) -> None:
    """After Continue on the page at `before` (read before the click, which may navigate at
    once): check answers after the last page, otherwise another theme page."""
    if last:
        page.wait_for_url(re.compile(r".*/check$"))
    else:
        page.wait_for_url(lambda url: url != before
                          and re.search(r"/theme/\d+(/part/\d+)?$", url) is not None)


def statements_on_page(page: Page) -> list[int]:
    names = page.eval_on_selector_all(
        "main input[type=radio]", "inputs => [...new Set(inputs.map((i) => i.name))]"
    )
    return [int(name.removeprefix("statement-")) for name in names]


def answer_label(score: int | None) -> str:
    return "I do not know" if score is None else str(score)


def assert_check_answers(page: Page, ratings: Ratings) -> None:
    values = page.locator("main .govuk-summary-list__value").all_inner_texts()
    shown_answers = [
        "I do not know" if v.strip() == "I do not know" else v.strip()[:1] for v in values
    ]
    assert shown_answers == [answer_label(ratings[n]) for n in STATEMENTS]


# The respondent's (and the self-assessment's) pages, with a mouse or a finger


def answer_themes_with_pointer(
    page: Page, checks: PageChecks, ratings: Ratings, **check_options
) -> None:
    """From the first theme page to check answers: rate each statement, Continue."""
    while True:
        last, before = is_last_page(page), page.url
        checks.check(page, **check_options)
        for statement in statements_on_page(page):
            value = "dont_know" if ratings[statement] is None else str(ratings[statement])
            page.locator(f'input[name="statement-{statement}"][value="{value}"]').check()
        page.get_by_role("button", name="Continue").click()
        wait_for_next_page(page, last, before)
        if last:
            return


def respond_with_pointer(
    page: Page, checks: PageChecks, link: str, ratings: Ratings, **check_options
) -> None:
    page.goto(link)
    checks.check(page, **check_options)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r".*/theme/1$"))
    answer_themes_with_pointer(page, checks, ratings, **check_options)
    checks.check(page, **check_options)
    assert_check_answers(page, ratings)
    page.get_by_role("button", name="Send your answers").click()
    page.wait_for_url(re.compile(r".*/done$"))
    checks.check(page, **check_options)
    assert page.locator("h1").inner_text() == "Your answers have been sent"


# The keyboard alone: Tab, Space and Enter


def press_tab_until(page: Page, wanted, what: str) -> dict:
    """Tab until `wanted(active element)`; the element already focused counts."""
    for _ in range(MAX_KEY_PRESSES):
        current = active_element(page)
        if current is not None and wanted(current):
            return current
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {what} on {page.url}")


def respond_with_keyboard(page: Page, checks: PageChecks, link: str) -> Ratings:
    """Answer every statement with Tab, Space and Enter only; return the answers given."""
    page.goto(link)
    checks.check(page)  # leaves focus where Tab from the top first enters <main>
    press_tab_until(page, lambda e: e["text"] == "Start now", "the Start now button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/theme/1$"))

    given: Ratings = {}
    while True:
        last, before = is_last_page(page), page.url
        checks.check(page)
        statements = set(statements_on_page(page))
        while True:
            current = press_tab_until(
                page,
                lambda e: (
                    (e["type"] == "radio" and not e["checked"])
                    or (e["tag"] == "button" and e["text"] == "Continue")
                ),
                "a radio group or the Continue button",
            )
            if current["tag"] == "button":
                break
            page.keyboard.press("Space")
            assert active_element(page)["checked"], f"Space did not select {current}"
            given[int(current["name"].removeprefix("statement-"))] = int(current["value"])
        assert statements <= set(given), f"Tab skipped statements {statements - set(given)}"
        page.keyboard.press("Enter")
        wait_for_next_page(page, last, before)
        if last:
            break

    checks.check(page)
    assert_check_answers(page, given)
    press_tab_until(page, lambda e: e["text"] == "Send your answers", "the Send button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/done$"))
    checks.check(page)
    return given


# The journey


def test_an_employer_runs_a_round_from_registration_to_the_national_results(
    new_context, live_server
):
    checks = PageChecks()
    employer = new_context().new_page()

    round_ = register_and_create_a_round(employer, checks)
    for name, (own, nqsws, managers) in OTHERS.items():
        closed_round(
            live_server.url,
            name=name,
            year=round_.year,
            self_assessment=own,
            answers={"nqsw": nqsws, "line_manager": managers},
        )
    # Rule 15: the three organisations count only once the national team approves them.
    approve_the_organisations(new_context().new_page(), checks, live_server, count=3)
    open_the_round(employer, checks, round_)

    keyboard = new_context().new_page()
    assert respond_with_keyboard(keyboard, checks, round_.links["nqsw"]) == KEYBOARD_NQSW
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    respond_with_pointer(phone, checks, round_.links["nqsw"], PHONE_NQSW, fits_width=True)
    no_script = new_context(java_script_enabled=False).new_page()
    respond_with_pointer(no_script, checks, round_.links["nqsw"], NO_SCRIPT_NQSW)
    assert no_script.evaluate("() => document.body.classList.contains('js-enabled')") is False
    line_manager = new_context().new_page()
    respond_with_pointer(line_manager, checks, round_.links["line_manager"], LINE_MANAGER)

    complete_the_self_assessment(employer, checks, round_)
    close_the_round(employer, checks, round_)

    # A link of a closed round gets its own plain page.
    late = new_context().new_page()
    late.goto(round_.links["nqsw"])
    checks.check(late)
    assert "closed" in late.locator("h1").inner_text().lower()

    read_and_download_the_report(employer, checks, round_)
    read_the_national_results(new_context().new_page(), checks, live_server, round_)
    print("Pages checked:", *checks.visited, sep="\n  ")


def register_and_create_a_round(page: Page, checks: PageChecks) -> Round:
    page.goto("/")
    checks.check(page)
    page.get_by_role("button", name="Register your organisation").click()
    page.wait_for_url("**/register")
    checks.check(page)

    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_role("radio", name="Local authority").check()
    page.get_by_role("radio", name="London").check()
    page.get_by_label("Teaching Partnership").select_option(
        label="South London Teaching Partnership"
    )
    page.get_by_role("checkbox", name="Child and family").check()
    page.get_by_label("Email address").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/dashboard?registered=yes")
    checks.check(page)
    assert ORGANISATION in page.locator("main").inner_text()
    assert f"{ORGANISATION} is registered" in page.locator(
        ".govuk-notification-banner--success").inner_text()

    page.get_by_role("button", name="Create a round").click()
    page.wait_for_url("**/rounds/new")
    checks.check(page)
    page.get_by_role("radio", name="Child and family").check()
    year = page.get_by_label("Academic year").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}", year), year
    page.get_by_label("NQSWs").fill("4")
    page.get_by_label("Line managers").fill("2")
    page.get_by_label("Others").fill("0")
    page.get_by_role("button", name="Create round").click()
    page.wait_for_url(re.compile(r".*/rounds/\d+$"))
    checks.check(page)
    assert "Not open yet" in page.locator("main").inner_text()
    return Round(id=int(page.url.rsplit("/", 1)[-1]), year=year)


def open_the_round(page: Page, checks: PageChecks, round_: Round) -> None:
    page.get_by_role("button", name="Open the round").click()
    page.wait_for_selector("#link-nqsw")
    checks.check(page)
    for respondent_type in ("nqsw", "line_manager", "other"):
        link = page.locator(f"#link-{respondent_type}").inner_text().strip()
        assert link.startswith(f"{page.url.split('/rounds/')[0]}/survey/"), link
        round_.links[respondent_type] = link


def complete_the_self_assessment(page: Page, checks: PageChecks, round_: Round) -> None:
    page.goto(f"/rounds/{round_.id}")
    checks.check(page)
    answers = page.locator("main table").first.inner_text()
    assert re.search(r"NQSW\s+3\b", answers) and re.search(r"Line manager\s+1\b", answers), answers

    page.get_by_role("link", name="Complete your self-assessment").click()
    page.wait_for_url(f"**/rounds/{round_.id}/self-assessment")
    checks.check(page)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r".*/theme/1$"))
    answer_themes_with_pointer(page, checks, SELF_ASSESSMENT)
    checks.check(page)
    assert_check_answers(page, SELF_ASSESSMENT)
    page.get_by_role("button", name="Save your self-assessment").click()
    page.wait_for_url(f"**/rounds/{round_.id}?saved=self-assessment")
    checks.check(page)
    assert "Your self-assessment has been saved" in page.locator("main").inner_text()
    assert "Change your self-assessment" in page.locator("main").inner_text()


def close_the_round(page: Page, checks: PageChecks, round_: Round) -> None:
    page.get_by_role("button", name="Close the round").click()
    page.wait_for_url(f"**/rounds/{round_.id}/close")
    checks.check(page)
    page.locator("main form").get_by_role("button", name="Close the round").click()
    page.wait_for_url(f"**/rounds/{round_.id}")
    checks.check(page)
    assert "Closed" in page.locator("main").inner_text()


def read_and_download_the_report(page: Page, checks: PageChecks, round_: Round) -> None:
    page.get_by_role("link", name="Read the report").click()
    page.wait_for_url(f"**/rounds/{round_.id}/report")
    checks.check(page)
    assert ORGANISATION in page.locator("main").inner_text()

    cards = statement_cards(page)
    averages = {n: figure(rows["Your organisation"]) for n, (_, rows) in cards.items()}
    assert averages == EXPECTED_AVERAGES
    national = {n: figure(rows["National"]) for n, (_, rows) in cards.items()}
    assert national == EXPECTED_NATIONAL
    themes = page.eval_on_selector_all(
        "#theme-summary tbody tr",
        "rows => rows.map((r) => r.querySelector('td').textContent.trim())",
    )
    assert len(themes) == 4
    assert all(re.fullmatch(r"\d\.\d (Red|Amber|Green)", t) for t in themes), themes

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        page.get_by_role("link", name="Download the report as a PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:20]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert ORGANISATION in re.sub(r"\s+", " ", text)
    # Compared without whitespace, as the PDF wraps lines where the page does not.
    in_pdf = squeeze(text)
    for theme in themes:
        assert squeeze(theme) in in_pdf, f"the PDF does not show {theme!r}"
    for number, (heading, rows) in cards.items():
        own = "Your organisation" + rows["Your organisation"]
        assert squeeze(heading) in in_pdf and squeeze(own) in in_pdf, (
            f"the PDF does not show statement {number}'s average {own!r}"
        )

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        page.get_by_role("link", name="Download the figures as a spreadsheet (CSV)").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert dict(csv.reader(lines[:lines.index("")]))["Organisation"] == ORGANISATION
    table = list(csv.DictReader(lines[lines.index("") + 1:]))
    for group, expected in (("organisation", averages), ("national", national)):
        shown = {int(row["statement"]): row["average"] for row in table if row["group"] == group}
        assert shown == expected


def sign_in_as_national(page: Page, checks: PageChecks, server) -> None:
    page.goto("/sign-in")
    checks.check(page)
    page.get_by_label("Email address").fill(server.national_email)
    page.locator("#password").fill(server.national_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/national")
    checks.check(page)


QUEUE_TIMEOUT_MS = 15_000  # a loaded machine is slow to answer an approval


def approve_the_organisations(page: Page, checks: PageChecks, server, *, count: int) -> None:
    """A national user approves every organisation waiting, from the approval queue."""
    sign_in_as_national(page, checks, server)
    page.get_by_role("link", name="Organisations", exact=True).click()
    page.wait_for_url("**/national/organisations")
    checks.check(page)
    page.get_by_role("link", name="Organisations waiting for approval").click()
    page.wait_for_url("**/national/approvals")
    approve = page.get_by_role("button", name=re.compile(r"^Approve "))
    # At least the journey's own organisations wait; other browser tests on the same server may
    # have left theirs waiting too: approve every one.
    expect(approve.first).to_be_visible(timeout=QUEUE_TIMEOUT_MS)
    waiting_at_first = approve.count()
    assert waiting_at_first >= count
    for waiting in range(waiting_at_first, 0, -1):
        # The queue reloads after each approval: wait for it to show one fewer (a loaded
        # machine may still be showing the page before the click).
        expect(approve).to_have_count(waiting, timeout=QUEUE_TIMEOUT_MS)
        checks.check(page)
        approve.first.click()
    expect(page.locator("#none-waiting")).to_be_visible(timeout=QUEUE_TIMEOUT_MS)
    checks.check(page)


def read_the_national_results(page: Page, checks: PageChecks, server, round_: Round) -> None:
    sign_in_as_national(page, checks, server)

    page.get_by_label("Year", exact=True).select_option(round_.year)
    page.get_by_label("Programme", exact=True).select_option(label="Child and family")
    page.get_by_role("button", name="Show results").click()
    page.wait_for_url(re.compile(rf".*/national\?.*year={round_.year}.*"))
    checks.check(page)
    assert page.title() == f"National results: Child and family {round_.year} – ASYE 360"

    qualifying = page.locator("#participation-qualifying td").first.inner_text()
    assert qualifying.strip() == str(len(OTHERS) + 1)  # the others and the journey's own
    averages = {
        n: figure(cells[0])
        for n, (_, cells) in statement_rows(page, "table[id$='-national']").items()
    }
    assert averages == EXPECTED_NATIONAL

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        page.get_by_role("link", name="Download these results as a spreadsheet (CSV)").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    header = dict(csv.reader(lines[:lines.index("")]))
    assert header["Organisations qualifying"] == qualifying.strip()
    table = list(csv.DictReader(lines[lines.index("") + 1:]))
    assert {int(row["Statement"]): row["National average"] for row in table} == averages
