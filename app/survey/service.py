"""Use cases of the anonymous survey: find a survey by link or code, store a response, issue codes.

Rules 2 and 3 meet here. A response is stored whole (the response and every rating) or not at
all, only while its round is open, at most once per idempotency key, and with nothing that could
tell who gave it: the code that let someone in is only marked used, and the idempotency record
keeps a keyed hash of the key, never the response it produced.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import Organisation
from app.config import get_settings
from app.ratelimit import limiter
from app.rounds.models import Round, RoundLink
from app.security import keyed_hash
from app.statements.loader import StatementSet, get_statement_sets
from app.statements.reference import ANONYMOUS_TYPES, get_reference
from app.survey.models import (
    IdempotencyRecord,
    InvitationCode,
    Rating,
    Response,
    new_response_id,
)
from app.survey.ratings import parse_ratings

# Codes are typed by people: no 0/O, 1/I/L, so nobody has to guess which one they are looking at.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12 ≈ 2^59: far beyond guessing under the per-address ceiling
CODE_GROUP = 4
MAX_CODES_PER_BATCH = 1000
_CEILING_WINDOW_SECONDS = 60


class SurveyUnavailable(Exception):
    """The survey cannot be answered; subclasses say why."""


class SurveyNotFound(SurveyUnavailable):
    """No round has this link (or this code)."""


class SurveyNotOpen(SurveyUnavailable):
    """The round is still a draft: its links do not work yet."""


class SurveyClosed(SurveyUnavailable):
    """The round has closed: it never takes another response."""


class CodeAlreadyUsed(SurveyUnavailable):
    """The single-use code has already been used to send a response."""


class TooManyAttempts(Exception):
    """A ceiling is reached (submissions per link, codes per address); `message` says which."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Survey:
    """What a respondent answers: one round, as one respondent type, against one statement set."""

    round_id: int
    status: str
    organisation_name: str
    programme: str
    year: str
    respondent_type: str
    statement_set: StatementSet
    # What idempotency keys are scoped to: the link token, or the code for a code-bound survey.
    # Kept out of repr, so that a survey written to a log never carries either.
    secret: str = field(repr=False)
    code: str | None = field(default=None, repr=False)
    code_used: bool = False

    @property
    def programme_label(self) -> str:
        return get_reference().label("programmes", self.programme)

    @property
    def respondent_type_label(self) -> str:
        return get_reference().label("respondent_types", self.respondent_type)


@dataclass(frozen=True)
class Submission:
    """The outcome of a submission; `repeated` when an earlier one with its key stored it."""

    survey: Survey
    repeated: bool = False


def find_survey(*, session: Session, token: str) -> Survey:
    """The survey behind a link token, whatever its round's status; SurveyNotFound otherwise."""
    row = session.exec(
        select(*_SURVEY_COLUMNS, RoundLink.respondent_type)
        .join(Round, Round.id == RoundLink.round_id)
        .join(Organisation, Organisation.id == Round.organisation_id)
        .where(RoundLink.token == token, RoundLink.respondent_type.in_(ANONYMOUS_TYPES))
    ).first()
    if row is None:
        raise SurveyNotFound
    return _survey_from(row, secret=token)


