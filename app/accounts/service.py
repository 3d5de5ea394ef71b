"""Use cases for organisations and accounts: one transaction each."""

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Organisation, User
from app.accounts.organisations import ensure_name_free, name_key
from app.config import get_settings
from app.errors import Conflict, Invalid, TooManyAttempts
from app.ratelimit import limiter
from app.security import (
    InvalidToken,
    create_token,
    decode_token,
    hash_password,
    keyed_hash,
    new_token,
    verify_password,
)
from app.vocabulary import OrganisationRole, OrganisationStatus, Role

MIN_PASSWORD_LENGTH = 12
SESSION_TOKEN = "session"  # the page cookie
ACCESS_TOKEN = "access"  # the API bearer token
EMAIL_IN_USE = "An account with this email address already exists"


class AccountError(Invalid):
    """A request about accounts that cannot be carried out (422); `field` names its form field."""


class EmailInUse(Conflict):
    def __init__(self) -> None:
        super().__init__(EMAIL_IN_USE, field="email")


class TooManySignIns(TooManyAttempts):
    """Sign-in refused before the password is even checked; try again after `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many sign-in attempts. Try again later.", retry_after=retry_after)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int  # seconds


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _new_user(*, session: Session, email: str, password: str, role: str) -> User:
    if role not in tuple(Role):
        raise AccountError(f"Role must be one of {', '.join(Role)}")
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Password must be {MIN_PASSWORD_LENGTH} characters or more", field="password"
        )
    if find_user_by_email(session=session, email=email) is not None:
        raise EmailInUse()
    return User(email=email, password_hash=hash_password(password), role=role)


def _commit_new_account(session: Session) -> None:
    """Commit; two registrations racing for one address meet the unique constraint."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise EmailInUse() from error


def create_user(
    *, session: Session, email: str, password: str, role: str, organisation_id: int | None = None,
    organisation_role: str = OrganisationRole.LEAD,
) -> User:
    """A national account, or an employer account of an organisation (a lead unless told)."""
    user = _new_user(session=session, email=email, password=password, role=role)
    user.organisation_id = organisation_id
    if role == Role.EMPLOYER:
        user.organisation_role = organisation_role
    session.add(user)
    _commit_new_account(session)
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
    """Create an organisation and its first employer account together, or neither.

    The values are checked against the reference lists by the schemas (app.accounts.schemas)
    before they get here; this checks what only the database knows (the email is free).
    """
    ensure_name_free(session=session, name=name)
    user = _new_user(session=session, email=email, password=password, role=Role.EMPLOYER)
    user.organisation_role = OrganisationRole.LEAD
    organisation = add_organisation(
        session=session, name=name, employer_type=employer_type, region=region,
        teaching_partnership=teaching_partnership, programmes=programmes,
    )
    user.organisation_id = organisation.id
    session.add(user)
    _commit_new_account(session)
    session.refresh(organisation)
    session.refresh(user)
    return organisation, user


def add_organisation(
    *, session: Session, name: str, employer_type: str, region: str,
    teaching_partnership: str | None, programmes: list[str],
    status: str = OrganisationStatus.PENDING,
) -> Organisation:
    """Stage a new organisation in the caller's transaction (registering it, or loading the demo),
    with its id; the values are checked by the schemas before they get here. A registration is
    pending until approved (rule 15); the demo and the load benchmarks add approved ones."""
    organisation = Organisation(
        status=status,
        name=name.strip(),
        name_key=name_key(name),
        employer_type=employer_type,
        region=region,
        teaching_partnership=teaching_partnership,
        programmes=sorted(set(programmes)),
    )
    session.add(organisation)
    session.flush()
    return organisation


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work for an unknown email."""
    user = find_user_by_email(session=session, email=email)
    if not verify_password(password, user.password_hash if user else None):
        return None
    return user


def _sign_in_keys(email: str, address: str) -> tuple[str, str]:
    # Hashed so the limiter's memory holds no email address.
    return (
        "sign-in:account:" + keyed_hash(normalise_email(email)),
        "sign-in:address:" + keyed_hash(address),
    )


def sign_in(*, session: Session, email: str, password: str, address: str) -> User | None:
    """Check a sign-in attempt: the user, or None for wrong details (whichever detail it was).

    Every attempt counts against the account and the address before the password is checked,
    so a guesser learns nothing once the limit is reached; a success clears the account's count.
    Raises TooManySignIns when either limit is used up.
    """
    settings = get_settings()
    window = settings.sign_in_window_seconds
    account_key, address_key = _sign_in_keys(email, address)
    limits = (
        (address_key, settings.sign_in_attempts_per_address),
        (account_key, settings.sign_in_attempts_per_account),
    )
    for key, limit in limits:
        if not limiter.hit(key, limit=limit, window_seconds=window):
            raise TooManySignIns(limiter.retry_after(key, window_seconds=window))
    user = authenticate(session=session, email=email, password=password)
    if user is not None:
        limiter.reset(account_key)
    return user


def issue_token(*, user: User, kind: str) -> IssuedToken:
    """A signed token for a page session (`SESSION_TOKEN`) or the API (`ACCESS_TOKEN`)."""
    settings = get_settings()
    minutes = (
        settings.session_hours * 60 if kind == SESSION_TOKEN else settings.access_token_minutes
    )
    # Both kinds carry the user's session version: signing out, resetting or changing the
    # password moves it on, and every session and token issued before then stops working. The
    # random id tells apart two tokens issued in the same second (one may be kept, the other not).
    token = create_token(subject=str(user.id), kind=kind, minutes=minutes,
                         claims={"ver": user.session_version, "jti": new_token()})
    return IssuedToken(token=token, expires_in=minutes * 60)


def user_for_token(*, session: Session, token: str, kind: str) -> User | None:
    """The user a valid, unexpired token of this kind was issued to, or None."""
    try:
        claims = decode_token(token, kind=kind)
        user_id = int(claims["sub"])
        version = int(claims.get("ver", 0))
    except (InvalidToken, ValueError, TypeError):
        return None
    user = session.get(User, user_id)
    if user is None:
        return None
    if version != user.session_version and keyed_hash(token) != user.kept_token_hash:
        return None  # signed out (or the password changed) since it was issued
    return user


def end_sessions(*, session: Session, user_id: int) -> None:
    """Sign a user out everywhere: every page session and API token issued until now stops
    working."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        user.kept_token_hash = None
        session.commit()


def get_organisation(*, session: Session, organisation_id: int) -> Organisation | None:
    return session.get(Organisation, organisation_id)
