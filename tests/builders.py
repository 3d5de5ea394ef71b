"""The test builders, one set for the whole suite: each takes a session, writes, commits, returns.

Rows are written directly (not through the services) so a test states exactly what it needs;
the services themselves are tested through their own tests. A closed round is summarised by the
app's own aggregate (app.results.summaries), as closing one does. Keep them plain functions,
free of assertions.
"""

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import NamedTuple

from sqlalchemy import func, insert
from sqlmodel import Session, select

from app.accounts.models import Organisation, User
from app.accounts.organisations import name_key
from app.accounts.service import ACCESS_TOKEN, SESSION_TOKEN, issue_token
from app.core.csrf import CSRF_COOKIE
from app.db import utcnow
from app.lifecycle.models import Round
from app.results.summaries import summarise_round
from app.rounds.service import close_round
from app.security import hash_password
from app.statements.loader import StatementSet, get_statement_sets
from app.statements.service import record_set_use
from app.survey.answers import pack_answers
from app.survey.links import add_links
from app.survey.models import InvitationCode, Rating, RoundLink, SurveyResponse
from app.vocabulary import SELF_ASSESSMENT, RoundStatus

SET_KEY = "child-and-family-2019"
NUMBERS = tuple(range(1, 33))
PASSWORD = "a long enough pass phrase"
_PASSWORD_HASH = hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once per run
_numbers = itertools.count(1)

# Respondent type -> one {statement number: score} per response (None is "I do not know").
Answers = dict[str, list[dict[int, int | None]]]


def statement_set() -> StatementSet:
    return get_statement_sets()[SET_KEY]


# Organisations and people


def make_organisation(
    session: Session,
    *,
    name: str | None = None,
    employer_type: str = "local_authority",
    region: str = "london",
    teaching_partnership: str | None = None,
    programmes: tuple[str, ...] = ("adults", "child_and_family"),
    status: str = "approved",
) -> Organisation:
    """An organisation, approved unless told otherwise (so that it counts, rule 15)."""
    name = name or f"Organisation {next(_numbers)}"
    organisation = Organisation(
        status=status,
        name=name,
        name_key=name_key(name),
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
    organisation_role: str | None = None,
) -> User:
    """An account whose password is PASSWORD; an employer is a lead unless told otherwise."""
    if organisation_role is None and role == "employer":
        organisation_role = "lead"
    user = User(
        email=email or f"{role}.{next(_numbers)}@example.org",
        password_hash=_PASSWORD_HASH,
        role=role,
        organisation_role=organisation_role,
        organisation_id=organisation.id if organisation else None,
    )
    session.add(user)
    session.commit()
    return user


def make_employer(
    session: Session, *, organisation: Organisation | None = None, email: str | None = None,
    organisation_role: str = "lead",
) -> User:
    """An employer account (a lead unless told otherwise), of a new organisation unless one is
    given."""
    organisation = organisation or make_organisation(session)
    return make_user(session, role="employer", organisation=organisation, email=email,
                     organisation_role=organisation_role)


def make_national_user(session: Session, *, email: str | None = None) -> User:
    return make_user(session, role="national", email=email)


# Rounds and their answers


