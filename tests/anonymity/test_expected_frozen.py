"""Rule 5: the expected numbers are fixed when a round opens. Every way to change them (the
API's PATCH, the edit page, a change racing the opening) refuses once the round is open or
closed and stores nothing, not even the rest of the same change; a draft may change them."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.accounts.models import Organisation
from app.errors import Conflict
from app.lifecycle.closing import uk_today
from app.lifecycle.models import Round
from app.lifecycle.years import academic_year_end, academic_year_of
from app.rounds.service import open_round, update_round
from tests.builders import api_headers, make_employer, make_round, post_form, sign_in
from tests.html import assert_good_page

YEAR = academic_year_of(uk_today())
LATER = min(uk_today() + timedelta(days=40), academic_year_end(YEAR))
FIRST = {"nqsw": 4, "line_manager": 2, "other": 1}
CHANGED = {"nqsw": 9, "line_manager": 1, "other": 0}


@pytest.fixture
def lead(session):
    return make_employer(session)


def a_round(session, lead, status: str) -> Round:
    organisation = session.get(Organisation, lead.organisation_id)
    return make_round(session, organisation=organisation, year=YEAR, status=status,
                      expected=FIRST, closes_on=uk_today() + timedelta(days=3))


def stored(engine, round_id: int) -> tuple[dict[str, int], object]:
    """The round's expected numbers and closing date as stored (read afresh)."""
    with Session(engine) as fresh:
        round_ = fresh.get(Round, round_id)
        return round_.expected, round_.closes_on


@pytest.mark.parametrize("status", ["open", "closed"])
@pytest.mark.parametrize("body", [
    {"expected": CHANGED},
    {"expected": FIRST},  # the same numbers: still a change of something fixed
    {"expected": CHANGED, "closes_on": LATER.isoformat()},
])
def test_the_api_refuses_to_change_the_expected_numbers_once_open(client, session, engine, lead,
                                                                  status, body):
    round_ = a_round(session, lead, status)
    before = stored(engine, round_.id)

    response = client.patch(f"/api/v1/rounds/{round_.id}", headers=api_headers(lead), json=body)

    assert response.status_code == 409
    assert "detail" in response.json()
    assert stored(engine, round_.id) == before


def test_the_api_changes_a_drafts_expected_numbers(client, session, engine, lead):
    round_ = a_round(session, lead, "draft")

    response = client.patch(f"/api/v1/rounds/{round_.id}", headers=api_headers(lead),
                            json={"expected": CHANGED})

    assert response.status_code == 200 and response.json()["expected"] == CHANGED
    assert stored(engine, round_.id)[0] == CHANGED


def _form(expected: dict[str, int], closes_on) -> dict[str, str]:
    return {**{f"expected_{key}": str(number) for key, number in expected.items()},
            "closes_on": str(closes_on.day), "closes_on_month": str(closes_on.month),
            "closes_on_year": str(closes_on.year)}


def test_the_edit_page_of_an_open_round_refuses_expected_numbers_and_stores_nothing(
    client, session, engine, lead
):
    round_ = a_round(session, lead, "open")
    before = stored(engine, round_.id)
    sign_in(client, lead)
    page = assert_good_page(client.get(f"/rounds/{round_.id}/edit"))
    assert page.select_one("[name^=expected_]") is None, "an open round offers no such boxes"

    response = post_form(client, f"/rounds/{round_.id}/edit", _form(CHANGED, LATER))

    assert response.status_code == 409
    soup = assert_good_page(response)
    assert "The expected numbers are fixed once the round opens" in soup.main.get_text()
    assert stored(engine, round_.id) == before


def test_the_edit_page_of_a_closed_round_refuses_and_stores_nothing(client, session, engine,
                                                                    lead):
    round_ = a_round(session, lead, "closed")
    before = stored(engine, round_.id)
    sign_in(client, lead)

    response = post_form(client, f"/rounds/{round_.id}/edit", _form(CHANGED, LATER))

    assert response.status_code == 409
    assert stored(engine, round_.id) == before


def test_the_edit_page_changes_a_drafts_expected_numbers(client, session, engine, lead):
    round_ = a_round(session, lead, "draft")
    sign_in(client, lead)

    response = post_form(client, f"/rounds/{round_.id}/edit", _form(CHANGED, LATER))

    assert response.status_code in (200, 303) and "Error" not in response.text[:2000]
    assert stored(engine, round_.id) == (CHANGED, LATER)


def test_a_change_racing_the_opening_is_refused(session, engine, lead):
    """The draft the change was checked against opens before the change is written."""
    round_ = a_round(session, lead, "draft")
    with Session(engine, expire_on_commit=False) as other:
        open_round(session=other, round_id=round_.id)
    assert round_.status == "draft", "the first session still holds the draft it read"

    with pytest.raises(Conflict):
        update_round(session=session, round_=round_, expected=CHANGED)

    assert stored(engine, round_.id)[0] == FIRST
