"""Send a response by link or by code: one database round trip on PostgreSQL.

The launch-day hot path (bench/README.md, benchmark 1). On PostgreSQL one call of the server-side
function `asye_submit_response` (migrations 5b1d2c7e9a40 and 0d07e8ba32dc), run in autocommit,
checks the link or code, share-locks the round and checks it is open, records the idempotency
key, marks the code used and stores the response, its answers packed in its one row
(app.survey.answers): the call is the whole transaction, committed durably (`synchronous_commit`
on) before the answer goes back. Refusals write nothing. Ratings are checked here first (rule 3),
against the statement set the link's round uses, and packed for that set; the function refuses
(`other_set`) a set that is not the round's.

What a link stands for (its round, respondent type and statement set) never changes, so each
process remembers it after the first lookup; everything that does change (the round's status, the
key, the code) is read by the function under its locks. On SQLite, which has no such functions,
the transaction stays in Python (`service.submit_response`), with the same outcomes.
"""

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.config import get_settings
from app.db import get_autocommit_engine, session_scope
from app.dbloop import LoopPool, compiled, loop_pool
from app.security import keyed_hash
from app.statements.loader import get_statement_sets
from app.survey.answers import checked_and_packed
from app.survey.codes import CodeAlreadyUsed, hash_code
from app.survey.models import new_response_id
from app.survey.service import (
    AnswersNotRecorded,
    Submission,
    Survey,
    SurveyNotFound,
    SurveyNotOpen,
    count_code_attempt,
    count_plain_submission_async,
    find_survey,
    find_survey_by_code,
    refusals_counted,
    refusals_counted_async,
    submit_response,
    survey_by_token,
    survey_from,
)
from app.vocabulary import RoundStatus


@dataclass(frozen=True)
class _Link:
    round_id: int
    organisation_id: int
    respondent_type: str
    statement_set: str


_links: dict[str, _Link] = {}
_links_lock = threading.Lock()
_MAX_LINKS = 100_000  # a bound, so unknown tokens can never grow it without limit

_CALL = text(
    "SELECT * FROM asye_submit_response(CAST(:token AS text), CAST(:code_hash AS text), "
    "CAST(:key_hash AS text), CAST(:response_id AS text), CAST(:statement_set AS text), "
    "CAST(:answers AS text))"
)


def forget_links() -> None:
    """Forget every remembered link (tests, between databases)."""
    with _links_lock:
        _links.clear()


def submit_by_link(
    *, token: str, ratings: Mapping[str, Any], idempotency_key: str | None, address: str,
    signed_in_organisation: int | None = None,
) -> Submission:
    """Store one anonymous response sent with a link, or refuse it with nothing stored.

    The refusals, the counting (`service.refusals_counted`) and the repeat of an idempotency key
    are those of `service.submit_response`. Opens a session only when it needs one (SQLite, or a
    link this process has not seen).
    """
    if get_autocommit_engine() is None:
        with session_scope() as session:
            survey = find_survey(session=session, token=token)
            return submit_response(session=session, survey=survey, ratings=ratings,
                                   idempotency_key=idempotency_key, address=address,
                                   signed_in_organisation=signed_in_organisation)
    link = _links.get(token) or _learn_link(token)
    with _counted(link, address, signed_in_organisation):
        return _call(token=token, code_hash=None, secret=token, link=link, ratings=ratings,
                     idempotency_key=idempotency_key)


def submit_by_code(
    *, address: str, code: str, ratings: Mapping[str, Any], idempotency_key: str | None,
    signed_in_organisation: int | None = None,
) -> Submission:
    """Store one anonymous response sent with a single-use code, or refuse it, storing nothing.

    Counts the attempt from `address` first (`service.count_code_attempt`). A code is used once,
    so there is nothing to remember: the code is looked up (for its link's ceiling and statement
    set), then the function stores the response in a second round trip.
    """
    count_code_attempt(address=address)
    with session_scope() as session:
        survey = find_survey_by_code(session=session, code=code)
        if get_autocommit_engine() is None:
            return submit_response(session=session, survey=survey, ratings=ratings,
                                   idempotency_key=idempotency_key, address=address,
                                   signed_in_organisation=signed_in_organisation)
    return _submit_found_by_call(survey, ratings, idempotency_key, address,
                                 signed_in_organisation)