def find_survey_by_code(*, session: Session, code: str) -> Survey:
    """The survey a single-use code belongs to, used or not; SurveyNotFound for an unknown code."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH:
        raise SurveyNotFound
    row = session.exec(
        select(*_SURVEY_COLUMNS, InvitationCode.respondent_type, InvitationCode.used)
        .join(Round, Round.id == InvitationCode.round_id)
        .join(Organisation, Organisation.id == Round.organisation_id)
        .where(InvitationCode.code_hash == hash_code(normalised))
    ).first()
    if row is None:
        raise SurveyNotFound
    return _survey_from(row, secret=f"code:{normalised}", code=normalised, code_used=row.used)


def ensure_answerable(survey: Survey) -> Survey:
    """The survey itself when it takes a response now; SurveyUnavailable saying why otherwise."""
    _check_status(survey.status)
    if survey.code_used:
        raise CodeAlreadyUsed
    return survey


def submit_response(
    *, session: Session, survey: Survey, ratings: Mapping[str, Any], idempotency_key: str | None
) -> Submission:
    """Store one anonymous response and all its ratings in one transaction, or nothing.

    Refuses, with nothing stored: more submissions for one link in a minute than the ceiling
    (TooManyAttempts), ratings that break rule 3 (RatingsError naming every
    statement), a round that is not open, a code already used. A submission repeating the
    idempotency key of one already stored stores nothing and returns `repeated=True`, even when
    the two race, and even though its code is now used (a double click with a code).
    """
    _count_submission(survey)
    parsed = parse_ratings(ratings, survey.statement_set)
    key_hash = keyed_hash(survey.secret + idempotency_key) if idempotency_key else None
    try:
        # Plain INSERTs, not the ORM's unit of work, and every rating in one statement: this is
        # the launch-day hot path, where the ORM's bookkeeping and 32 separate executions cost
        # more than the SQL itself (bench/README.md, benchmark 1).
        if key_hash is not None:
            # First, so a retry (or a racing twin, held on the unique key) stops before storing.
            session.execute(insert(IdempotencyRecord).values(
                key_hash=key_hash, round_id=survey.round_id,
                respondent_type=survey.respondent_type))
        ensure_answerable(survey)
        if survey.code is not None:
            _use_code(session, survey)
        response_id = new_response_id()
        session.execute(insert(Response).values(
            id=response_id, round_id=survey.round_id, respondent_type=survey.respondent_type))
        values = {"response_id": response_id}
        for i, (number, score) in enumerate(parsed.items()):
            values[f"n{i}"], values[f"s{i}"] = number, score
        session.execute(_insert_ratings(len(parsed)), values)
        _check_status(_locked_status(session, survey.round_id))
        session.commit()
    except IntegrityError:
        session.rollback()
        if key_hash is not None and session.get(IdempotencyRecord, key_hash) is not None:
            return Submission(survey=survey, repeated=True)
        raise
    except BaseException:
        session.rollback()
        raise
    return Submission(survey=survey)


def create_codes(*, session: Session, round_id: int, respondent_type: str, count: int) -> list[str]:
    """Issue `count` single-use codes for one round and respondent type; return them formatted.

    Only keyed hashes are stored, so the codes are shown once, here, and never again.
    """
    codes = add_codes(session=session, round_id=round_id, respondent_type=respondent_type,
                      count=count)
    session.commit()
    return codes


def add_codes(*, session: Session, round_id: int, respondent_type: str, count: int) -> list[str]:
    """Stage new codes in the caller's transaction (which commits), so a batch of several types
    is stored whole or not at all."""
    if respondent_type not in ANONYMOUS_TYPES:
        raise ValueError(f"codes are for anonymous respondent types, not {respondent_type!r}")
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValueError(f"issue between 1 and {MAX_CODES_PER_BATCH} codes at a time")
    codes = {_new_code() for _ in range(count)}
    while len(codes) < count:  # a repeat in 2^59 is all but impossible; keep the count exact
        codes.add(_new_code())
    session.execute(
        insert(InvitationCode),
        [{"round_id": round_id, "respondent_type": respondent_type, "code_hash": hash_code(code),
          "used": False} for code in codes],
    )
    return [format_code(code) for code in codes]


def normalise_code(code: str) -> str:
    """What a person typed, as the code itself: capitals, without spaces or hyphens."""
    return "".join(code.split()).replace("-", "").replace("–", "").upper()


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read out and type than twelve letters in a row."""
    return "-".join(code[i:i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def hash_code(code: str) -> str:
    return keyed_hash(f"invitation-code:{normalise_code(code)}")


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


_SURVEY_COLUMNS = (
    Round.id.label("round_id"),
    Round.status,
    Round.programme,
    Round.year,
    Round.statement_set,
    Organisation.name.label("organisation_name"),
)


def _survey_from(row, *, secret: str, code: str | None = None, code_used: bool = False) -> Survey:
    return Survey(
        round_id=row.round_id,
        status=row.status,
        organisation_name=row.organisation_name,
        programme=row.programme,
        year=row.year,
        respondent_type=row.respondent_type,
        statement_set=get_statement_sets()[row.statement_set],
        secret=secret,
        code=code,
        code_used=code_used,
    )


def count_code_attempt(*, address: str) -> None:
    """Count one code tried from `address`; TooManyAttempts past the ceiling.

    Checked before the code is looked up, so a flood learns nothing. The ceiling is the one on
    submissions per link: codes are far too long to guess, so it only has to stop a flood, and
    a whole organisation behind one address never meets it.
    """
    _hit(f"survey-codes:{address}",
         "Too many codes have been tried from your network in the last minute.")


def _count_submission(survey: Survey) -> None:
    # Per link (round and respondent type), so codes of one type share their link's ceiling.
    _hit(f"survey-submissions:{survey.round_id}:{survey.respondent_type}",
         "Too many answers were sent with this link in the last minute.")


def _hit(key: str, message: str) -> None:
    limit = get_settings().submissions_per_link_per_minute
    if not limiter.hit(key, limit=limit, window_seconds=_CEILING_WINDOW_SECONDS):
        retry_after = limiter.retry_after(key, window_seconds=_CEILING_WINDOW_SECONDS)
        raise TooManyAttempts(message, retry_after=retry_after)


def _check_status(status: str | None) -> None:
    if status == "draft":
        raise SurveyNotOpen
    if status != "open":
        raise SurveyClosed


def _use_code(session: Session, survey: Survey) -> None:
    # One conditional update: of two racing uses, the second waits for the first and then finds
    # nothing to update, so exactly one response goes with each code.
    result = session.exec(
        update(InvitationCode)
        .where(InvitationCode.code_hash == hash_code(survey.code or ""),
               InvitationCode.round_id == survey.round_id,
               InvitationCode.used.is_(False))
        .values(used=True)
    )
    if result.rowcount != 1:
        raise CodeAlreadyUsed


@lru_cache
def _insert_ratings(count: int) -> TextClause:
    """One INSERT of `count` ratings of one response (params response_id, n0, s0, n1, s1, …).

    Written once per set size and cached, so SQLAlchemy does not rebuild and re-key a
    96-parameter statement on every submission.
    """
    rows = ", ".join(f"(:response_id, :n{i}, :s{i})" for i in range(count))
    return text(f"INSERT INTO {Rating.__tablename__} (response_id, statement_number, score) "
                f"VALUES {rows}")


def _locked_status(session: Session, round_id: int) -> str | None:
    """The round's status re-read after the writes, inside the same transaction.

    On PostgreSQL the share lock makes a racing close wait for this commit (so the close sees
    this response) or makes this read wait for the close (and refuse). On SQLite the writes
    before it hold the database's write lock, so it sees any close committed before them.
    """
    return session.exec(
        select(Round.status).where(Round.id == round_id).with_for_update(read=True)
    ).one_or_none()
