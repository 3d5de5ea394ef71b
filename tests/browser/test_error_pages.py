"""Error pages in the browser: a theme page sent with answers missing, an unknown address."""

import secrets

import pytest

from tests.browser.api import open_round
from tests.browser.checks import PageChecks

pytestmark = pytest.mark.browser

THEME_1 = range(1, 8)  # the 2019 set's theme 1, part 1 of 3: statements 1 to 7


def summary_links(page) -> list[dict]:
    """Each error summary link: its text, where it points and what is there."""
    return page.evaluate("""() => [...document.querySelectorAll(".govuk-error-summary__list a")]
        .map((a) => {
            const target = document.getElementById(a.getAttribute("href").slice(1));
            const name = target && target.name;
            const first = name && document.querySelector(`input[name="${name}"]`);
            return {
                text: a.textContent.trim(), href: a.getAttribute("href"),
                target: target && target.tagName.toLowerCase() + "[type=" + target.type + "]",
                isFirstRadio: !!target && target === first && target.type === "radio",
            };
        })""")


def send_the_page(page) -> None:
    """Continue, and wait for the page sent back to focus its error summary."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_role("button", name="Continue").click()
    page.wait_for_function("() => document.activeElement.matches('.govuk-error-summary')")


def summary_has_focus(page) -> bool:
    return page.evaluate(
        "() => document.activeElement === document.querySelector('.govuk-error-summary')"
    )


def test_a_theme_page_sent_with_answers_missing_focuses_a_summary_linking_to_each_first_radio(
    new_context, live_server
):
    round_ = open_round(live_server.url, name="Brookfield Fostering", year="2024-25")
    checks = PageChecks()
    page = new_context().new_page()
    page.goto(round_["links"]["nqsw"])
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/theme/1")
    checks.check(page)

    send_the_page(page)
    assert page.title().startswith("Error: ")
    assert summary_has_focus(page)
    # Nothing answered: one short message, not a list of identical links.
    links = summary_links(page)
    assert [link["href"] for link in links] == [f"#statement-{THEME_1[0]}"]
    assert all(link["isFirstRadio"] for link in links), links
    assert page.locator(".govuk-error-message").count() == len(THEME_1)
    checks.check(page)

    # Answer some: only the others are listed, and the answers given stay selected.
    for number in (1, 2, 5):
        page.locator(f"#statement-{number}").check()
    send_the_page(page)
    links = summary_links(page)
    assert [link["href"] for link in links] == [
        f"#statement-{n}" for n in THEME_1 if n not in (1, 2, 5)
    ]
    assert all(link["isFirstRadio"] for link in links), links
    assert all(page.locator(f"#statement-{n}").is_checked() for n in (1, 2, 5))

    # Following a link puts the keyboard on that statement's first radio.
    page.get_by_role("link", name=links[0]["text"]).click()
    assert page.evaluate("() => document.activeElement.id") == "statement-3"


def test_an_address_that_does_not_exist_shows_the_not_found_page(new_context):
    checks = PageChecks()
    page = new_context().new_page()

    response = page.goto("/no-such-page")
    assert response.status == 404
    assert page.title() == "Page not found – ASYE 360"
    assert page.locator("h1").inner_text() == "Page not found"
    checks.check(page)

    # A survey link that was never issued gets the same plain page, not a stack trace.
    response = page.goto(f"/survey/{secrets.token_urlsafe(24)}")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    checks.check(page, same_page_as="/no-such-page")
