"""Use cases of the survey: find a survey by link or code, store a response, the self-assessment.

Rules 2 and 3 meet here. A response is stored whole (the response and every answer) or not at
all, only while its round is open, at most once per idempotency key, and with nothing that could
tell who gave it: the code that let someone in is only marked used, and the idempotency record
keeps a keyed hash of the key, never the response it produced. This domain writes every table
of app.survey.models; other domains read them.
"""

import secrets
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, TextClause, delete, func, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import ratelimit
from app.accounts.models import Organisation
from app.config import get_settings
from app.errors import DomainError, Forbidden, NotFound, TooManyAttempts
from app.lifecycle.models import Round
from app.lifecycle.service import (
    RoundClosed,
    RoundNotOpen,
    ensure_open,
    lock_unclosed_round,
    status_of,
)
from app.security import keyed_hash
from app.statements.loader import StatementSet, get_statement_sets
from app.survey.answers import pack_answers, unpack_answers
from app.survey.codes import CODE_LENGTH, CodeAlreadyUsed, hash_code, normalise_code, use_code
from app.survey.links import SHORT_CODE_LENGTH
from app.survey.models import (
    IdempotencyRecord,
    InvitationCode,
    Rating,
    RoundLink,
    SurveyResponse,
    new_response_id,
)
from app.survey.ratings import parse_ratings
from app.vocabulary import ANONYMOUS_TYPES, RESPONDENT_TYPES, SELF_ASSESSMENT

_CEILING_WINDOW_SECONDS = 60


class SurveyNotFound(NotFound):
    """No round has this link (or this code)."""

    message = "No survey has this link or code. Check it was copied in full."


class SurveyNotOpen(RoundNotOpen):
    """The round is still a draft: its links do not work yet (they will)."""

    template = "survey/not_open.html"
    message = "This evaluation is not open yet, so it cannot take responses."


class OwnSurvey(Forbidden):
    """Rule 11: the organisation does not answer its own anonymous survey."""

    message = ("You are signed in to the organisation that runs this evaluation, so these "
               "answers were not sent. The survey is for your own organisation's NQSWs, line "
               "managers and others to answer anonymously; your organisation's view goes in its "
               "self-assessment. To answer as a respondent, sign out first.")


class SurveyClosed(RoundClosed):
    """The round has closed: it never takes another response."""

    template = "survey/closed.html"
    page_status = 410  # gone for good
    message = "This evaluation has closed. It takes no more responses."


class AnswersNotRecorded(SurveyClosed):
    """Answers sent after the round closed (rule 12): refused, and the page says so plainly."""

    template = "survey/not_recorded.html"
    message = "This evaluation has closed, so your answers were not recorded."


@dataclass(frozen=True)
class Survey:
    """What a respondent answers: one round, as one respondent type, against one statement set."""

    round_id: int
    status: str
    organisation_id: int
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
    closes_on: date | None = None  # rule 12: respondents see it


@dataclass(frozen=True)
class Submission:
    """The outcome of a submission; `repeated` when an earlier one with its key stored it."""

    survey: Survey
    repeated: bool = False


_SURVEY_COLUMNS = (
    Round.id.label("round_id"),
    Round.status,
    Round.programme,
    Round.year,
    Round.statement_set,
    Organisation.id.label("organisation_id"),
    Round.closes_on,
    Organisation.name.label("organisation_name"),
)


def find_survey(*, session: Session, token: str) -> Survey:
    """The survey behind a link token, whatever its round's status; SurveyNotFound otherwise."""
    row = session.exec(survey_by_token(token)).first()
    if row is None:
        raise SurveyNotFound
    return survey_from(row, secret=token)


def survey_by_token(token: Any) -> Select:
    """find_survey's query: one row (a `survey_from` row) for a link's token, or none. `token` is
    the token or a bind parameter (app.survey.submit runs it from the event loop)."""
    return (
        select(*_SURVEY_COLUMNS, RoundLink.respondent_type)
        .join(Round, Round.id == RoundLink.round_id)
        .join(Organisation, Organisation.id == Round.organisation_id)
        .where(RoundLink.token == token, RoundLink.respondent_type.in_(ANONYMOUS_TYPES))
    )


_SHORT_LINK_WINDOW_SECONDS = 60 * 60