def submit_found(
    *, session: Session, survey: Survey, ratings: Mapping[str, Any], idempotency_key: str | None,
    address: str, signed_in_organisation: int | None = None,
) -> Submission:
    """Store a response for a survey already found (the pages' "send" for a code, and on
    SQLite: `submit_found_async`), or refuse it.

    The pages have found the survey to show "check your answers"; on PostgreSQL the function
    still checks everything again under its locks, in one call.
    """
    if get_autocommit_engine() is None:
        return submit_response(session=session, survey=survey, ratings=ratings,
                               idempotency_key=idempotency_key, address=address,
                               signed_in_organisation=signed_in_organisation)
    session.rollback()  # end the lookup's snapshot: the function is a transaction of its own
    return _submit_found_by_call(survey, ratings, idempotency_key, address,
                                 signed_in_organisation)


def _submit_found_by_call(survey: Survey, ratings: Mapping[str, Any],
                          idempotency_key: str | None, address: str,
                          signed_in_organisation: int | None) -> Submission:
    link = _Link(survey.round_id, survey.organisation_id, survey.respondent_type,
                 survey.statement_set.key)
    with _counted(link, address, signed_in_organisation):
        if survey.code is None:
            return _call(token=survey.secret, code_hash=None, secret=survey.secret, link=link,
                         ratings=ratings, idempotency_key=idempotency_key,
                         closes_on=survey.closes_on)
        return _call(token=None, code_hash=hash_code(survey.code), secret=survey.secret,
                     link=link, ratings=ratings, idempotency_key=idempotency_key,
                     code=survey.code, closes_on=survey.closes_on)


def _counted(link: _Link, address: str, signed_in_organisation: int | None):
    """`service.refusals_counted` for what this process knows of a link."""
    return refusals_counted(
        _LinkSurvey(link.round_id, link.organisation_id, link.respondent_type),
        address=address, signed_in_organisation=signed_in_organisation)


@dataclass(frozen=True)
class _LinkSurvey:
    """The parts of a Survey that counting and rule 11 read."""

    round_id: int
    organisation_id: int
    respondent_type: str


def _learn_link(token: str) -> _Link:
    with session_scope() as session:
        survey = find_survey(session=session, token=token)
    link = _Link(survey.round_id, survey.organisation_id, survey.respondent_type,
                 survey.statement_set.key)
    with _links_lock:
        if len(_links) >= _MAX_LINKS:
            _links.clear()
        _links[token] = link
    return link


def _call(*, token: str | None, code_hash: str | None, secret: str, link: _Link,
          ratings: Mapping[str, Any], idempotency_key: str | None,
          code: str | None = None, closes_on: date | None = None) -> Submission:
    params = _params(token, code_hash, secret, link.statement_set, ratings, idempotency_key)
    with get_autocommit_engine().connect() as connection:
        row = connection.execute(_CALL, params).one()
    if row.outcome == "other_set":  # the round's set changed while it was a draft: check again
        _forget(token)
        return _call(token=token, code_hash=code_hash, secret=secret,
                     link=_Link(link.round_id, link.organisation_id, link.respondent_type,
                                row.statement_set),
                     ratings=ratings, idempotency_key=idempotency_key, code=code,
                     closes_on=closes_on)
    return _outcome(row, token=token, secret=secret, code=code,
                    organisation_id=link.organisation_id, closes_on=closes_on)