def make_round(
    session: Session,
    *,
    organisation: Organisation,
    programme: str = "child_and_family",
    year: str = "2025-26",
    status: str = RoundStatus.DRAFT,
    expected: Mapping[str, int] | None = None,
    responses: Mapping[str, int] | None = None,
    answers: Answers | None = None,
    statement_set: StatementSet | None = None,
    closes_on: date | None = None,
) -> Round:
    """A round with a link per anonymous type; `responses` adds that many per type, every
    statement rated 4, and `answers` adds responses with chosen ratings. A closed round is
    summarised, as closing does. An opened round closes 28 days from now unless told."""
    chosen = statement_set or get_statement_sets()[SET_KEY]
    record_set_use(session=session, statement_set=chosen)
    # Each at least k, so that no type is pooled only for being expected below k (rule 5).
    expected = expected or {"nqsw": 6, "line_manager": 3, "other": 3}
    now = utcnow()
    round_ = Round(
        organisation_id=organisation.id,
        programme=programme,
        year=year,
        statement_set=chosen.key,
        status=status,
        expected_nqsw=expected.get("nqsw", 0),
        expected_line_manager=expected.get("line_manager", 0),
        expected_other=expected.get("other", 0),
        opened_at=None if status == RoundStatus.DRAFT else now,
        closed_at=now if status == RoundStatus.CLOSED else None,
        closes_on=closes_on or (None if status == RoundStatus.DRAFT
                                else now.date() + timedelta(days=28)),
    )
    session.add(round_)
    session.flush()
    add_links(session=session, round_id=round_.id)
    for respondent_type, count in (responses or {}).items():
        for _ in range(count):
            add_response(session, round_=round_, respondent_type=respondent_type, commit=False)
    add_answers(session, round_=round_, answers=answers or {})
    if status == RoundStatus.CLOSED:
        session.flush()
        summarise_round(session=session, round_id=round_.id)
    session.commit()
    return round_


# A round with these answers, closed (and summarised) the way the service closes one.
make_closed_round = partial(make_round, status=RoundStatus.CLOSED)


def full_ratings(score: int | None = 4, **overrides: int | None) -> dict[str, int | None]:
    """Every statement of the set answered with `score`, as the API takes ratings;
    `s7=None`-style keyword overrides by number."""
    ratings: dict[str, int | None] = {str(n): score for n in statement_set().numbers}
    ratings.update({key.removeprefix("s"): value for key, value in overrides.items()})
    return ratings


def add_response(
    session: Session,
    *,
    round_: Round,
    respondent_type: str,
    score: int | None = 4,
    commit: bool = True,
) -> SurveyResponse:
    """One response rating every statement `score`."""
    response = _response(session, round_, respondent_type, dict.fromkeys(NUMBERS, score))
    if commit:
        session.commit()
    return response


def add_answers(session: Session, *, round_: Round, answers: Answers) -> None:
    """Store responses with chosen ratings. The caller commits (and summarises a closed round)."""
    for respondent_type, responses in answers.items():
        for ratings in responses:
            _response(session, round_, respondent_type, ratings)


def _response(session: Session, round_: Round, respondent_type: str,
              ratings: Mapping[int, int | None]) -> SurveyResponse:
    """Stored as the service stores it: an anonymous response of a round not yet closed holds
    its answers packed (app.survey.answers); the self-assessment, and every response of a
    closed round, hold theirs in rating rows."""
    if round_.status != RoundStatus.CLOSED and respondent_type != SELF_ASSESSMENT:
        response = SurveyResponse(round_id=round_.id, respondent_type=respondent_type,
                                  answers=pack_answers(ratings, statement_set()))
        session.add(response)
        session.flush()
        return response
    response = SurveyResponse(round_id=round_.id, respondent_type=respondent_type)
    session.add(response)
    session.flush()
    session.execute(insert(Rating), [
        {"response_id": response.id, "statement_number": number, "score": score}
        for number, score in ratings.items()
    ])
    return response


def random_answers(
    rng: random.Random,
    *,
    nqsw: int,
    line_manager: int,
    other: int,
    self_assessment: bool = True,
    dont_know: float = 0.1,
) -> Answers:
    def one() -> dict[int, int | None]:
        return {n: None if rng.random() < dont_know else rng.randint(1, 5) for n in NUMBERS}

    answers = {
        "nqsw": [one() for _ in range(nqsw)],
        "line_manager": [one() for _ in range(line_manager)],
        "other": [one() for _ in range(other)],
    }
    if self_assessment:
        answers["self_assessment"] = [{n: rng.randint(1, 5) for n in NUMBERS}]
    return answers


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


# The survey of a round


@dataclass
class SurveyRound:
    round: Round
    organisation: Organisation
    links: dict[str, str]  # respondent type → token

    @property
    def token(self) -> str:
        return self.links["nqsw"]


