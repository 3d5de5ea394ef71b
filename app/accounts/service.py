"""Use cases for organisations and accounts: one transaction each."""

from sqlmodel import Session, func, select

from app.accounts.models import Organisation, User
from app.security import hash_password, verify_password

MIN_PASSWORD_LENGTH = 12
ROLES = ("employer", "national")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message fit to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _new_user(*, session: Session, email: str, password: str, role: str) -> User:
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter an email address in the correct format, like name@example.org")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")
    if find_user_by_email(session=session, email=email) is not None:
        raise AccountError("An account with this email address already exists")
    return User(email=email, password_hash=hash_password(password), role=role)


def create_user(
    *, session: Session, email: str, password: str, role: str, organisation_id: int | None = None
) -> User:
    user = _new_user(session=session, email=email, password=password, role=role)
    user.organisation_id = organisation_id
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def register_organisation(
    *,
    session: Session,
    name: str,
    employer_type: str,
    region: str,
    teaching_partnership: str | None,
    programmes: list[str],
    email: str,
    password: str,
) -> tuple[Organisation, User]:
    """Create an organisation and its first employer account together, or neither."""
    user = _new_user(session=session, email=email, password=password, role="employer")
    organisation = Organisation(
        name=name.strip(),
        employer_type=employer_type,
        region=region,
        teaching_partnership=teaching_partnership,
        programmes=sorted(set(programmes)),
    )
    session.add(organisation)
    session.flush()
    user.organisation_id = organisation.id
    session.add(user)
    session.commit()
    session.refresh(organisation)
    session.refresh(user)
    return organisation, user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work for an unknown email."""
    user = find_user_by_email(session=session, email=email)
    if not verify_password(password, user.password_hash if user else None):
        return None
    return user


def count_organisations(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Organisation)).one()