def _params(token: str | None, code_hash: str | None, secret: str, statement_set: str,
            ratings: Mapping[str, Any], idempotency_key: str | None) -> dict[str, Any]:
    """The function's arguments, once the ratings pass rule 3 (RatingsError otherwise)."""
    chosen = get_statement_sets()[statement_set]
    return {
        "token": token, "code_hash": code_hash,
        "key_hash": keyed_hash(secret + idempotency_key) if idempotency_key else None,
        "response_id": new_response_id(), "statement_set": statement_set,
        "answers": checked_and_packed(ratings, chosen),
    }


def _forget(token: str | None) -> None:
    with _links_lock:
        _links.pop(token or "", None)


def _outcome(row: Any, *, token: str | None, secret: str, code: str | None,
             organisation_id: int, closes_on: date | None = None) -> Submission:
    """The submission the function's answer stands for, or the refusal it stands for."""
    if row.outcome == "not_found":
        _forget(token)
        raise SurveyNotFound
    if row.outcome == "draft":
        raise SurveyNotOpen
    if row.outcome == "closed":  # it closed before these answers could be stored
        raise AnswersNotRecorded(context={"closes_on": closes_on})
    if row.outcome == "code_used":
        raise CodeAlreadyUsed
    survey = Survey(
        round_id=row.round_id, status=RoundStatus.OPEN, organisation_id=organisation_id,
        organisation_name=row.organisation_name,
        programme=row.programme, year=row.year, respondent_type=row.respondent_type,
        statement_set=get_statement_sets()[row.statement_set], secret=secret, code=code,
    )
    return Submission(survey=survey, repeated=row.outcome == "repeated")


# The same call from the event loop: no thread hand-off at all for a link this process knows.


async def submit_by_link_async(
    *, token: str, ratings: Mapping[str, Any], idempotency_key: str | None, address: str,
    signed_in_organisation: int | None = None,
) -> Submission:
    """`submit_by_link` for an async route: the call awaited on the event loop when it can be.

    A link this process has not seen yet, and SQLite, go through `submit_by_link` in the thread
    pool (they need a session). With rate limits on, the link's count is awaited on the event
    loop too, on the limiter's own connections (`service.refusals_counted_async`), before the
    call. Refusals and counts are the same as in the thread.
    """
    link = _links.get(token)
    pool = async_pool_if_ready()
    if link is None or pool is None:
        return await run_in_threadpool(
            submit_by_link, token=token, ratings=ratings, idempotency_key=idempotency_key,
            address=address, signed_in_organisation=signed_in_organisation)
    async with refusals_counted_async(
            _LinkSurvey(link.round_id, link.organisation_id, link.respondent_type),
            address=address, signed_in_organisation=signed_in_organisation):
        return await _store_async(pool, token, link.statement_set, link.organisation_id,
                                  ratings, idempotency_key)


async def submit_found_async(
    *, survey: Survey, ratings: Mapping[str, Any], idempotency_key: str | None, address: str,
    signed_in_organisation: int | None = None,
) -> Submission:
    """`submit_found` for an async route (the pages' "send"): for a link on PostgreSQL, the
    counts and the call awaited on the event loop; a code, and SQLite, in the thread pool."""
    pool = async_pool_if_ready()
    if pool is None or survey.code is not None:
        return await run_in_threadpool(
            _submit_found_in_session, survey=survey, ratings=ratings,
            idempotency_key=idempotency_key, address=address,
            signed_in_organisation=signed_in_organisation)
    async with refusals_counted_async(survey, address=address,
                                      signed_in_organisation=signed_in_organisation):
        return await _store_async(pool, survey.secret, survey.statement_set.key,
                                  survey.organisation_id, ratings, idempotency_key)


def _submit_found_in_session(**arguments: Any) -> Submission:
    with session_scope() as session:
        return submit_found(session=session, **arguments)


