"""Passwords: single-use emailed links (reset, invitation) and changing a password.

A link's token is random (192 bits) and only its keyed hash is stored, so the database alone
opens no account. A token works once, before it expires; setting a password through one ends
every session and API token of that user, and every other link still out for them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, select

from app.accounts.models import AccountToken, User
from app.accounts.service import find_user_by_email
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.security import hash_password, keyed_hash, new_token, verify_password

LINK_NOT_VALID = (
    "This link has expired or has already been used. Ask for a new one if you still need it."
)
WRONG_CURRENT_PASSWORD = "The current password you entered is not right"


class TokenPurpose(StrEnum):
    RESET = "reset"  # forgotten password: one hour
    INVITATION = "invitation"  # a new colleague sets a password: seven days


LIFETIMES = {TokenPurpose.RESET: timedelta(hours=1), TokenPurpose.INVITATION: timedelta(days=7)}


class LinkNotValid(NotFound):
    """Unknown, used or expired: one answer for all three, so a link tells nothing more."""

    template = "accounts/link_not_valid.html"

    def __init__(self) -> None:
        super().__init__(LINK_NOT_VALID)


@dataclass(frozen=True)
class EmailedLink:
    """A link to email: to whom, and its token (which goes in the message, never a log)."""

    email: str
    token: str


def _utc(moment: datetime) -> datetime:
    # SQLite and PostgreSQL hand back naive UTC; compare like with like.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def issue_link(*, session: Session, user: User, purpose: TokenPurpose) -> EmailedLink:
    """Stage a new single-use link for `user` in the caller's transaction."""
    token = new_token()
    session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=keyed_hash(token),
                             expires_at=utcnow() + LIFETIMES[purpose]))
    return EmailedLink(email=user.email, token=token)


def request_password_reset(*, session: Session, email: str) -> EmailedLink | None:
    """A reset link for the account with this email, or None when there is none: the caller
    answers the same either way, so nobody learns whether an address has an account."""
    user = find_user_by_email(session=session, email=email)
    if user is None:
        return None
    link = issue_link(session=session, user=user, purpose=TokenPurpose.RESET)
    session.commit()
    return link


def _valid_token(session: Session, token: str, purpose: TokenPurpose) -> AccountToken:
    record = session.exec(
        select(AccountToken).where(AccountToken.token_hash == keyed_hash(token),
                                   AccountToken.purpose == purpose)
    ).first()
    if record is None or record.used_at is not None or _utc(record.expires_at) <= utcnow():
        raise LinkNotValid()
    return record


def check_link(*, session: Session, token: str, purpose: TokenPurpose) -> User:
    """The user a valid link is for (to show the page that uses it), or LinkNotValid."""
    return session.get(User, _valid_token(session, token, purpose).user_id)


def set_password_by_link(
    *, session: Session, token: str, purpose: TokenPurpose, password: str
) -> User:
    """Use a link: set the password, end every session and token of the user and every other
    link still out for them. The link is marked used by a conditional update, so two requests
    racing with one link cannot both succeed."""
    record = _valid_token(session, token, purpose)
    now = utcnow()
    used = session.execute(
        update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:
        session.rollback()
        raise LinkNotValid()
    session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == record.user_id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    user = session.get(User, record.user_id)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.kept_token_hash = None
    session.commit()
    session.refresh(user)
    return user


def change_password(
    *, session: Session, user: User, current_password: str, new_password: str, keep_token: str
) -> User:
    """Change a signed-in user's password; every other session and API token ends.

    `keep_token` is the session cookie or bearer token of the request itself, which stays
    valid: whoever changed the password is not signed out by doing so.
    """
    if not verify_password(current_password, user.password_hash):
        raise Invalid(WRONG_CURRENT_PASSWORD, field="current_password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    user.kept_token_hash = keyed_hash(keep_token)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user
