"""Colleagues: several people per organisation, leads and viewers, invited by email.

An invitation creates the account at once, without a password, and emails a single-use link
(7 days) to set one; until then the colleague is listed as invited and cannot sign in. The
organisation always keeps a lead who can sign in: the last one cannot be removed or made a
viewer. National users invite other national users the same way.
"""

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from app.accounts.models import Organisation, User
from app.accounts.passwords import EmailedLink, TokenPurpose, issue_link
from app.accounts.service import find_user_by_email, normalise_email
from app.errors import Conflict, Invalid, NotFound
from app.vocabulary import OrganisationRole, Role

NO_COLLEAGUE = "No colleague with this id in your organisation"
LAST_LEAD = ("This is the organisation's last lead who can sign in: make someone else a lead "
             "before removing them or making them a viewer")
ALREADY_A_MEMBER = "This person is already a member of your organisation"
HAS_AN_ACCOUNT = ("This email address already has an ASYE 360 account with another organisation "
                  "or the national team")


@dataclass(frozen=True)
class Invitation:
    """A new account and the link to email to it."""

    user: User
    link: EmailedLink


def has_password(user: User) -> bool:
    """Whether the person has accepted their invitation (or registered) and can sign in."""
    return bool(user.password_hash)


def list_colleagues(*, session: Session, organisation_id: int) -> list[User]:
    return list(session.exec(
        select(User).where(User.organisation_id == organisation_id).order_by(User.email)))


def _lock_organisation(session: Session, organisation_id: int) -> None:
    # Two leads removing each other at the same moment must not both succeed: changes to one
    # organisation's people take its row lock in turn. A no-op update rather than SELECT … FOR
    # UPDATE, which SQLite ignores; an update takes SQLite's write lock too.
    session.execute(update(Organisation).where(Organisation.id == organisation_id)
                    .values(status=Organisation.status))


def _colleague(session: Session, organisation_id: int, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.organisation_id != organisation_id:
        raise NotFound(NO_COLLEAGUE)
    return user


def _other_signed_up_leads(session: Session, organisation_id: int, user_id: int) -> int:
    return len([
        user for user in list_colleagues(session=session, organisation_id=organisation_id)
        if user.id != user_id and user.organisation_role == OrganisationRole.LEAD
        and has_password(user)
    ])


def _new_invited_user(session: Session, *, email: str, organisation_id: int | None) -> User:
    existing = find_user_by_email(session=session, email=email)
    if existing is not None:
        if organisation_id is not None and existing.organisation_id == organisation_id:
            raise Conflict(ALREADY_A_MEMBER, field="email")
        raise Conflict(HAS_AN_ACCOUNT, field="email")
    return User(email=normalise_email(email), password_hash="",
                role=Role.EMPLOYER if organisation_id is not None else Role.NATIONAL,
                organisation_id=organisation_id)


def invite_colleague(
    *, session: Session, organisation_id: int, email: str, role: str
) -> Invitation:
    """Create a colleague's account (lead or viewer) and the 7-day link to set its password."""
    if role not in tuple(OrganisationRole):
        raise Invalid("Select whether they will be a lead or a viewer", field="role")
    user = _new_invited_user(session, email=email, organisation_id=organisation_id)
    user.organisation_role = role
    return _commit_invitation(session, user)


def invite_national_user(*, session: Session, email: str) -> Invitation:
    """Create a national account and the 7-day link to set its password."""
    user = _new_invited_user(session, email=email, organisation_id=None)
    return _commit_invitation(session, user)


def _commit_invitation(session: Session, user: User) -> Invitation:
    session.add(user)
    session.flush()
    link = issue_link(session=session, user=user, purpose=TokenPurpose.INVITATION)
    session.commit()
    session.refresh(user)
    return Invitation(user=user, link=link)


def remove_colleague(*, session: Session, organisation_id: int, user_id: int) -> User:
    """Remove a colleague's account (their sessions and links go with it); never the last lead
    who can sign in. Returns the removed account, detached."""
    _lock_organisation(session, organisation_id)
    user = _colleague(session, organisation_id, user_id)
    if (user.organisation_role == OrganisationRole.LEAD and has_password(user)
            and _other_signed_up_leads(session, organisation_id, user.id) == 0):
        session.rollback()
        raise Conflict(LAST_LEAD)
    session.delete(user)
    session.commit()
    return user


def change_role(*, session: Session, organisation_id: int, user_id: int, role: str) -> User:
    """Make a colleague a lead or a viewer; the last lead who can sign in stays a lead."""
    if role not in tuple(OrganisationRole):
        raise Invalid("Select whether they will be a lead or a viewer", field="role")
    _lock_organisation(session, organisation_id)
    user = _colleague(session, organisation_id, user_id)
    if (role == OrganisationRole.VIEWER and user.organisation_role == OrganisationRole.LEAD
            and has_password(user)
            and _other_signed_up_leads(session, organisation_id, user.id) == 0):
        session.rollback()
        raise Conflict(LAST_LEAD)
    user.organisation_role = role
    session.commit()
    session.refresh(user)
    return user
