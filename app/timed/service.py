"""`tick`: the timed work of rule 12 and §6, idempotent and safe to run from several places.

One run, at `now`:
1. closes every open round whose closing date has ended (UK time), through the same
   `close_round` as the button (a conditional update: a round closed meanwhile is skipped);
2. reminds the organisation's leads of an open round `REMINDER_DAYS_BEFORE` days (or fewer)
   before it closes, with its progress toward the minimum criteria;
3. tells the leads "your report is ready" for every closed round, however it closed.

Each email kind is sent once per round: a `RoundNotice` row is claimed (inserted and
committed) before sending, so a second run, or another instance running at the same moment,
finds it and sends nothing. When no lead could be reached at all, the claim is given back and
the next run tries again; a message lost between claim and send is not resent (at most once).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import User
from app.config import get_settings
from app.email.service import send_email
from app.lifecycle.closing import long_date, uk_today
from app.lifecycle.models import Round
from app.lifecycle.service import RoundConflict
from app.results import criteria
from app.rounds.service import close_round, describe_round
from app.rounds.views import round_title
from app.timed.models import RoundNotice
from app.vocabulary import Role, RoundStatus

log = logging.getLogger("asye360.tick")


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    REPORT_READY = "report_ready"


@dataclass
class TickReport:
    """What one run did: round ids closed, reminded, told their report is ready."""

    closed: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    report_ready: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"Closed {len(self.closed)} round(s); sent reminders for {len(self.reminded)}; "
                f"sent 'report ready' for {len(self.report_ready)}.")


def run_tick(*, session: Session, now: datetime) -> TickReport:
    report = TickReport()
    today = uk_today(now)
    for round_id in session.exec(select(Round.id).where(
            Round.status == RoundStatus.OPEN, Round.closes_on < today).order_by(Round.id)).all():
        try:
            close_round(session=session, round_id=round_id, closed_at=now)
        except RoundConflict:
            session.rollback()  # closed by someone else meanwhile
            continue
        report.closed.append(round_id)

    days = get_settings().reminder_days_before
    due = session.exec(select(Round.id).where(
        Round.status == RoundStatus.OPEN, Round.closes_on >= today,
        Round.closes_on <= today + timedelta(days=days),
        Round.id.not_in(_noticed(NoticeKind.REMINDER))).order_by(Round.id)).all()
    for round_id in due:
        if _notify(session, round_id, NoticeKind.REMINDER, "round_reminder", today):
            report.reminded.append(round_id)

    ready = session.exec(select(Round.id).where(
        Round.status == RoundStatus.CLOSED,
        Round.id.not_in(_noticed(NoticeKind.REPORT_READY))).order_by(Round.id)).all()
    for round_id in ready:
        if _notify(session, round_id, NoticeKind.REPORT_READY, "report_ready", today):
            report.report_ready.append(round_id)
    return report


def _noticed(kind: NoticeKind):
    return select(RoundNotice.round_id).where(RoundNotice.kind == kind)


def leads_of(session: Session, organisation_id: int) -> list[str]:
    """The email addresses of the organisation's leads (every employer account, until roles)."""
    return list(session.exec(select(User.email).where(
        User.organisation_id == organisation_id, User.role == Role.EMPLOYER).order_by(User.id)))


def _claim(session: Session, round_id: int, kind: NoticeKind) -> int | None:
    try:
        notice = RoundNotice(round_id=round_id, kind=kind)
        session.add(notice)
        session.commit()
    except IntegrityError:
        session.rollback()
        return None  # another run has it
    return notice.id


def _notify(session: Session, round_id: int, kind: NoticeKind, template: str, today) -> bool:
    """Claim the notice, send it to each lead, record how it went. Whether this run sent it."""
    notice_id = _claim(session, round_id, kind)
    if notice_id is None:
        return False
    round_ = session.get(Round, round_id)
    overview = describe_round(session=session, round_=round_)
    base = get_settings().base_url.rstrip("/")
    context = {
        "organisation": overview.organisation.name,
        "title": round_title(overview),
        "closes_on": long_date(round_.closes_on) if round_.closes_on else None,
        "days_left": (round_.closes_on - today).days if round_.closes_on else None,
        "counts": overview.counts,
        "expected": round_.expected,
        "progress": criteria.progress(status=round_.status, counts=overview.counts),
        "meets_minimum": overview.minimum.met,
        "reasons": overview.minimum.reasons,
        "round_url": f"{base}/rounds/{round_id}",
        "report_url": f"{base}/rounds/{round_id}/report",
    }
    recipients = leads_of(session, round_.organisation_id)
    deliveries = [send_email(to=to, template=template, context=context,
                             reference=f"{kind}-{round_id}-{index}")
                  for index, to in enumerate(recipients)]
    delivered = sum(d.delivered for d in deliveries)
    if recipients and not delivered:
        # Nobody reached: give the claim back, so the next run tries again.
        session.exec(delete(RoundNotice).where(RoundNotice.id == notice_id))
        session.commit()
        log.warning("%s for round %s not delivered; will try again", kind, round_id)
        return False
    session.exec(update(RoundNotice).where(RoundNotice.id == notice_id)
                 .values(delivered=delivered, failed=len(deliveries) - delivered))
    session.commit()
    return True
