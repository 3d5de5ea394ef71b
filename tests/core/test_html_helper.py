"""assert_good_page itself: it must catch what it promises to catch."""

import pytest
from starlette.responses import HTMLResponse

from tests.html import assert_good_page

GOOD_BODY = """
<a href="#main-content">Skip to main content</a>
<main id="main-content"><h1>Heading</h1>{}</main>
"""


def page(body: str, title: str = "A page – ASYE 360") -> HTMLResponse:
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en"><head><title>{title}</title></head>'
        f"<body>{GOOD_BODY.format(body)}</body></html>"
    )


def test_a_good_page_passes_and_returns_its_soup():
    soup = assert_good_page(
        page(
            '<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">'
            '<label for="email">Email</label><input id="email" name="email"></form>'
        ),
        title_contains="A page",
    )

    assert soup.h1.get_text() == "Heading"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('<input id="email" name="email">', "has no label"),
        ('<label for="nowhere">Email</label>', "points at no element"),
        ('<p id="a"></p><p id="a"></p>', "duplicate id"),
        ('<form method="post" action="/x"></form>', "no csrf_token"),
        (
            '<form method="post"><input type="hidden" name="csrf_token" value="t"></form>',
            "no action",
        ),
        ('<input id="a" aria-describedby="a-hint"><label for="a">A</label>', "aria-describedby"),
        ('<div class="govuk-error-summary"><a href="#missing">Fix</a></div>', "#missing"),
        ('<button onclick="go()">Go</button>', "inline handler"),
        ("<h1>Second heading</h1>", "exactly one <h1>"),
    ],
)
def test_a_bad_page_fails_naming_the_problem(body, problem):
    with pytest.raises(AssertionError, match=problem):
        assert_good_page(page(body))


def test_an_error_summary_needs_error_in_the_title():
    with pytest.raises(AssertionError, match='starting "Error: "'):
        assert_good_page(page('<div class="govuk-error-summary"></div>'))

    assert_good_page(page('<div class="govuk-error-summary"></div>', title="Error: A page"))


def test_a_page_without_its_own_title_fails():
    with pytest.raises(AssertionError, match="no page name"):
        assert_good_page(page("", title=" – ASYE 360"))