def follow_short_link(*, session: Session, short: str, address: str) -> str:
    """The token of the link with this short code, as typed (any case, with or without hyphens
    and spaces); SurveyNotFound for none.

    Short codes are short enough to guess at scale, so unknown ones count against `address`:
    past UNKNOWN_SHORT_LINKS_PER_ADDRESS_PER_HOUR every short link from there is refused
    (TooManyAttempts), found or not, before anything is looked up, so a refusal tells nothing.
    Only misses count: a whole organisation typing the poster's link from one address never
    meets the limit.
    """
    key = f"short-link-misses:{address}"
    limit = get_settings().unknown_short_links_per_address_per_hour
    if get_settings().rate_limits_on:
        counted = ratelimit.peek(key, window_seconds=_SHORT_LINK_WINDOW_SECONDS)
        if counted.count >= limit:
            _too_many_short_links(counted)
    normalised = normalise_code(short)
    token = None
    if len(normalised) == SHORT_CODE_LENGTH:
        token = session.exec(
            select(RoundLink.token).where(RoundLink.short_code == normalised)
        ).first()
    if token is None:
        if refused := ratelimit.hit(key, limit=limit, window_seconds=_SHORT_LINK_WINDOW_SECONDS):
            _too_many_short_links(refused)
        raise SurveyNotFound
    return token


def _too_many_short_links(counted: ratelimit.Count) -> None:
    _too_many("Too many links that do not exist have been tried from your network in the "
              "last hour.", counted.retry_after(_SHORT_LINK_WINDOW_SECONDS))


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
    return survey_from(row, secret=f"code:{normalised}", code=normalised, code_used=row.used)


def survey_from(row, *, secret: str, code: str | None = None, code_used: bool = False) -> Survey:
    return Survey(
        round_id=row.round_id,
        status=row.status,
        organisation_id=row.organisation_id,
        organisation_name=row.organisation_name,
        programme=row.programme,
        year=row.year,
        respondent_type=row.respondent_type,
        statement_set=get_statement_sets()[row.statement_set],
        secret=secret,
        code=code,
        code_used=code_used,
        closes_on=row.closes_on,
    )


def _ensure_answerable_status(status: str | None) -> None:
    ensure_open(status, not_open=SurveyNotOpen, closed=SurveyClosed)


def ensure_answerable(survey: Survey) -> Survey:
    """The survey itself when its round takes responses now; a refusal saying why otherwise.

    Whether a code was used is not checked here: entering a code, or reading the pages it opens,
    never tells a used code from an unused one (rule 11); only sending answers does.
    """
    _ensure_answerable_status(survey.status)
    return survey


def ensure_not_own_organisation(survey: Survey, organisation_id: int | None) -> None:
    """OwnSurvey when the one sending answers is signed in to the round's own organisation."""
    if organisation_id is not None and organisation_id == survey.organisation_id:
        raise OwnSurvey


def submit_response(
    *, session: Session, survey: Survey, ratings: Mapping[str, Any], idempotency_key: str | None,
    address: str, signed_in_organisation: int | None = None,
) -> Submission:
    """Store one anonymous response, its answers packed in its row (app.survey.answers), in
    one transaction, or nothing.

    Refuses, with nothing stored: more submissions for one link in a minute than the ceiling, or
    more refused ones from `address` (TooManyAttempts, in place of the refusal), ratings that
    break rule 3 (RatingsError naming every statement), a round that is not open, a code
    already used. A refused submission counts against its address, not the link, so junk cannot
    shut a link for everyone (issue 13, item 4). A submission repeating the idempotency key of
    one already stored stores nothing and returns `repeated=True`, even when the two race, and
    even though its code is now used (a double click with a code). `address` is only counted
    (as a keyed hash), never stored with the response (rule 2). A submission carrying a session
    or token of the round's own organisation (`signed_in_organisation`) is refused (OwnSurvey,
    rule 11).
    """
    with refusals_counted(survey, address=address,
                          signed_in_organisation=signed_in_organisation):
        return _store_response(session, survey, ratings, idempotency_key)


@contextmanager
def refusals_counted(
    survey: Survey, *, address: str, signed_in_organisation: int | None
) -> Iterator[None]:
    """Around storing one submission, by whichever path: count it against its link, refuse it
    when it comes from the round's own organisation (rule 11), and when it is refused (any
    DomainError) give the link its count back and count the refusal against the address instead
    (issue 13, item 4: junk cannot shut a link for everyone)."""
    link_key = count_submission(round_id=survey.round_id, respondent_type=survey.respondent_type)
    try:
        ensure_not_own_organisation(survey, signed_in_organisation)
        yield
    except DomainError:
        if link_key is not None:
            ratelimit.forgive(link_key)
        _count_refusal(address)  # past its limit, a 429 replaces the refusal
        raise


