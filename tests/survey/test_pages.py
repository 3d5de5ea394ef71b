"""The respondent journey through the pages, without JavaScript, checking each page's HTML."""

import logging

import pytest

from app.config import get_settings
from app.survey.codes import create_codes
from app.survey.drafts import DRAFT_COOKIE
from tests.builders import (
    close_and_read_ratings,
    count_stored,
    make_survey_round,
    packed_and_rated,
    set_status,
    statement_set,
)
from tests.html import assert_good_page

THEME_SIZES = [19, 5, 2, 6]
# Theme 1's 19 statements in parts of at most 8, as even as can be: 7, 6 and 6.
THEME_1_PARTS = [range(1, 8), range(8, 14), range(14, 20)]


def page(response, status=200, title=None):
    """Every survey page: well formed, never cached, never tells another site where it was."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    return assert_good_page(response, title_contains=title)


def checked(soup, number):
    """The value of the radio selected for a statement, or None."""
    radio = soup.select_one(f'input[name="statement-{number}"][checked]')
    return radio["value"] if radio else None


def csrf(soup):
    return soup.select_one('input[name="csrf_token"]')["value"]


def answers_for(theme_number, score="4", **overrides):
    """The form fields of one theme, every statement answered `score` unless overridden."""
    theme = statement_set().themes[theme_number - 1]
    fields = {f"statement-{s.number}": score for s in theme.statements}
    fields.update({f"statement-{k.removeprefix('s')}": v for k, v in overrides.items()})
    return {k: v for k, v in fields.items() if v is not None}


def answer_theme(client, base, number, **overrides):
    """Answer every part of a theme in turn, following "Continue" while it stays in the theme;
    the last response (or the first that is not a redirect, e.g. a page of errors)."""
    url = f"{base}/theme/{number}"
    while True:
        soup = page(client.get(url))
        response = client.post(url, follow_redirects=False,
                               data={"csrf_token": csrf(soup), **answers_for(number, **overrides)})
        location = response.headers.get("location", "")
        if response.status_code != 303 or not location.startswith(f"{base}/theme/{number}/"):
            return response
        url = location


def answer_everything(client, base):
    for number in range(1, 5):
        assert answer_theme(client, base, number).status_code == 303


def send(client, base):
    soup = page(client.get(f"{base}/check"), title="Check your answers")
    return client.post(f"{base}/check", data={"csrf_token": csrf(soup)}, follow_redirects=False)


def test_the_start_page_says_what_this_is_and_exactly_what_is_stored(client, session):
    made = make_survey_round(session)

    soup = page(client.get(f"/survey/{made.links['line_manager']}"),
                title="Evaluate the ASYE programme at Riverside Council")

    text = soup.get_text(" ", strip=True)
    assert "Child and family programme, 2025-26" in text
    assert "You are answering as: Line manager" in text
    assert "32 statements in 4 themes" in text and "about 10 minutes" in text
    assert "anonymous" in text
    assert "We do not store your name, email address, internet (IP) address" in text
    start = soup.select_one("a.govuk-button--start")
    assert start["href"] == f"/survey/{made.links['line_manager']}/theme/1"
    assert soup.select_one(".govuk-notification-banner") is None


def test_the_whole_journey_stores_one_anonymous_response(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    page(client.get(base))

    # Theme 1, part 1: one fieldset per statement, the statement as its legend, nothing
    # selected; its 19 statements are in three parts, this one the first 7.
    soup = page(client.get(f"{base}/theme/1"), title="Theme 1, part 1 of 3")
    assert soup.select_one(".govuk-caption-l").get_text(strip=True) == "Theme 1, part 1 of 3"
    assert soup.select_one(".app-progress").get_text(strip=True) == "Page 1 of 6"
    assert soup.h1.get_text(strip=True) == statement_set().themes[0].title
    assert soup.select_one(".govuk-back-link")["href"] == base
    assert soup.select_one("form")["action"] == f"{base}/theme/1"
    fieldsets = soup.select("fieldset")
    assert len(fieldsets) == 7
    first = fieldsets[0]
    statement = statement_set().statements[0]
    assert first.legend.get_text().strip() == f"1. {statement.text}"
    # Abbreviations are expanded where they first appear in a statement.
    assert {abbr.get_text(): abbr["title"] for abbr in first.legend.select("abbr")} == {
        "NQSWs": "newly qualified social worker",
        "ASYE": "Assessed and Supported Year in Employment"}
    radios = first.select("input[type=radio]")
    assert [r["value"] for r in radios] == ["1", "2", "3", "4", "5", "dont_know"]
    assert radios[0]["id"] == "statement-1"
    labels = [soup.select_one(f'label[for="{r["id"]}"]').get_text(strip=True) for r in radios]
    assert labels == ["1 – Significant development needed", "2 – Development needed",
                      "3 – Working well", "4 – Strength", "5 – Exceptional strength",
                      "I do not know"]
    assert first.select_one(".govuk-radios__divider").get_text(strip=True) == "or"
    assert not soup.select("input[type=radio][checked]")
    assert not soup.select("table")  # no grid

    # Every page in turn, each "Continue" going to the next (theme 1's parts, then the other
    # themes), the last to check answers.
    redirects = []
    url = f"{base}/theme/1"
    while url != f"{base}/check":
        soup = page(client.get(url))
        number = int(url.split("/theme/")[1].split("/")[0])
        overrides = {"s20": "dont_know"} if number == 2 else {}
        response = client.post(url, follow_redirects=False,
                               data={"csrf_token": csrf(soup), **answers_for(number, **overrides)})
        assert response.status_code == 303
        url = response.headers["location"]
        redirects.append(url)
    assert redirects == [f"{base}/theme/1/part/2", f"{base}/theme/1/part/3", f"{base}/theme/2",
                         f"{base}/theme/3", f"{base}/theme/4", f"{base}/check"]
    assert count_stored(session).responses == 0  # nothing is stored before sending

    # Check answers: grouped by theme, every statement with its answer and a Change link.
    soup = page(client.get(f"{base}/check"), title="Check your answers before sending them")
    lists = soup.select("dl.govuk-summary-list")
    assert [len(dl.select(".govuk-summary-list__row")) for dl in lists] == THEME_SIZES
    headings = [h.get_text(strip=True) for h in soup.select("h2.govuk-heading-m")]
    assert headings[:4] == [f"Theme {t.number}: {t.title}" for t in statement_set().themes]
    values = [v.get_text(strip=True) for v in soup.select(".govuk-summary-list__value")]
    assert values[0] == "4 – Strength" and values[19] == "I do not know"
    change = soup.select(".govuk-summary-list__actions a")[19]
    assert change["href"] == f"{base}/theme/2?return=check#statement-20-question"
    assert change.get_text(" ", strip=True) == "Change your answer to statement 20"
    assert soup.select_one(".govuk-back-link")["href"] == f"{base}/theme/4"
    button = soup.select_one("form button")
    assert button.get_text(strip=True) == "Send your answers"
    assert soup.select_one("form")["action"] == f"{base}/check"

    # Change one answer: the page shows what was chosen and goes back to check answers.
    soup = page(client.get(change["href"].split("#")[0]))
    assert checked(soup, 20) == "dont_know"
    assert soup.select_one(".govuk-back-link")["href"] == f"{base}/check"
    assert soup.select_one("form")["action"] == f"{base}/theme/2?return=check"
    changed = client.post(soup.select_one("form")["action"], follow_redirects=False,
                          data={"csrf_token": csrf(soup), **answers_for(2, s20="2")})
    assert changed.headers["location"] == f"{base}/check"
    soup = page(client.get(f"{base}/check"))
    assert soup.select(".govuk-summary-list__value")[19].get_text(strip=True) == (
        "2 – Development needed")

    # Send: stored once, the draft cookie deleted, then the confirmation.
    sent = send(client, base)
    assert sent.status_code == 303 and sent.headers["location"] == f"{base}/done"
    [deleted] = [c for c in sent.headers.get_list("set-cookie") if c.startswith(DRAFT_COOKIE)]
    assert "Max-Age=0" in deleted and client.cookies.get(DRAFT_COOKIE) is None
    assert count_stored(session) == (1, 32, 0)
    assert packed_and_rated(session, made.round.id)[1] == 0  # packed until the round closes

    soup = page(client.get(f"{base}/done"), title="Your answers have been sent")
    assert soup.select_one(".govuk-panel__title").get_text(strip=True) == (
        "Your answers have been sent")

    # Coming back: a notice, but someone else on this computer can still answer.
    soup = page(client.get(base))
    assert "already been sent from this browser" in soup.select_one(
        ".govuk-notification-banner").get_text(" ", strip=True)
    start = soup.select_one("a.govuk-button--start")["href"]
    assert start == f"{base}/theme/1?again=true"
    soup = page(client.get(start), title="Theme 1, part 1 of 3")
    assert client.post(f"{base}/theme/1", follow_redirects=False,
                       data={"csrf_token": csrf(soup), **answers_for(1)}).status_code == 303
    for number in range(1, 5):
        assert answer_theme(client, base, number).status_code == 303
    assert send(client, base).status_code == 303
    assert count_stored(session).responses == 2

    # Closing the round turns the packed answers into exactly the ratings chosen on the pages.
    first, second = sorted(close_and_read_ratings(session, made.round.id),
                           key=lambda r: r[20])
    assert first[20] == 2 and first[1] == 4 and set(first.values()) == {2, 4}
    assert set(second.values()) == {4}


def test_unanswered_statements_are_listed_and_linked_to_their_first_radio(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    url = f"{base}/theme/1/part/2"  # statements 8–13
    soup = page(client.get(url))

    response = client.post(url, data={"csrf_token": csrf(soup),
                                      **answers_for(1, s3=None, s10=None, s11="9", s12=None)})

    soup = page(response, status=422, title="Error: ")
    links = soup.select(".govuk-error-summary a")
    # Only this part's statements are asked, so statement 3 (part 1) is no error here.
    assert [a["href"] for a in links] == ["#statement-10", "#statement-11", "#statement-12"]
    assert links[0].get_text(strip=True) == (
        "Select a rating for statement 10, or select ‘I do not know’")
    for link in links:  # each lands on the statement's first radio
        target = soup.select_one(link["href"])
        assert target.name == "input" and target["value"] == "1"
    assert len(soup.select(".govuk-error-message")) == 3
    # What was chosen is kept, and the answered statements are kept in the draft too.
    assert (checked(soup, 8), checked(soup, 10)) == ("4", None)
    soup = page(client.get(url))
    assert (checked(soup, 9), checked(soup, 10)) == ("4", None)
    assert checked(page(client.get(f"{base}/theme/1")), 1) is None  # part 1 not yet answered


def test_a_theme_sent_with_nothing_answered_gets_one_short_message_not_a_list(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    soup = page(client.get(f"{base}/theme/1"))

    response = client.post(f"{base}/theme/1", data={"csrf_token": csrf(soup)})

    soup = page(response, status=422, title="Error: ")
    links = soup.select(".govuk-error-summary a")
    assert [(a["href"], a.get_text(strip=True)) for a in links] == [
        ("#statement-1", "Select a rating for each statement, or select ‘I do not know’")]
    # Each statement of the part (not of the whole theme) still says what it needs.
    assert len(soup.select(".govuk-error-message")) == len(THEME_1_PARTS[0])


def test_change_links_land_on_the_statement_fieldset_with_its_legend(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    answer_everything(client, base)

    soup = page(client.get(f"{base}/check"), title="Check your answers")

    change = soup.select_one('a[href*="/theme/2?return=check"]')
    path, anchor = change["href"].split("#")
    target = page(client.get(path)).select_one(f"#{anchor}")
    assert target.name == "fieldset" and target.legend.get_text().strip().startswith("20. ")
    # In a theme in parts, each statement's Change link goes to its own part.
    changes = soup.select(".govuk-summary-list__actions a")
    for part, numbers in enumerate(THEME_1_PARTS, start=1):
        expected = f"{base}/theme/1" + (f"/part/{part}" if part > 1 else "")
        for number in numbers:
            assert changes[number - 1]["href"] == (
                f"{expected}?return=check#statement-{number}-question")
    path, anchor = changes[8]["href"].split("#")
    shown = page(client.get(path))
    assert shown.select_one(f"#{anchor}").legend.get_text().strip().startswith("9. ")
    assert shown.select_one(".govuk-caption-l").get_text(strip=True) == "Theme 1, part 2 of 3"
    # Saving that part goes straight back to check answers, not to part 3.
    saved = client.post(path, follow_redirects=False,
                        data={"csrf_token": csrf(shown), **answers_for(1, s9="1")})
    assert saved.headers["location"] == f"{base}/check"


def test_back_after_sending_says_the_answers_were_already_sent(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    answer_everything(client, base)
    assert send(client, base).status_code == 303

    soup = page(client.get(f"{base}/theme/4"), title="You have already sent your answers")

    assert not soup.select("input[type=radio]")
    again = soup.select_one("main a")["href"]
    assert again == f"{base}/theme/4?again=true"
    assert page(client.get(again)).select("input[type=radio]")
    # A later part of a theme offers to answer again from that same part.
    client.cookies.delete(DRAFT_COOKIE)
    soup = page(client.get(f"{base}/theme/1/part/2"), title="You have already sent your answers")
    assert soup.select_one("main a")["href"] == f"{base}/theme/1/part/2?again=true"
    assert count_stored(session).responses == 1


def test_respondent_pages_offer_no_sign_in_or_api_links(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"

    for path in (base, f"{base}/theme/1", "/survey/code"):
        hrefs = [a["href"] for a in page(client.get(path)).select("a[href]")]
        assert not [h for h in hrefs if h.startswith(("/sign-in", "/api"))], (path, hrefs)
    assert "/sign-in" in [a["href"] for a in assert_good_page(client.get("/")).select("a")]


def test_check_answers_sends_back_to_the_first_theme_with_a_missing_answer(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    answer_theme(client, base, 1)
    answer_theme(client, base, 2)

    response = client.get(f"{base}/check", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, f"{base}/theme/3")
    soup = page(client.get(f"{base}/theme/2"))
    posted = client.post(f"{base}/check", data={"csrf_token": csrf(soup)}, follow_redirects=False)
    assert posted.headers["location"] == f"{base}/theme/3"
    assert count_stored(session).responses == 0
    # A gap in a later part of a theme sends back to that part.
    other = f"/survey/{made.links['line_manager']}"
    for url in (f"{other}/theme/1", f"{other}/theme/1/part/2", f"{other}/theme/2",
                f"{other}/theme/3", f"{other}/theme/4"):
        soup = page(client.get(url))
        number = int(url.split("/theme/")[1].split("/")[0])
        client.post(url, data={"csrf_token": csrf(soup), **answers_for(number)})
    response = client.get(f"{other}/check", follow_redirects=False)
    assert response.headers["location"] == f"{other}/theme/1/part/3"


def test_a_double_click_on_send_stores_once(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    answer_everything(client, base)
    soup = page(client.get(f"{base}/check"))
    draft = client.cookies.get(DRAFT_COOKIE)

    first = client.post(f"{base}/check", data={"csrf_token": csrf(soup)}, follow_redirects=False)
    # The second click left the browser before the first answer came back: same cookie.
    client.cookies.set(DRAFT_COOKIE, draft, domain="testserver.local", path=base)
    second = client.post(f"{base}/check", data={"csrf_token": csrf(soup)}, follow_redirects=False)

    assert first.headers["location"] == second.headers["location"] == f"{base}/done"
    assert count_stored(session) == (1, 32, 0)


def test_the_draft_cookie_is_signed_scoped_to_the_link_and_hidden_from_scripts(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"

    response = answer_theme(client, base, 1)

    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(DRAFT_COOKIE)]
    attributes = cookie.lower()
    assert f"path={base.lower()}" in attributes
    assert "httponly" in attributes and "samesite=lax" in attributes
    # It expires with the round, and within a day (tests/anonymity/test_draft_expiry.py).
    max_age = int(attributes.split("max-age=", 1)[1].split(";", 1)[0])
    assert 0 < max_age <= 24 * 60 * 60 and "expires=" in attributes

    client.cookies.set(DRAFT_COOKIE, "forged", domain="testserver.local", path=base)
    soup = page(client.get(f"{base}/theme/1"))
    assert not soup.select("input[type=radio][checked]")


def test_an_unknown_link_gets_the_not_found_page(client, session):
    make_survey_round(session)

    for path in ("", "/theme/1", "/check"):
        soup = page(client.get(f"/survey/not-a-real-token{path}"), status=404,
                    title="Page not found")
        assert "ask the person who sent it to check the link" in soup.get_text(" ", strip=True)


def test_a_theme_that_does_not_exist_is_not_found(client, session):
    made = make_survey_round(session)

    for path in ("0", "5", "1/part/0", "1/part/4", "2/part/2"):
        page(client.get(f"/survey/{made.token}/theme/{path}"), status=404)


def test_every_page_says_where_it_is_and_goes_back_through_the_parts(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    pages = [(f"{base}/theme/1", "Theme 1, part 1 of 3", base),
             (f"{base}/theme/1/part/2", "Theme 1, part 2 of 3", f"{base}/theme/1"),
             (f"{base}/theme/1/part/3", "Theme 1, part 3 of 3", f"{base}/theme/1/part/2"),
             (f"{base}/theme/2", "Theme 2 of 4", f"{base}/theme/1/part/3"),
             (f"{base}/theme/3", "Theme 3 of 4", f"{base}/theme/2"),
             (f"{base}/theme/4", "Theme 4 of 4", f"{base}/theme/3")]

    for index, (url, caption, back) in enumerate(pages, start=1):
        soup = page(client.get(url), title=caption)
        assert soup.select_one(".app-progress").get_text(strip=True) == f"Page {index} of 6"
        assert soup.select_one(".govuk-caption-l").get_text(strip=True) == caption
        assert soup.select_one(".govuk-back-link")["href"] == back
        assert soup.select_one("form")["action"] == url
    # Every statement is asked on exactly one page.
    asked = [int(f["id"].split("-")[1]) for url, _, _ in pages
             for f in page(client.get(url)).select("fieldset")]
    assert asked == list(range(1, 33))


def test_a_closed_round_gets_its_own_page_everywhere(client, session):
    made = make_survey_round(session, status="closed")
    base = f"/survey/{made.token}"

    for path in ("", "/theme/1", "/check"):
        soup = page(client.get(base + path), status=410, title="This evaluation has closed")
        assert soup.h1.get_text(strip=True) == "This evaluation has closed"


def test_a_round_closed_mid_journey_refuses_the_answers_and_stores_nothing(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    answer_everything(client, base)
    soup = page(client.get(f"{base}/check"))
    set_status(session, made, "closed")

    response = client.post(f"{base}/check", data={"csrf_token": csrf(soup)})

    # Rule 12: the page says plainly that these answers were not recorded (it used to say
    # "if you sent your answers before it closed, they have been counted").
    soup = page(response, status=410, title="Your answers were not recorded")
    assert "have not been stored and they will not be counted" in soup.get_text(" ")
    assert "have been counted" not in soup.get_text(" ")
    assert count_stored(session).responses == 0


def test_sending_past_the_per_link_ceiling_keeps_the_answers_to_send_later(
    client, session, monkeypatch
):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    answer_everything(client, base)
    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 0)

    response = send(client, base)

    soup = page(response, status=429, title="too many attempts")
    assert "Too many answers were sent with this link" in soup.get_text(" ", strip=True)
    assert count_stored(session).responses == 0
    assert client.cookies.get(DRAFT_COOKIE) is not None
    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 600)
    assert send(client, base).headers["location"] == f"{base}/done"
    assert count_stored(session).responses == 1


def test_a_draft_round_says_it_has_not_started(client, session):
    made = make_survey_round(session, status="draft")

    soup = page(client.get(f"/survey/{made.token}"), status=409,
                title="This evaluation has not started yet")
    assert "once your employer opens the evaluation" in soup.get_text(" ", strip=True)


def test_a_form_without_its_csrf_token_is_refused(client, session):
    made = make_survey_round(session)
    base = f"/survey/{made.token}"
    page(client.get(base))

    response = client.post(f"{base}/theme/1", data=answers_for(1))

    page(response, status=403)
    assert client.cookies.get(DRAFT_COOKIE) is None


def test_done_without_having_sent_goes_back_to_the_start(client, session):
    made = make_survey_round(session)

    response = client.get(f"/survey/{made.token}/done", follow_redirects=False)

    assert response.headers["location"] == f"/survey/{made.token}"


def test_the_code_journey_stores_one_response_and_then_the_code_is_used(client, session):
    made = make_survey_round(session)
    [code] = create_codes(session=session, round_id=made.round.id, respondent_type="other",
                          count=1)

    soup = page(client.get("/survey/code"), title="Enter your code")
    assert soup.select_one('label[for="code"]').get_text(strip=True) == "Enter your code"
    response = client.post("/survey/code", follow_redirects=False,
                           data={"csrf_token": csrf(soup), "code": code.lower().replace("-", " ")})
    assert response.headers["location"] == "/survey/code/start"

    soup = page(client.get("/survey/code/start"), title="Riverside Council")
    assert "You are answering as: Other" in soup.get_text(" ", strip=True)
    assert soup.select_one("a.govuk-button--start")["href"] == "/survey/code/theme/1"
    soup = page(client.get("/survey/code/theme/1"))
    assert soup.select_one(".govuk-back-link")["href"] == "/survey/code/start"
    answer_everything(client, "/survey/code")
    sent = send(client, "/survey/code")
    assert sent.headers["location"] == "/survey/code/done"
    page(client.get("/survey/code/done"), title="Your answers have been sent")
    assert count_stored(session) == (1, 32, 1)
    assert client.cookies.get(DRAFT_COOKIE) is None  # the code left the browser with the draft

    # Entering it again opens the survey as any code does (rule 11: entering a code never tells
    # whether it was used); only sending answers with it says so, and stores nothing.
    soup = page(client.get("/survey/code"))
    again = client.post("/survey/code", data={"csrf_token": csrf(soup), "code": code})
    page(again, title="Riverside Council")
    answer_everything(client, "/survey/code")
    used = send(client, "/survey/code")
    page(used, status=410, title="This code has already been used")
    assert count_stored(session) == (1, 32, 1)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter your code"),
     ("ABC", "Code must be 12 letters and numbers"),
     ("AAAA-BBBB-CCCC", "There is no evaluation with this code")],
)
def test_a_wrong_code_is_shown_again_with_its_error(client, session, typed, message):
    made = make_survey_round(session)
    create_codes(session=session, round_id=made.round.id, respondent_type="nqsw", count=2)
    soup = page(client.get("/survey/code"))

    response = client.post("/survey/code", data={"csrf_token": csrf(soup), "code": typed})

    soup = page(response, status=422, title="Error: Enter your code")
    link = soup.select_one(".govuk-error-summary a")
    assert link["href"] == "#code" and message in link.get_text(strip=True)
    assert soup.select_one("#code")["value" if typed else "name"] == (typed or "code")


def test_a_flood_of_codes_from_one_address_meets_the_ceiling(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 2)
    soup = page(client.get("/survey/code"))

    statuses = [client.post("/survey/code", data={"csrf_token": csrf(soup), "code": "ABC"})
                for _ in range(3)]

    assert [r.status_code for r in statuses] == [422, 422, 429]
    page(statuses[-1], status=429, title="too many attempts")
    assert int(statuses[-1].headers["retry-after"]) >= 1


def test_a_code_of_a_closed_round_gets_the_closed_page(client, session):
    made = make_survey_round(session, status="closed")
    [code] = create_codes(session=session, round_id=made.round.id, respondent_type="nqsw", count=1)
    soup = page(client.get("/survey/code"))

    response = client.post("/survey/code", data={"csrf_token": csrf(soup), "code": code})

    page(response, status=410, title="This evaluation has closed")


def test_code_pages_without_a_code_go_to_the_code_page(client, session):
    for path in ("/start", "/theme/1", "/check"):
        response = client.get(f"/survey/code{path}", follow_redirects=False)
        assert response.headers["location"] == "/survey/code"


def test_nothing_logged_during_a_journey_carries_the_link_or_code(client, session, caplog):
    made = make_survey_round(session)
    [code] = create_codes(session=session, round_id=made.round.id, respondent_type="nqsw", count=1)
    caplog.set_level(logging.DEBUG)

    base = f"/survey/{made.token}"
    page(client.get(base))
    answer_everything(client, base)
    send(client, base)
    soup = page(client.get("/survey/code"))
    client.post("/survey/code", data={"csrf_token": csrf(soup), "code": code})
    client.post(f"/api/v1/survey/{made.token}/responses", json={"ratings": {}})

    # httpx is the test's own client logging its requests; everything else is the service.
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records if r.name != "httpx")
    assert made.token not in logged
    assert code not in logged and code.replace("-", "") not in logged
