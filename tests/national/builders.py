"""Builders for national tests: organisations, rounds of real responses, users and tokens."""

import itertools

from sqlmodel import Session

from app.accounts.models import Organisation
from app.accounts.service import SESSION_TOKEN, create_user, issue_token
from app.db import utcnow
from app.reports.summaries import summarise_round
from app.rounds.models import Round
from app.statements.loader import StatementSet, get_statement_sets
from app.statements.service import record_set_use
from tests.builders import add_answers

SET_KEY = "child-and-family-2019"
NUMBERS = tuple(range(1, 33))
PASSWORD = "a-long-enough-password"
_names = itertools.count(1)

# Respondent type -> one dict per response: statement number -> score (None: "I do not know").
Answers = dict[str, list[dict[int, int | None]]]


def make_organisation(
    session: Session, *, region: str = "london", employer_type: str = "local_authority",
    teaching_partnership: str | None = None, programmes: tuple[str, ...] = ("child_and_family",),
) -> Organisation:
    organisation = Organisation(
        name=f"Organisation {next(_names)}", employer_type=employer_type, region=region,
        teaching_partnership=teaching_partnership, programmes=list(programmes),
    )
    session.add(organisation)
    session.commit()
    return organisation


def make_round(
    session: Session, *, organisation: Organisation, answers: Answers | None = None,
    year: str = "2025-26", programme: str = "child_and_family", status: str = "closed",
    statement_set: StatementSet | None = None,
) -> Round:
    """A round with these responses; a closed one is summarised as closing a round does."""
    statement_set = statement_set or get_statement_sets()[SET_KEY]
    record_set_use(session=session, statement_set=statement_set)
    round_ = Round(
        organisation_id=organisation.id, programme=programme, year=year,
        statement_set=statement_set.key, status=status,
        opened_at=utcnow() if status != "draft" else None,
        closed_at=utcnow() if status == "closed" else None,
    )
    session.add(round_)
    session.flush()
    add_answers(session, round_=round_, answers=answers or {})
    if status == "closed":
        summarise_round(session=session, round_id=round_.id)
    session.commit()
    return round_


def same_answers(scores: dict[str, list[int | None]], **overrides: dict[str, list]) -> Answers:
    """Each response gives its score to every statement, except for the statements overridden.

    `scores` is respondent type -> one score per response; an override is keyed `s12` and maps
    a type to that statement's scores, one per response of the type.
    """
    answers: Answers = {}
    for respondent_type, per_response in scores.items():
        answers[respondent_type] = []
        for index, score in enumerate(per_response):
            ratings = dict.fromkeys(NUMBERS, score)
            for key, override in overrides.items():
                if respondent_type in override:
                    ratings[int(key.removeprefix("s"))] = override[respondent_type][index]
            answers[respondent_type].append(ratings)
    return answers


def make_user(session: Session, *, role: str, organisation: Organisation | None = None):
    return create_user(
        session=session, email=f"{role}{next(_names)}@example.org", password=PASSWORD,
        role=role, organisation_id=organisation.id if organisation else None,
    )


def bearer(client, user) -> dict[str, str]:
    """Sign in through the API, as a script would, and return the Authorization header."""
    response = client.post("/api/v1/auth/token",
                            data={"username": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def sign_in_page(client, user) -> None:
    """A page session for this user (the sign-in journey itself is the accounts domain's)."""
    client.cookies.set("asye360_session", issue_token(user=user, kind=SESSION_TOKEN).token)
