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
