"""Record an action in the audit log, and read the log (an organisation's, or all of it).

Routes record after the action has succeeded, with the signed-in account as the actor; survey
routes never record anything (a respondent is anonymous, rule 2).
"""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Protocol

from sqlmodel import Session, select

from app.audit.models import AuditAction, AuditEvent

MAX_EVENTS = 500


class Actor(Protocol):
    id: int | None
    email: str


def record_event(*, session: Session, actor: Actor, action: AuditAction,
                 organisation_id: int | None, subject: str = "") -> None:
    """Add one event and commit it."""
    session.add(AuditEvent(actor_id=actor.id, actor_email=actor.email, action=action,
                           organisation_id=organisation_id, subject=subject[:300]))
    session.commit()


def list_events(*, session: Session, organisation_id: int | None = None,
                limit: int = MAX_EVENTS) -> list[AuditEvent]:
    """The newest events first: one organisation's (None: every event)."""
    query = select(AuditEvent)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(session.exec(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                             .limit(limit)))


def record_round_event(*, session: Session, actor: Actor, action: AuditAction, round_,
                       detail: str = "") -> None:
    """An action on a round (anything with id, organisation_id, programme and year)."""
    subject = f"{round_.programme.replace('_', ' ')} {round_.year} (round {round_.id})"
    record_event(session=session, actor=actor, action=action,
                 organisation_id=round_.organisation_id,
                 subject=f"{subject}{': ' + detail if detail else ''}")


def round_changes(*, expected: dict[str, int] | None, closes_on) -> str:
    """What a change of a round changed, for the log: the new expected numbers and closing date."""
    parts = []
    if expected is not None:
        parts.append("expected " + ", ".join(f"{number} {kind.replace('_', ' ')}"
                                              for kind, number in expected.items()))
    if closes_on is not None:
        parts.append(f"closing date {closes_on.isoformat()}")
    return "; ".join(parts)


def deleted_round(round_) -> SimpleNamespace:
    """What the log needs of a round that is about to be deleted (the row goes with it)."""
    return SimpleNamespace(id=round_.id, organisation_id=round_.organisation_id,
                           programme=round_.programme, year=round_.year)


def codes_issued(codes: dict[str, list[str]]) -> str:
    """How many codes of each type were issued, for the log (never the codes themselves)."""
    return ", ".join(f"{len(issued)} {kind.replace('_', ' ')}" for kind, issued in codes.items()
                     if issued)


@dataclass(frozen=True)
class Who:
    """An actor remembered by value (when the account itself may be gone, say removed)."""

    id: int | None
    email: str
