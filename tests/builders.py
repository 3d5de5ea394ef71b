"""Plain builders shared by the tests: each takes a session, writes rows, commits, returns them.

Rows are written directly (not through the services) so a test states exactly what it needs;
the services themselves are tested through their own tests. Add builders here as plain
functions; keep them free of assertions.
"""

import itertools
from collections.abc import Mapping

from sqlalchemy import insert
from sqlmodel import Session

from app.accounts.models import Organisation, User
from app.accounts.service import ACCESS_TOKEN, SESSION_TOKEN, issue_token
from app.db import utcnow
from app.middleware import CSRF_COOKIE
from app.reports.summaries import summarise_round
from app.rounds.models import Round, RoundLink
from app.security import hash_password, new_token
from app.statements.loader import get_statement_sets
from app.statements.reference import ANONYMOUS_TYPES
from app.statements.service import record_set_use
from app.survey.models import Rating, Response

SET_KEY = "child-and-family-2019"
PASSWORD = "a long enough pass phrase"
_PASSWORD_HASH = hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once per run
_numbers = itertools.count(1)


def make_organisation(
    session: Session,
    *,
    name: str | None = None,
    employer_type: str = "local_authority",
    region: str = "london",
    teaching_partnership: str | None = None,
    programmes: tuple[str, ...] = ("adults", "child_and_family"),
) -> Organisation:
    organisation = Organisation(
        name=name or f"Organisation {next(_numbers)}",
        employer_type=employer_type,
        region=region,
        teaching_partnership=teaching_partnership,
        programmes=list(programmes),
    )
    session.add(organisation)
    session.commit()
    return organisation


def make_user(
    session: Session,
    *,
    role: str = "employer",
    organisation: Organisation | None = None,
    email: str | None = None,
) -> User:
    """An account whose password is PASSWORD."""
    user = User(
        email=email or f"{role}.{next(_numbers)}@example.org",
        password_hash=_PASSWORD_HASH,
        role=role,
        organisation_id=organisation.id if organisation else None,
    )
    session.add(user)
    session.commit()
    return user


def make_employer(
    session: Session, *, organisation: Organisation | None = None, email: str | None = None
) -> User:
    """An employer account, of a new organisation unless one is given."""
    organisation = organisation or make_organisation(session)
    return make_user(session, role="employer", organisation=organisation, email=email)


def make_national_user(session: Session, *, email: str | None = None) -> User:
    return make_user(session, role="national", email=email)


def make_round(
    session: Session,
    *,
    organisation: Organisation,
    programme: str = "child_and_family",
    year: str = "2025-26",
    status: str = "draft",
    expected: Mapping[str, int] | None = None,
    responses: Mapping[str, int] | None = None,
) -> Round:
    """A round with a link per anonymous type; `responses` adds that many per type, every
    statement rated 4. A closed round is summarised, as closing does."""
    record_set_use(session=session, statement_set=get_statement_sets()[SET_KEY])
    expected = expected or {"nqsw": 6, "line_manager": 3, "other": 2}
    now = utcnow()
    round_ = Round(
        organisation_id=organisation.id,
        programme=programme,
        year=year,
        statement_set=SET_KEY,
        status=status,
        expected_nqsw=expected.get("nqsw", 0),
        expected_line_manager=expected.get("line_manager", 0),
        expected_other=expected.get("other", 0),
        opened_at=None if status == "draft" else now,
        closed_at=now if status == "closed" else None,
    )
    session.add(round_)
    session.flush()
    session.add_all(
        RoundLink(round_id=round_.id, respondent_type=t, token=new_token())
        for t in ANONYMOUS_TYPES
    )
    for respondent_type, count in (responses or {}).items():
        for _ in range(count):
            add_response(session, round_=round_, respondent_type=respondent_type, commit=False)
    if status == "closed":
        session.flush()
        summarise_round(session=session, round_id=round_.id)
    session.commit()
    return round_


def full_ratings(score: int | None = 4) -> dict[str, int | None]:
    """Every statement of the set answered with `score`, as the API takes ratings."""
    return {str(n): score for n in get_statement_sets()[SET_KEY].numbers}


def add_response(
    session: Session,
    *,
    round_: Round,
    respondent_type: str,
    score: int | None = 4,
    commit: bool = True,
) -> Response:
    response = Response(round_id=round_.id, respondent_type=respondent_type)
    session.add(response)
    session.flush()
    session.execute(
        insert(Rating),
        [{"response_id": response.id, "statement_number": n, "score": score}
         for n in get_statement_sets()[SET_KEY].numbers],
    )
    if commit:
        session.commit()
    return response


def add_answers(
    session: Session, *, round_: Round, answers: Mapping[str, list[Mapping[int, int | None]]]
) -> None:
    """Store responses with chosen ratings: respondent type -> one {statement: score} each
    (None is "I do not know"). The caller commits (and summarises a closed round)."""
    for respondent_type, responses in answers.items():
        for ratings in responses:
            response = Response(round_id=round_.id, respondent_type=respondent_type)
            session.add(response)
            session.flush()
            session.execute(insert(Rating), [
                {"response_id": response.id, "statement_number": number, "score": score}
                for number, score in ratings.items()
            ])


# Signing in, for client tests


def api_headers(user: User | None) -> dict[str, str]:
    """A bearer token's Authorization header for `user` (none for None)."""
    if user is None:
        return {}
    return {"Authorization": f"Bearer {issue_token(user=user, kind=ACCESS_TOKEN).token}"}


def sign_in(client, user: User | None) -> None:
    """Give the test client `user`'s page session cookie (or none for None)."""
    client.cookies.delete("asye360_session")
    if user is not None:
        client.cookies.set("asye360_session", issue_token(user=user, kind=SESSION_TOKEN).token)


def csrf_token(client) -> str:
    """The client's CSRF token, which page forms must send back as `csrf_token`."""
    if not client.cookies.get(CSRF_COOKIE):
        client.get("/")
    return client.cookies.get(CSRF_COOKIE)


def post_form(client, url: str, data: Mapping | None = None, **kwargs):
    """POST a page form with the CSRF token, as the browser would."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)