async def _store_async(pool: LoopPool, token: str, statement_set: str, organisation_id: int,
                       ratings: Mapping[str, Any], idempotency_key: str | None) -> Submission:
    """The call for a link, on the event loop, and what it stored or refused (as `_call`)."""
    row = await call_async(pool, _params(token, None, token, statement_set, ratings,
                                          idempotency_key))
    if row.outcome == "other_set":  # the round's set changed while it was a draft
        _forget(token)
        row = await call_async(pool, _params(token, None, token, row.statement_set, ratings,
                                              idempotency_key))
    return _outcome(row, token=token, secret=token, code=None, organisation_id=organisation_id)


async def call_async(pool: LoopPool, params: dict[str, Any]) -> Any:
    """The function's one call on the event loop's pool: its answer row."""
    global _calls_sent
    row = await pool.fetch_one(_ASYNC_CALL, *(params[name] for name in _CALL_ARGUMENTS))
    _calls_sent += 1
    return row


# What the plain-ASGI submission (app.survey.shortcut) needs, so that it makes the same call.


def link_known(token: str) -> bool:
    """Whether this process remembers the link (its round, type and statement set)."""
    return token in _links


def submission_params(token: str, ratings: Mapping[str, Any],
                      idempotency_key: str | None) -> dict[str, Any]:
    """The call's arguments for a remembered link: RatingsError when the ratings break rule 3,
    KeyError when the link is not (or no longer) remembered."""
    return _params(token, None, token, _links[token].statement_set, ratings, idempotency_key)


async def count_plain_async(token: str) -> str | None:
    """`service.count_plain_submission_async` for a remembered link (KeyError when it is not,
    or no longer, remembered)."""
    link = _links[token]
    return await count_plain_submission_async(round_id=link.round_id,
                                              respondent_type=link.respondent_type)


# The function's outcomes that mean the answers are in the database: stored by this call, or by
# an earlier one under the same Idempotency-Key. Every other outcome is a refusal that wrote
# nothing.
STORED = frozenset({"stored", "repeated"})


_CALL_ARGUMENTS = ("token", "code_hash", "key_hash", "response_id", "statement_set", "answers")
_ASYNC_CALL = (
    "SELECT * FROM asye_submit_response($1::text, $2::text, $3::text, $4::text, $5::text, "
    "$6::text)"
)
_calls_sent = 0  # by this process's event loops, for tests: one per submission


async def find_survey_async(token: str) -> Survey:
    """`service.find_survey` for an async route (the survey pages): on PostgreSQL its one
    statement is awaited through this event loop's pool, with no thread hand-off and no session;
    on SQLite it runs in the thread pool. Read afresh on every call: a round's status and closing
    date change (rule 12), so nothing of it is remembered here."""
    pool = async_pool_if_ready()
    if pool is None:
        return await run_in_threadpool(_find_survey, token)
    query, params = _survey_by_token_sql()
    row = await pool.fetch_one(query, token, *params)
    if row is None:
        raise SurveyNotFound
    return survey_from(row, secret=token)


def _find_survey(token: str) -> Survey:
    with session_scope() as session:
        return find_survey(session=session, token=token)


@lru_cache(maxsize=1)
def _survey_by_token_sql() -> tuple[str, tuple[str, ...]]:
    """`service.survey_by_token` as asyncpg runs it: its SQL, and the parameters after the
    first (the token, `$1`)."""
    query, names, values = compiled(survey_by_token(bindparam("token", "")))
    assert names[0] == "token", names
    # Plain strings: an enum member is not a string to asyncpg.
    return query, tuple(str(values[name]) for name in names[1:])


def async_calls_sent() -> int:
    """Calls of the function sent by this process's event loops (a test counts them)."""
    return _calls_sent


def async_pool_if_ready() -> LoopPool | None:
    """This event loop's pool for submissions and the survey pages' lookup (SUBMIT_POOL_SIZE
    connections; one loop per worker process, tests start a loop per client), or None on
    SQLite."""
    return loop_pool("submit", get_settings().submit_pool_size)
