"""Use cases for organisations and accounts: one transaction each."""

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import ratelimit
from app.accounts.emails import EmailRefused, normalise_email
from app.accounts.models import Organisation, User
from app.config import get_settings
from app.errors import Conflict, Invalid, TooManyAttempts
from app.security import (
    InvalidToken,
    create_token,
    decode_token,
    hash_password,
    verify_password,
)
from app.vocabulary import Role

MIN_PASSWORD_LENGTH = 12
SESSION_TOKEN = "session"  # the page cookie
ACCESS_TOKEN = "access"  # the API bearer token
EMAIL_IN_USE = "An account with this email address already exists"
_REGISTRATION_WINDOW_SECONDS = 60 * 60


class AccountError(Invalid):
    """A request about accounts that cannot be carried out (422); `field` names its form field."""


class EmailInUse(Conflict):
    def __init__(self) -> None:
        super().__init__(EMAIL_IN_USE, field="email")


class TooManySignIns(TooManyAttempts):
    """Sign-in refused before the password is even checked; try again after `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many sign-in attempts. Try again later.", retry_after=retry_after)


class TooManyRegistrations(TooManyAttempts):
    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many organisations have been registered from your network. "
                         "Try again later.", retry_after=retry_after)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int  # seconds


def find_user_by_email(*, session: Session, email: str) -> User | None:
    """The account of this address or of any way of writing it (app.accounts.emails)."""
    try:
        normal = normalise_email(email)
    except EmailRefused:
        return None  # no account can have an address that is refused
    return session.exec(select(User).where(User.email == normal)).first()


def _new_user(*, session: Session, email: str, password: str, role: str) -> User:
    if role not in tuple(Role):
        raise AccountError(f"Role must be one of {', '.join(Role)}")
    try:
        email = normalise_email(email)
    except EmailRefused as refused:
        raise AccountError(str(refused), field="email") from refused
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
    *, session: Session, email: str, password: str, role: str, organisation_id: int | None = None
) -> User:
    user = _new_user(session=session, email=email, password=password, role=role)
    user.organisation_id = organisation_id
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
    address: str,
) -> tuple[Organisation, User]:
    """Create an organisation and its first employer account together, or neither.

    The values are checked against the reference lists by the schemas (app.accounts.schemas)
    before they get here; this checks what only the database knows (the email is free).
    Registrations are limited per address (TooManyRegistrations), counted before the email is
    looked up, so that probing which addresses have accounts (the 409) is slow.
    """
    settings = get_settings()
    if refused := ratelimit.hit(f"register:{address}",
                                limit=settings.registrations_per_address_per_hour,
                                window_seconds=_REGISTRATION_WINDOW_SECONDS):
        raise TooManyRegistrations(refused.retry_after(_REGISTRATION_WINDOW_SECONDS))
    user = _new_user(session=session, email=email, password=password, role=Role.EMPLOYER)
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
) -> Organisation:
    """Stage a new organisation in the caller's transaction (registering it, or loading the demo),
    with its id; the values are checked by the schemas before they get here."""
    organisation = Organisation(
        name=name.strip(),
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
    # The limiter stores keyed hashes of these, never the email or address themselves.
    try:
        account = normalise_email(email)
    except EmailRefused:
        account = email  # no such account: still counted, under what was typed
    return f"sign-in:pair:{account}\n{address}", f"sign-in:address:{address}"


def _wait_left(counted: ratelimit.Count, limit: int) -> int:
    """Seconds this attempt comes too early by, or 0 when it may go ahead.

    The first `limit` attempts go ahead; after that each must come a delay after the one before,
    and the delay doubles with every attempt (capped at the window): a growing delay, not a lock.
    """
    over = counted.count - limit
    if over <= 0:
        return 0
    settings = get_settings()
    delay = min(settings.sign_in_window_seconds, settings.sign_in_delay_seconds * 2 ** (over - 1))
    left = counted.previous_at + delay - ratelimit.clock()
    return max(0, int(left + 0.999))


def sign_in(*, session: Session, email: str, password: str, address: str) -> User | None:
    """Check a sign-in attempt: the user, or None for wrong details (whichever detail it was).

    Failures are limited per (account, address) and per address (issue 13, item 2), never per
    account alone, so guessing from elsewhere cannot lock the owner out: a correct password
    from an address that has not failed always goes ahead. Each attempt is counted before the
    password is checked (so a burst of parallel guesses is counted too, and a guesser learns
    nothing while refused); a success takes its attempt back from the address and clears the
    (account, address) count, and so does a refusal. Raises TooManySignIns when an attempt comes
    too early.
    """
    settings = get_settings()
    if not settings.rate_limits_on:
        return authenticate(session=session, email=email, password=password)
    window = settings.sign_in_window_seconds
    pair_key, address_key = _sign_in_keys(email, address)
    limits = (
        (address_key, settings.sign_in_attempts_per_address),
        (pair_key, settings.sign_in_attempts_per_account),
    )
    counted: list[str] = []
    for key, limit in limits:
        counted.append(key)
        if wait := _wait_left(ratelimit.record(key, window_seconds=window), limit):
            # Refused unchecked, so not counted (only checked failures make the delay grow);
            # the wait is timed from this attempt, so hammering only puts it off.
            for refused in counted:
                ratelimit.forgive(refused)
            raise TooManySignIns(wait)
    user = authenticate(session=session, email=email, password=password)
    if user is not None:
        ratelimit.forgive(address_key)
        ratelimit.reset(pair_key)
    return user


def issue_token(*, user: User, kind: str) -> IssuedToken:
    """A signed token for a page session (`SESSION_TOKEN`) or the API (`ACCESS_TOKEN`)."""
    settings = get_settings()
    minutes = (
        settings.session_hours * 60 if kind == SESSION_TOKEN else settings.access_token_minutes
    )
    # Both kinds carry the session version: signing out everywhere ends API tokens too.
    token = create_token(subject=str(user.id), kind=kind, minutes=minutes,
                         claims={"ver": user.session_version})
    return IssuedToken(token=token, expires_in=minutes * 60)


def user_for_token(*, session: Session, token: str, kind: str) -> User | None:
    """The user a valid, unexpired token of this kind was issued to, or None."""
    try:
        claims = decode_token(token, kind=kind)
        user_id = int(claims["sub"])
        version = int(claims["ver"])
    except (InvalidToken, KeyError, ValueError, TypeError):
        return None
    user = session.get(User, user_id)
    if user is None:
        return None
    if version != user.session_version:
        return None  # signed out everywhere (or the password changed) since it was issued
    return user


def end_sessions(*, session: Session, user_id: int) -> None:
    """Sign a user out everywhere: every page session and API token issued until now stops
    working."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        session.commit()


def get_organisation(*, session: Session, organisation_id: int) -> Organisation | None:
    return session.get(Organisation, organisation_id)
