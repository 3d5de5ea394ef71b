"""The lead previews the survey as a respondent (issue 15): the same pages, nothing stored."""

from tests.builders import count_stored, make_employer, make_survey_round, post_form, sign_in
from tests.html import assert_good_page
from tests.survey.test_pages import answers_for


def test_the_lead_walks_through_the_survey_and_nothing_is_stored(client, session):
    made = make_survey_round(session, status="draft")
    sign_in(client, make_employer(session, organisation=made.organisation))
    base = f"/rounds/{made.round.id}/preview"

    start = assert_good_page(client.get(base),
                             title_contains="Evaluate the ASYE programme at Riverside Council")
    assert "Nothing you enter is stored" in start.select_one("#closing-date").get_text()
    # Every page in turn (theme 1 in three parts), each "Continue" going to the next.
    visited, url = [], f"{base}/theme/1"
    while url != f"{base}/check":
        visited.append(url.removeprefix(base))
        page = assert_good_page(client.get(url))
        assert "Preview" in page.select_one("#closing-date").get_text()
        number = int(url.split("/theme/")[1].split("/")[0])
        saved = post_form(client, url, answers_for(number), follow_redirects=False)
        assert saved.status_code == 303
        url = saved.headers["location"]
    assert visited == ["/theme/1", "/theme/1/part/2", "/theme/1/part/3", "/theme/2",
                       "/theme/3", "/theme/4"]
    check = assert_good_page(client.get(f"{base}/check"))
    assert check.select_one("main button").get_text(strip=True) == \
        "Finish the preview (nothing is sent)"

    finished = post_form(client, f"{base}/check")

    assert finished.url.path == f"/rounds/{made.round.id}"
    banner = assert_good_page(finished).select_one(".govuk-notification-banner--success")
    assert "Nothing you entered in the preview was stored" in banner.get_text()
    assert count_stored(session).responses == 0
    assert count_stored(session).answers == 0