class Stored(NamedTuple):
    responses: int
    answers: int  # ratings stored, in rating rows or packed in responses (one per statement)
    used_codes: int


def make_survey_round(
    session: Session, *, status: str = RoundStatus.OPEN, name: str = "Riverside Council"
) -> SurveyRound:
    """A 2025-26 child and family round of a new organisation, with a link per anonymous type."""
    organisation = make_organisation(session, name=name, programmes=("child_and_family",))
    round_ = make_round(session, organisation=organisation, status=status)
    links = session.exec(
        select(RoundLink.respondent_type, RoundLink.token).where(RoundLink.round_id == round_.id)
    ).all()
    return SurveyRound(round=round_, organisation=organisation, links=dict(links))


def set_status(session: Session, survey_round: SurveyRound, status: str) -> None:
    round_ = session.get(Round, survey_round.round.id)
    round_.status = status
    session.add(round_)
    session.commit()


def count_stored(session: Session) -> Stored:
    """What the survey tables hold now, including rows committed by other connections."""
    session.rollback()  # end any snapshot
    return Stored(
        responses=session.exec(select(func.count()).select_from(SurveyResponse)).one(),
        answers=session.exec(select(func.count()).select_from(Rating)).one()
        + session.exec(select(func.coalesce(func.sum(func.length(SurveyResponse.answers)), 0))
                       ).one(),
        used_codes=session.exec(
            select(func.count()).select_from(InvitationCode).where(InvitationCode.used)
        ).one(),
    )


def packed_and_rated(session: Session, round_id: int) -> tuple[list[str | None], int]:
    """The round's responses' `answers` columns, and how many rating rows the round has: what
    an open round holds (answers packed, no ratings) or a closed one (no answers, ratings)."""
    session.rollback()  # end any snapshot
    answers = session.exec(select(SurveyResponse.answers)
                           .where(SurveyResponse.round_id == round_id)).all()
    ratings = session.exec(select(func.count()).select_from(Rating).join(SurveyResponse)
                           .where(SurveyResponse.round_id == round_id)).one()
    return list(answers), ratings


def close_and_read_ratings(session: Session, round_id: int) -> list[dict[int, int | None]]:
    """Close the round by the service (app.rounds.service.close_round), then each of its
    anonymous responses' ratings as the rating rows hold them, in a sorted order (closing
    orders them at random)."""
    close_round(session=session, round_id=round_id)
    rows = session.exec(
        select(SurveyResponse.id, Rating.statement_number, Rating.score)
        .join(Rating, Rating.response_id == SurveyResponse.id)
        .where(SurveyResponse.round_id == round_id,
               SurveyResponse.respondent_type != SELF_ASSESSMENT)).all()
    by_response: dict[str, dict[int, int | None]] = {}
    for response_id, number, score in rows:
        by_response.setdefault(response_id, {})[number] = score
    return sorted((dict(sorted(r.items())) for r in by_response.values()),
                  key=lambda r: [-1 if s is None else s for s in r.values()])


# Signing in, for client tests


def api_headers(user: User | None) -> dict[str, str]:
    """A bearer token's Authorization header for `user` (none for None)."""
    if user is None:
        return {}
    return {"Authorization": f"Bearer {issue_token(user=user, kind=ACCESS_TOKEN).token}"}


def bearer(client, user: User) -> dict[str, str]:
    """Sign in through the API, as a script would, and return the Authorization header."""
    response = client.post("/api/v1/auth/token",
                           data={"username": user.email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


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


# What the services publish, as the API's JSON


def national_results(session: Session, **query) -> dict:
    """build_national_results for NationalQuery(**query), as the JSON the API sends."""
    from app.national.query import NationalQuery
    from app.national.service import build_national_results

    return build_national_results(session=session, query=NationalQuery(**query)).model_dump(
        mode="json")


def round_report(session: Session, round_: Round) -> dict:
    """build_round_report for a round, as the JSON the API sends."""
    from app.reports.service import build_round_report

    return build_round_report(session=session, round_=round_).model_dump(mode="json")