@asynccontextmanager
async def refusals_counted_async(
    survey: Survey, *, address: str, signed_in_organisation: int | None
) -> AsyncIterator[None]:
    """`refusals_counted` awaited on the event loop (the limiter's own connections), for the
    submission that is itself awaited there (app.survey.submit): the same counts, in the same
    order, and the same refusals."""
    link_key = await count_submission_async(round_id=survey.round_id,
                                            respondent_type=survey.respondent_type)
    try:
        ensure_not_own_organisation(survey, signed_in_organisation)
        yield
    except DomainError:
        if link_key is not None:
            await ratelimit.forgive_async(link_key)
        await _hit_async(_refusals_key(address),
                         get_settings().refused_submissions_per_address_per_minute,
                         _REFUSALS_MESSAGE)
        raise


def _store_response(
    session: Session, survey: Survey, ratings: Mapping[str, Any], idempotency_key: str | None
) -> Submission:
    parsed = parse_ratings(ratings, survey.statement_set)
    key_hash = keyed_hash(survey.secret + idempotency_key) if idempotency_key else None
    try:
        # Plain INSERTs, not the ORM's unit of work, and the answers packed in the response row
        # (app.survey.answers; closing spreads them into ratings): this is the launch-day hot
        # path, where the ORM's bookkeeping and 32 rating rows cost more than the rest
        # (bench/README.md, benchmark 1).
        if key_hash is not None:
            # First, so a retry (or a racing twin, held on the unique key) stops before storing.
            session.execute(insert(IdempotencyRecord).values(
                key_hash=key_hash, round_id=survey.round_id,
                respondent_type=survey.respondent_type))
        ensure_answerable(survey)
        if survey.code_used:
            raise CodeAlreadyUsed
        if survey.code is not None:
            use_code(session, code=survey.code, round_id=survey.round_id)
        session.execute(insert(SurveyResponse).values(
            id=new_response_id(), round_id=survey.round_id,
            respondent_type=survey.respondent_type,
            answers=pack_answers(parsed, survey.statement_set)))
        _ensure_answerable_status(status_of(session, survey.round_id, shared_lock=True))
        session.commit()
    except IntegrityError:
        session.rollback()
        if key_hash is not None and session.get(IdempotencyRecord, key_hash) is not None:
            return Submission(survey=survey, repeated=True)
        raise
    except SurveyClosed as error:
        session.rollback()
        raise AnswersNotRecorded(context={"closes_on": survey.closes_on}) from error
    except BaseException:
        session.rollback()
        raise
    return Submission(survey=survey)


def _insert_rated_response(
    session: Session, round_id: int, respondent_type: str, ratings: Mapping[int, int | None]
) -> None:
    """A response with its ratings in `rating` rows: the self-assessment, which is read while
    the round is open (anonymous responses are stored packed until the round closes)."""
    response_id = new_response_id()
    session.execute(insert(SurveyResponse).values(
        id=response_id, round_id=round_id, respondent_type=respondent_type))
    values: dict[str, Any] = {"response_id": response_id}
    for i, (number, score) in enumerate(ratings.items()):
        values[f"n{i}"], values[f"s{i}"] = number, score
    session.execute(_insert_ratings(len(ratings)), values)


@lru_cache
def _insert_ratings(count: int) -> TextClause:
    """One INSERT of `count` ratings of one response (params response_id, n0, s0, n1, s1, …).

    Written once per set size and cached, so SQLAlchemy does not rebuild and re-key a
    96-parameter statement on every submission.
    """
    rows = ", ".join(f"(:response_id, :n{i}, :s{i})" for i in range(count))
    return text(f"INSERT INTO {Rating.__tablename__} (response_id, statement_number, score) "
                f"VALUES {rows}")


def count_code_attempt(*, address: str) -> None:
    """Count one code tried from `address`; TooManyAttempts past the ceiling.

    Checked before the code is looked up, so a flood learns nothing. The ceiling is the one on
    submissions per link: codes are far too long to guess, so it only has to stop a flood, and
    a whole organisation behind one address never meets it.
    """
    _hit(f"survey-codes:{address}", get_settings().submissions_per_link_per_minute,
         "Too many codes have been tried from your network in the last minute.")


