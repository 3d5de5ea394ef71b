"""Rule 1 in one place: a round's state moves draft → open → closed, and only forward.

Every change of state is a conditional update (`… WHERE status = 'open'`), so two racing
requests cannot both succeed, and the round's row stays locked until the caller commits. Nothing
here commits: the use case that calls it (app.rounds.service, app.survey.service) does, once.
"""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from app.errors import Conflict
from app.lifecycle.models import Round
from app.vocabulary import RoundStatus


class RoundConflict(Conflict):
    """Not possible in the round's current state, or the round already exists (409)."""


class RoundNotOpen(RoundConflict):
    """The round is still a draft: nothing can be answered yet."""

    message = "This round is not open yet."


class RoundClosed(RoundConflict):
    """The round has closed: nothing about its answers can change any more."""

    message = "This round has closed."


def ensure_open(
    status: str | None, *, action: str | None = None,
    not_open: type[RoundNotOpen] = RoundNotOpen, closed: type[RoundClosed] = RoundClosed,
) -> None:
    """The one check that a round takes answers (and changes to them) now.

    Raises `not_open` or `closed` saying why not, for someone about to `action` ("change the
    self-assessment"); a domain can pass subclasses with wording and pages of their own (and
    no `action`, to keep their wording).
    """
    if status == RoundStatus.DRAFT:
        raise not_open(f"Open the round before you {action}." if action else None)
    if status != RoundStatus.OPEN:
        raise closed(f"This round has closed: you can no longer {action}." if action else None)


_WRONG_STATE = {
    (RoundStatus.DRAFT, RoundStatus.OPEN): "This round is already open",
    (RoundStatus.DRAFT, RoundStatus.CLOSED):
        "This round has closed. A closed round can never be opened again",
    (RoundStatus.OPEN, RoundStatus.DRAFT):
        "This round has not been opened yet. Open it before you close it",
    (RoundStatus.OPEN, RoundStatus.CLOSED): "This round is already closed",
}


def ensure_status(status: str | None, expected: RoundStatus) -> None:
    """RoundConflict, saying why, unless the round is in the `expected` state (to move on)."""
    if status != expected:
        raise RoundConflict(_WRONG_STATE.get((expected, status), f"This round is {status}"))


def move(session: Session, round_id: int, *, source: RoundStatus, values: dict[str, Any]) -> None:
    """Move the round out of `source` (with `values`, its new status among them), or raise
    RoundConflict saying why not. No commit."""
    result = session.exec(
        update(Round).where(Round.id == round_id, Round.status == source).values(**values)
    )
    if result.rowcount != 1:
        # Nothing was changed, so nothing to roll back; a rollback here would also expire the
        # signed-in user that the error page still has to show.
        ensure_status(status_of(session, round_id), source)


def lock_open_round(session: Session, round_id: int, *, action: str) -> None:
    """Take the round's row lock, or raise as `ensure_open` does if it is not open. No commit.

    A no-op update rather than SELECT … FOR UPDATE: SQLite ignores FOR UPDATE, but an update
    takes its write lock, so two first saves of a self-assessment cannot both insert one.
    """
    result = session.exec(
        update(Round).where(Round.id == round_id, Round.status == RoundStatus.OPEN)
        .values(status=Round.status)
    )
    if result.rowcount != 1:
        ensure_open(status_of(session, round_id), action=action)


def ensure_not_closed(status: str | None, *, action: str) -> None:
    """For what the employer may do before and while a round takes answers (its
    self-assessment): refused only once the round has closed."""
    if status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise RoundClosed(f"This round has closed: you can no longer {action}.")


def lock_unclosed_round(session: Session, round_id: int, *, action: str) -> None:
    """As `lock_open_round`, for a round that is a draft or open. No commit."""
    result = session.exec(
        update(Round).where(Round.id == round_id,
                            Round.status.in_((RoundStatus.DRAFT, RoundStatus.OPEN)))
        .values(status=Round.status)
    )
    if result.rowcount != 1:
        ensure_not_closed(status_of(session, round_id), action=action)


def status_of(session: Session, round_id: int, *, shared_lock: bool = False) -> str | None:
    """The round's status as this transaction sees it (None for no such round).

    With `shared_lock`, after writes that depend on the round being open: on PostgreSQL the
    share lock makes a racing close wait for this transaction's commit (so the close sees its
    writes) or makes this read wait for the close (and see it). On SQLite the writes before it
    hold the database's write lock, so it sees any close committed before them.
    """
    query = select(Round.status).where(Round.id == round_id)
    if shared_lock:
        query = query.with_for_update(read=True)
    return session.exec(query).one_or_none()


def reloaded(session: Session, round_id: int) -> Round:
    """The round as the database now has it (after a conditional update behind the ORM)."""
    round_ = session.get(Round, round_id)
    session.refresh(round_)
    return round_
