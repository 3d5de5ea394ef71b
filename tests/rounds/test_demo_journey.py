"""`asye360 demo` gives an employer to sign in as, with rounds in every state."""

from app.demo import DEMO_EMPLOYER_EMAIL, DEMO_EMPLOYER_PASSWORD, load_demo
from tests.builders import post_form
from tests.html import assert_good_page


def test_the_demo_employer_signs_in_to_rounds_in_every_state(client, session):
    load_demo()

    dashboard = post_form(client, "/sign-in", {"email": DEMO_EMPLOYER_EMAIL,
                                               "password": DEMO_EMPLOYER_PASSWORD})

    assert dashboard.url.path == "/dashboard"
    soup = assert_good_page(dashboard, title_contains="Your evaluation rounds")
    statuses = {row.select_one("td .govuk-tag").get_text(strip=True)
                for row in soup.select("tbody tr")}
    assert statuses == {"Not open yet", "Open", "Closed"}
    for link in soup.select("tbody th a"):
        assert_good_page(client.get(link["href"]))


def test_the_demo_has_a_viewer_a_pending_organisation_and_says_where_emails_go(client, session):
    from sqlmodel import select

    from app.accounts.models import Organisation, User
    from app.demo import (
        DEMO_NATIONAL_EMAIL,
        DEMO_NATIONAL_PASSWORD,
        DEMO_PENDING_EMAIL,
        DEMO_VIEWER_EMAIL,
        DEMO_VIEWER_PASSWORD,
    )

    summary = load_demo()

    assert DEMO_VIEWER_EMAIL in summary and DEMO_PENDING_EMAIL in summary
    assert "Emails are written to" in summary
    viewer = session.exec(select(User).where(User.email == DEMO_VIEWER_EMAIL)).one()
    lead = session.exec(select(User).where(User.email == DEMO_EMPLOYER_EMAIL)).one()
    assert (viewer.organisation_id, viewer.organisation_role) == (lead.organisation_id, "viewer")
    statuses = [o.status for o in session.exec(select(Organisation)).all()]
    assert statuses.count("pending") == 1 and set(statuses) == {"approved", "pending"}

    dashboard = post_form(client, "/sign-in", {"email": DEMO_VIEWER_EMAIL,
                                               "password": DEMO_VIEWER_PASSWORD})
    soup = assert_good_page(dashboard, title_contains="Your evaluation rounds")
    assert soup.select_one('a[href="/rounds/new"]') is None
    post_form(client, "/sign-out")
    post_form(client, "/sign-in", {"email": DEMO_NATIONAL_EMAIL,
                                   "password": DEMO_NATIONAL_PASSWORD})
    queue = assert_good_page(client.get("/national/approvals"))
    assert [h.text.strip() for h in queue.select("main h2")] == [
        "Northgate Children's Services"]