def count_submission(*, round_id: int, respondent_type: str) -> str | None:
    """Count one submission against its link; the key counted under (None: limits are off).
    TooManyAttempts past the ceiling.

    Per link (round and respondent type), so codes of one type share their link's ceiling.
    """
    if not get_settings().rate_limits_on:
        return None
    key = _link_key(round_id, respondent_type)
    _hit(key, get_settings().submissions_per_link_per_minute, _LINK_MESSAGE)
    return key


async def count_submission_async(*, round_id: int, respondent_type: str) -> str | None:
    """`count_submission` awaited on the event loop."""
    if not get_settings().rate_limits_on:
        return None
    key = _link_key(round_id, respondent_type)
    await _hit_async(key, get_settings().submissions_per_link_per_minute, _LINK_MESSAGE)
    return key


async def count_plain_submission_async(*, round_id: int, respondent_type: str) -> str | None:
    """The link's count for the plain-ASGI submission (app.survey.shortcut), which answers only
    what it stores and hands everything else, untouched, to the route.

    Counted as `count_submission_async` counts it; over the ceiling, the count is taken back and
    None returned: the route, handed the request, counts it again and refuses it in its own
    words, so the count ends as if the route alone had seen it. The key returned is to be
    forgiven (`ratelimit.forgive_async`) when the call then refuses, for the same reason.
    """
    key = _link_key(round_id, respondent_type)
    if await ratelimit.hit_async(key, limit=get_settings().submissions_per_link_per_minute,
                                 window_seconds=_CEILING_WINDOW_SECONDS):
        await ratelimit.forgive_async(key)
        return None
    return key


def _link_key(round_id: int, respondent_type: str) -> str:
    return f"survey-submissions:{round_id}:{respondent_type}"


_LINK_MESSAGE = "Too many answers were sent with this link in the last minute."
_REFUSALS_MESSAGE = "Too many answers from your network were refused in the last minute."


def _refusals_key(address: str) -> str:
    return f"survey-refused:{address}"


def _count_refusal(address: str) -> None:
    """Count a refused submission against its address; TooManyAttempts past the limit.

    Counted only when refusing, so a stored response costs one count (its link's), and an
    address that sent junk can still send a good response.
    """
    _hit(_refusals_key(address), get_settings().refused_submissions_per_address_per_minute,
         _REFUSALS_MESSAGE)


def _hit(key: str, limit: int, message: str) -> None:
    if refused := ratelimit.hit(key, limit=limit, window_seconds=_CEILING_WINDOW_SECONDS):
        _too_many(message, refused.retry_after(_CEILING_WINDOW_SECONDS))


async def _hit_async(key: str, limit: int, message: str) -> None:
    if refused := await ratelimit.hit_async(key, limit=limit,
                                            window_seconds=_CEILING_WINDOW_SECONDS):
        _too_many(message, refused.retry_after(_CEILING_WINDOW_SECONDS))


def _too_many(message: str, retry_after: int) -> None:
    raise TooManyAttempts(f"{message} Try again in {retry_after} seconds.",
                          retry_after=retry_after)


# The self-assessment: one response of type self_assessment, replaced whole on revision


def save_self_assessment(
    *, session: Session, round_id: int, ratings: Mapping[str, Any]
) -> dict[int, int | None]:
    """Store the employer's self-assessment, replacing any earlier one, while the round is a
    draft or open (the employer may rate itself before the links go out).

    `ratings` as the API takes them ({"1": 4, …, "32": null}); RatingsError (naming each
    statement) when they break rule 3, RoundConflict once the round has closed. Nothing is
    stored unless everything is.
    """
    round_ = session.get(Round, round_id)
    parsed = parse_ratings(ratings, get_statement_sets()[round_.statement_set])
    lock_unclosed_round(session, round_id, action="change the self-assessment")
    earlier = select(SurveyResponse.id).where(SurveyResponse.round_id == round_id,
                                              SurveyResponse.respondent_type == SELF_ASSESSMENT)
    session.exec(delete(Rating).where(Rating.response_id.in_(earlier)))
    session.exec(delete(SurveyResponse).where(SurveyResponse.round_id == round_id,
                                              SurveyResponse.respondent_type == SELF_ASSESSMENT))
    _insert_rated_response(session, round_id, SELF_ASSESSMENT, parsed)
    session.commit()
    return parsed


