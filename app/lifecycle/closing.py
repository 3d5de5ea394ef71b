"""Rule 12 in one place: the closing date, its default, its checks, and when it has passed.

A round closes at the end of its closing date in UK time (Europe/London, so 23:59:59 BST in
summer and GMT in winter), whatever the server's own time zone. "Today" for the checks of a
date someone enters is also the UK's.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.errors import Conflict, Invalid
from app.lifecycle.years import academic_year_end
from app.vocabulary import RoundStatus

UK = ZoneInfo("Europe/London")
DEFAULT_OPEN_DAYS = 28


class ClosingDateInvalid(Invalid):
    """A closing date that cannot be: in the past, after the year's end, or moved earlier."""


def uk_today(now: datetime | None = None) -> date:
    """The date in the UK at `now` (default: this moment)."""
    return (now or datetime.now(UTC)).astimezone(UK).date()


def closing_moment(closes_on: date) -> datetime:
    """The moment (UTC) a round with this closing date closes: the end of that UK day."""
    return datetime.combine(closes_on + timedelta(days=1), time(0), tzinfo=UK).astimezone(UTC)


def has_passed(closes_on: date | None, now: datetime) -> bool:
    """Whether the end of the closing date has come by `now` (never, without a date)."""
    return closes_on is not None and now >= closing_moment(closes_on)


def default_closing_date(opened_on: date) -> date:
    return opened_on + timedelta(days=DEFAULT_OPEN_DAYS)


def long_date(day: date) -> str:
    """e.g. "14 March 2026", as GOV.UK writes dates."""
    return f"{day.day} {day.strftime('%B %Y')}"


def check_closing_date(
    closes_on: date, *, year: str, status: str, current: date | None, today: date | None = None
) -> date:
    """The closing date a lead chose, or ClosingDateInvalid (422) saying why not.

    Not before today; not after the academic year's end (31 August); and while the round is
    open, not earlier than the date respondents were told (closing earlier is "close the
    round"). A round that has closed has no date to change (409).
    """
    today = today or uk_today()
    if status == RoundStatus.CLOSED:
        raise Conflict("This round has closed: its closing date cannot change")
    if closes_on < today:
        raise ClosingDateInvalid("The closing date must be today or in the future",
                                 field="closes_on")
    end = academic_year_end(year)
    if closes_on > end:
        raise ClosingDateInvalid(f"The closing date must be on or before {long_date(end)}, the "
                                 f"end of the {year} academic year", field="closes_on")
    if status == RoundStatus.OPEN and current is not None and closes_on < current:
        raise ClosingDateInvalid(
            f"The closing date must be on or after {long_date(current)}, the date people were "
            "told. To end the round earlier, close it", field="closes_on")
    return closes_on
