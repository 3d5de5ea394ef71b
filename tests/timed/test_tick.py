"""Rule 12 and §6 with time moved by `asye360 tick --now`: rounds close at the end of their date
(UK time), reminders and "report ready" reach the leads once each through a real SMTP server."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.lifecycle.closing import UK, closing_moment, has_passed, uk_today
from app.lifecycle.models import Round
from app.lifecycle.years import academic_year_end, academic_year_of
from app.timed.models import RoundNotice
from app.timed.service import run_tick
from tests.builders import bearer, full_ratings, make_employer, make_organisation, make_round

runner = CliRunner()


def tick(at: datetime) -> str:
    result = runner.invoke(cli, ["tick", "--now", at.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def uk(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=UK)


def this_years_closing_date(days: int = 10) -> tuple[str, date]:
    today = uk_today()
    year = academic_year_of(today)
    return year, min(today + timedelta(days=days), academic_year_end(year))


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_round_closes_at_the_end_of_its_date_and_the_leads_hear_once_of_each_step(
    client, session, smtp_server
):
    organisation = make_organisation(session, name="Riverside Council")
    lead = make_employer(session, organisation=organisation, email="lead@riverside.example.org")
    make_employer(session, email="someone.else@example.org")  # another organisation's
    headers = bearer(client, lead)
    year, closes_on = this_years_closing_date()
    created = client.post("/api/v1/rounds", headers=headers, json={
        "programme": "child_and_family", "year": year, "closes_on": closes_on.isoformat(),
        "expected": {"nqsw": 6, "line_manager": 2, "other": 0}})
    assert created.status_code == 201, created.text
    assert created.json()["closes_on"] == closes_on.isoformat()
    round_id = created.json()["id"]
    opened = client.post(f"/api/v1/rounds/{round_id}/open", headers=headers).json()
    token = opened["links"]["nqsw"].rsplit("/", 1)[1]
    client.cookies.clear()
    for _ in range(2):
        sent = client.post(f"/api/v1/survey/{token}/responses", json={"ratings": full_ratings()})
        assert sent.status_code == 201, sent.text

    # Well before the reminder window: nothing happens.
    tick(uk(closes_on - timedelta(days=4), 12))
    assert smtp_server.messages == []

    # Three days before: the reminder, with progress toward the minimum criteria.
    tick(uk(closes_on - timedelta(days=3), 9))
    [reminder] = smtp_server.wait_for(1)
    assert reminder["To"] == "lead@riverside.example.org"
    day_words = f"{closes_on.day} {closes_on.strftime('%B %Y')}"
    # (strip: a long Subject comes back folded onto its own line, with the fold's space)
    assert reminder["Subject"].strip() == (
        f"Child and family programme, {year}: the evaluation closes on {day_words}")
    text = body(reminder)
    assert "in 3 days" in text
    assert "Answers so far: 2 of 6 NQSWs, 0 of 2 line managers" in text
    assert "At least 3 NQSW responses: not yet (2 of 3" in text
    assert f"http://testserver/rounds/{round_id}" in text
    tick(uk(closes_on - timedelta(days=1), 9))  # again, later: no second reminder

    # The last minute of the closing date, UK time: still open.
    tick(uk(closes_on, 23, 59, 59))
    assert client.get(f"/api/v1/rounds/{round_id}", headers=headers).json()["status"] == "open"
    assert len(smtp_server.messages) == 1

    # Its end: closed, and the report is ready.
    tick(uk(closes_on + timedelta(days=1), 0, 0, 1))
    round_json = client.get(f"/api/v1/rounds/{round_id}", headers=headers).json()
    assert round_json["status"] == "closed"
    [_, ready] = smtp_server.wait_for(2)
    assert ready["To"] == "lead@riverside.example.org"
    assert ready["Subject"].strip() == f"Child and family programme, {year}: your report is ready"
    assert f"http://testserver/rounds/{round_id}/report" in body(ready)
    assert "does not count in national results" in body(ready)

    # Answers sent after close are refused, and said not to be recorded.
    late = client.post(f"/api/v1/survey/{token}/responses", json={"ratings": full_ratings()})
    assert late.status_code == 409
    assert late.json()["detail"] == "This evaluation has closed, so your answers were not recorded."

    # Idempotent: running again, or much later, sends nothing more.
    tick(uk(closes_on + timedelta(days=1), 0, 1))
    tick(uk(closes_on + timedelta(days=30), 12))
    assert len(smtp_server.messages) == 2
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["lead@riverside.example.org"]] * 2


def test_a_round_closed_by_its_lead_gets_the_report_ready_email_from_the_next_tick(
    client, session, smtp_server
):
    organisation = make_organisation(session)
    lead = make_employer(session, organisation=organisation)
    round_ = make_round(session, organisation=organisation, status="open")
    assert client.post(f"/api/v1/rounds/{round_.id}/close",
                       headers=bearer(client, lead)).status_code == 200

    tick(datetime.now(UTC))
    tick(datetime.now(UTC))

    [ready] = smtp_server.wait_for(1)
    assert ready["To"] == lead.email and "your report is ready" in ready["Subject"]
    assert len(smtp_server.messages) == 1


def test_an_email_nobody_received_is_tried_again_on_the_next_run(session, smtp_server):
    organisation = make_organisation(session)
    make_employer(session, organisation=organisation)
    round_ = make_round(session, organisation=organisation, status="closed")
    smtp_server.down()

    first = run_tick(session=session, now=datetime.now(UTC))

    assert first.report_ready == []
    assert session.exec(select(func.count()).select_from(RoundNotice)).one() == 0
    smtp_server.up()
    second = run_tick(session=session, now=datetime.now(UTC))
    assert second.report_ready == [round_.id]
    smtp_server.wait_for(1)


def test_a_notice_claimed_by_another_run_is_not_sent_again(session, smtp_server):
    organisation = make_organisation(session)
    make_employer(session, organisation=organisation)
    round_ = make_round(session, organisation=organisation, status="closed")
    session.add(RoundNotice(round_id=round_.id, kind="report_ready"))  # the other instance's
    session.commit()

    assert run_tick(session=session, now=datetime.now(UTC)).report_ready == []
    assert smtp_server.messages == []


def test_tick_refuses_a_now_that_is_not_a_date_and_time(session):
    result = runner.invoke(cli, ["tick", "--now", "next tuesday"])

    assert result.exit_code == 2
    assert "ISO 8601" in result.output


def test_a_round_without_a_closing_date_is_never_closed_by_tick(session):
    organisation = make_organisation(session)
    round_ = make_round(session, organisation=organisation, status="open")
    round_.closes_on = None
    session.add(round_)
    session.commit()

    run_tick(session=session, now=datetime(2099, 1, 1, tzinfo=UTC))

    session.refresh(round_)
    assert session.get(Round, round_.id).status == "open"


def test_summer_and_winter_the_round_closes_at_midnight_uk_time():
    summer, winter = date(2027, 6, 10), date(2027, 1, 10)
    assert not has_passed(summer, datetime(2027, 6, 10, 22, 59, 59, tzinfo=UTC))  # 23:59:59 BST
    assert has_passed(summer, datetime(2027, 6, 10, 23, 0, 0, tzinfo=UTC))  # 00:00 BST
    assert not has_passed(winter, datetime(2027, 1, 10, 23, 59, 59, tzinfo=UTC))  # GMT
    assert has_passed(winter, datetime(2027, 1, 11, 0, 0, 0, tzinfo=UTC))


@given(closes_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
       now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2041, 1, 1),
                        timezones=st.just(UTC)))
def test_a_closing_date_has_passed_exactly_when_the_uk_calendar_has_moved_past_it(
    closes_on, now
):
    # Oracle: the UK wall-clock date at `now`, from the time zone database directly.
    uk_date = now.astimezone(UK).date()
    assert has_passed(closes_on, now) == (uk_date > closes_on)
    assert closing_moment(closes_on).astimezone(UK).time() == time(0)