def get_self_assessment(*, session: Session, round_id: int) -> dict[int, int | None] | None:
    """The stored self-assessment (statement number → score or None), or None if not done."""
    rows = session.exec(
        select(Rating.statement_number, Rating.score)
        .join(SurveyResponse, SurveyResponse.id == Rating.response_id)
        .where(SurveyResponse.round_id == round_id,
               SurveyResponse.respondent_type == SELF_ASSESSMENT)
        .order_by(Rating.statement_number)
    ).all()
    return {number: score for number, score in rows} if rows else None


# What other domains need of the survey's tables


def count_responses(*, session: Session, round_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Round id → responses per respondent type (every type present, zero when none)."""
    ids = list(round_ids)
    counts = {round_id: dict.fromkeys(RESPONDENT_TYPES, 0) for round_id in ids}
    if not ids:
        return counts
    rows = session.exec(
        select(SurveyResponse.round_id, SurveyResponse.respondent_type, func.count())
        .where(SurveyResponse.round_id.in_(ids))
        .group_by(SurveyResponse.round_id, SurveyResponse.respondent_type)
    )
    for round_id, respondent_type, count in rows:
        counts[round_id][respondent_type] = count
    return counts


def rewrite_responses(*, session: Session, round_id: int) -> None:
    """Rewrite a closing round's responses and ratings in a random order with fresh ids, in the
    caller's transaction (closing it), so that nothing stored orders them (rule 10); and spread
    answers stored packed (app.survey.answers) into rating rows, leaving `answers` NULL.

    Row ids, the database's own row order (SQLite's rowid, PostgreSQL's ctid) and its transaction
    ids (PostgreSQL's xmin, shared by a response and the code it used) all kept the order and
    the moment of each answer; after this every row of the round was written by the closing
    transaction, in an order drawn from the operating system's random source. A response holds
    its answers packed (submissions while the round was open) or in rating rows (the
    self-assessment, and responses stored before answers were packed); both come out as rating
    rows. Packed answers are read with the round's statement set, the set they were packed under
    (a round's set never changes). The rows are few (one round's), so they are read into Python
    once, here and only here. Run it before the round is summarised: the summary reads ratings.
    """
    responses = session.execute(
        select(SurveyResponse.id, SurveyResponse.respondent_type, SurveyResponse.answers)
        .where(SurveyResponse.round_id == round_id)).all()
    if not responses:
        return
    ratings: dict[str, list[tuple[int, int | None]]] = {}
    for response_id, number, score in session.execute(
        select(Rating.response_id, Rating.statement_number, Rating.score)
        .join(SurveyResponse, SurveyResponse.id == Rating.response_id)
        .where(SurveyResponse.round_id == round_id)
    ):
        ratings.setdefault(response_id, []).append((number, score))
    packed = [(response_id, answers) for response_id, _, answers in responses
              if answers is not None]
    if packed:
        statement_set = get_statement_sets()[
            session.execute(select(Round.statement_set).where(Round.id == round_id)).scalar_one()]
        for response_id, answers in packed:
            if response_id in ratings:  # never written so: refuse to guess which one is right
                raise ValueError(f"a response of round {round_id} has answers both packed and "
                                 "in rating rows")
            ratings[response_id] = list(unpack_answers(answers, statement_set).items())
    old_ids = select(SurveyResponse.id).where(SurveyResponse.round_id == round_id)
    session.execute(delete(Rating).where(Rating.response_id.in_(old_ids)))
    session.execute(delete(SurveyResponse).where(SurveyResponse.round_id == round_id))
    order = [(response_id, respondent_type) for response_id, respondent_type, _ in responses]
    _random.shuffle(order)
    fresh = [(new_response_id(), old_id, respondent_type) for old_id, respondent_type in order]
    session.execute(insert(SurveyResponse), [
        {"id": new_id, "round_id": round_id, "respondent_type": respondent_type,
         "answers": None}
        for new_id, _, respondent_type in fresh])
    rows = [{"response_id": new_id, "statement_number": number, "score": score}
            for new_id, old_id, _ in fresh for number, score in ratings.get(old_id, [])]
    _random.shuffle(rows)
    if rows:
        session.execute(insert(Rating), rows)


_random = secrets.SystemRandom()


def forget_submission_keys(*, session: Session, round_id: int) -> None:
    """Drop a closing round's idempotency records, in the caller's transaction (closing it).

    They exist to stop a retried submission storing twice; once the round is closed no
    submission can be stored, so they have no purpose left (rule 10).
    """
    session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.round_id == round_id))
