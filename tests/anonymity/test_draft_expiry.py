"""Rule 10: a draft expires with its round. The cookie's Max-Age and Expires never outlast the
round's closing moment (the end of `closes_on`, UK time), and a draft presented after that
moment is dropped even while the round still shows open (timed work may close it late)."""

from datetime import UTC, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select
from starlette.responses import Response

from app.lifecycle.closing import closing_moment, uk_today
from app.survey import drafts
from app.survey.drafts import DRAFT_COOKIE, Draft, write_draft
from app.survey.models import RoundLink
from tests.builders import make_organisation, make_round, post_form

DAY = 24 * 60 * 60
UK = ZoneInfo("Europe/London")


def cookie_attributes(header: str) -> dict[str, str]:
    name_value, *attributes = [part.strip() for part in header.split(";")]
    found = {"value": name_value.split("=", 1)[1]}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        found[key.lower()] = value
    return found


def lifetime(header: str, now: float) -> tuple[float, datetime]:
    """When the browser drops the cookie by Max-Age, and by Expires."""
    attributes = cookie_attributes(header)
    return now + int(attributes["max-age"]), parsedate_to_datetime(attributes["expires"])


@given(seconds_into_year=st.integers(0, 365 * DAY), closes_in=st.integers(0, 40 * DAY))
def test_the_cookie_never_outlasts_the_closing_moment_nor_a_day(seconds_into_year, closes_in):
    """Whatever the moment and the distance to the closing day, summer time or not: the
    oracle is the end of that day in London by the zone database, not the code's own sum."""
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp() + seconds_into_year
    closes_on = datetime.fromtimestamp(now + closes_in, UK).date()
    moment = datetime.combine(closes_on, time(23, 59, 59), tzinfo=UK).timestamp() + 1
    response = Response()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drafts, "_now", lambda: now)
        write_draft(response, Draft(ratings={1: 4}), path="/survey/abc", closes_on=closes_on)

    by_age, by_date = lifetime(response.headers["set-cookie"], now)
    assert by_age <= moment and by_date.timestamp() <= moment
    assert by_age <= now + DAY
    assert by_age >= min(moment, now + DAY) - 1  # no shorter than it needs to be


def a_survey(session, closes_on):
    organisation = make_organisation(session, programmes=("child_and_family",))
    round_ = make_round(session, organisation=organisation, status="open", closes_on=closes_on)
    token = session.exec(select(RoundLink.token).where(RoundLink.round_id == round_.id,
                                                       RoundLink.respondent_type == "nqsw")).one()
    return round_, token


def answered_first(client, token) -> bool:
    """Whether the first theme's page shows the answer kept in the draft."""
    page = BeautifulSoup(client.get(f"/survey/{token}/theme/1").text, "html.parser")
    return page.select_one("input[name=statement-1][value='5'][checked]") is not None


def test_a_draft_works_until_the_closing_moment_and_is_dropped_after_it(client, session,
                                                                        monkeypatch):
    closes_on = uk_today() + timedelta(days=2)
    moment = closing_moment(closes_on).timestamp()
    _, token = a_survey(session, closes_on)
    monkeypatch.setattr(drafts, "_now", lambda: moment - 3600)  # an hour before it closes

    saved = post_form(client, f"/survey/{token}/theme/1",
                      {f"statement-{n}": "5" for n in range(1, 33)}, follow_redirects=False)

    header = next(h for h in saved.headers.get_list("set-cookie")
                  if h.startswith(DRAFT_COOKIE + "="))
    by_age, by_date = lifetime(header, moment - 3600)
    assert by_age <= moment and by_date.timestamp() <= moment
    assert answered_first(client, token), "before the closing moment the draft is read"
    monkeypatch.setattr(drafts, "_now", lambda: moment + 1)  # tick has not closed it yet
    assert not answered_first(client, token), "after it, the draft is dropped"
