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

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import asyncpg
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.config import get_settings
from app.db import get_autocommit_engine, session_scope
from app.security import keyed_hash
from app.statements.loader import get_statement_sets
from app.survey.answers import pack_answers
from app.survey.codes import CodeAlreadyUsed, hash_code
from app.survey.models import new_response_id
from app.survey.ratings import parse_ratings
from app.survey.service import (
    AnswersNotRecorded,
    Submission,
    Survey,
    SurveyNotFound,
    SurveyNotOpen,
    count_code_attempt,
    find_survey,
    find_survey_by_code,
    refusals_counted,
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
    """Store a response for a survey already found (the pages' "send"), or refuse it.

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
        "answers": pack_answers(parse_ratings(ratings, chosen), chosen),
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
    pool (they need a session); so does every submission while rate limits are on, because the
    limits are counted in the database (app.ratelimit) and that call must not block the event
    loop. Refusals are the same.
    """
    link = _links.get(token)
    pool = async_pool_if_ready()
    in_thread = {"token": token, "ratings": ratings, "idempotency_key": idempotency_key,
                 "address": address, "signed_in_organisation": signed_in_organisation}
    if link is None or pool is None or get_settings().rate_limits_on:
        return await run_in_threadpool(submit_by_link, **in_thread)
    with _counted(link, address, signed_in_organisation):  # rule 11; nothing to count here
        row = await pool.call(submission_params(token, ratings, idempotency_key))
        if row.outcome == "other_set":
            _forget(token)
            return await run_in_threadpool(submit_by_link, **in_thread)
        return _outcome(row, token=token, secret=token, code=None,
                        organisation_id=link.organisation_id)


# What the plain-ASGI submission (app.survey.shortcut) needs, so that it makes the same call.


def link_known(token: str) -> bool:
    """Whether this process remembers the link (its round, type and statement set)."""
    return token in _links


def submission_params(token: str, ratings: Mapping[str, Any],
                      idempotency_key: str | None) -> dict[str, Any]:
    """The call's arguments for a remembered link: RatingsError when the ratings break rule 3,
    KeyError when the link is not (or no longer) remembered."""
    return _params(token, None, token, _links[token].statement_set, ratings, idempotency_key)


def outcome_of(token: str, row: Any) -> Submission | None:
    """The submission a remembered link's call stored (or repeated); None for any refusal,
    which wrote nothing."""
    link = _links.get(token)
    if link is None or row.outcome not in ("stored", "repeated"):
        return None
    return _outcome(row, token=token, secret=token, code=None,
                    organisation_id=link.organisation_id)


class AsyncCallPool:
    """Connections of one event loop (asyncpg, autocommit), for the one call of a submission and
    the survey pages' one lookup.

    asyncpg rather than psycopg here, and only here: this is the launch-day hot path, and
    asyncpg's binary protocol and cached prepared statements cost the worker about a third less
    CPU per call (bench/README.md, benchmark 1). Outside a transaction every statement is its
    own, committed durably (`synchronous_commit` as the server has it, on by default).

    Small on purpose (SUBMIT_POOL_SIZE per worker, default 10): the function holds its locks for
    a millisecond or two, so more connections would only queue in PostgreSQL instead of here. A
    connection that fails is closed with every idle one (a restart or `pg_terminate_backend`
    kills them all), and a lost connection is raised as SQLAlchemy's OperationalError, which the
    service answers as a 503 with Retry-After, like any lost connection.
    """

    def __init__(self, dsn: str, size: int) -> None:
        self._dsn = dsn
        self._idle: list[asyncpg.Connection] = []
        self._slots = asyncio.Semaphore(size)
        self.calls = 0  # statements sent, for tests and benchmarks: one per submission

    async def call(self, params: dict[str, Any]) -> Any:
        row = await self.fetch_one(_ASYNC_CALL, *(params[name] for name in _CALL_ARGUMENTS))
        self.calls += 1
        return row

    async def fetch_one(self, query: str, *args: Any) -> Any:
        """The first row of one statement (its own transaction) with attribute access, or None."""
        async with self._slots:
            connection = self._idle.pop() if self._idle else await self._connect()
            try:
                record = await connection.fetchrow(query, *args)
            except _LOST as error:
                await self._discard(connection)
                raise OperationalError("asye_submit_response", None, error) from error
            except BaseException:
                await self._discard(connection)
                raise
            self._idle.append(connection)
            return None if record is None else _Row(record)

    async def close(self) -> None:
        """Close the idle connections (the ones in use close when their calls end)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(*_LOST):
                await connection.close(timeout=2)

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends of the idle connections (tests terminate them)."""
        return [connection.get_server_pid() for connection in self._idle]

    async def _connect(self) -> asyncpg.Connection:
        """A new connection; any refusal is OperationalError (a 503), as psycopg raises for
        every failed connect: "too many clients already" (53300) on launch day above all, but
        also a database starting up or shutting down, or one not there."""
        try:
            return await asyncpg.connect(self._dsn)
        except (*_LOST, asyncpg.PostgresError) as error:
            raise OperationalError("connect", None, error) from error

    async def _discard(self, connection: asyncpg.Connection) -> None:
        idle, self._idle = self._idle, []
        for each in (connection, *idle):
            each.terminate()  # closes the socket at once; nothing is left to say to the server


# A connection lost, refused or shut down by the server (class 08, 57P01-57P03): the service's
# trouble, answered 503. InternalClientError too: asyncpg raises it ("cannot switch to state
# …") when a terminated backend's error arrives in the middle of a call, which leaves the
# connection as lost as the others. Any other error is a bug, and goes on to the 500 handler.
_LOST = (OSError, asyncio.TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
         asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.InternalClientError)


class _Row:
    """A record read by attribute (row.outcome), as the callers read psycopg's rows."""

    __slots__ = ("_record",)

    def __init__(self, record: asyncpg.Record) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None


_CALL_ARGUMENTS = ("token", "code_hash", "key_hash", "response_id", "statement_set", "answers")
_ASYNC_CALL = (
    "SELECT * FROM asye_submit_response($1::text, $2::text, $3::text, $4::text, $5::text, "
    "$6::text)"
)
_async_pools: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncCallPool]" = \
    weakref.WeakKeyDictionary()


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
    compiled = survey_by_token(bindparam("token", "")).compile(
        dialect=asyncpg_dialect(), compile_kwargs={"render_postcompile": True})
    names = compiled.positiontup
    assert names[0] == "token", names
    # Plain strings: an enum member is not a string to asyncpg.
    return str(compiled), tuple(str(compiled.params[name]) for name in names[1:])


def async_calls_sent() -> int:
    """Calls sent by this process's event-loop pools (a test counts them per submission)."""
    return sum(pool.calls for pool in list(_async_pools.values()))


async def close_async_pool() -> None:
    """Close this event loop's pool, at the application's shutdown: an asyncpg connection left
    open when its loop ends keeps its PostgreSQL backend until the garbage collector finds it
    (tests start and end a loop per client)."""
    pool = _async_pools.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        await pool.close()


def async_pool_if_ready() -> AsyncCallPool | None:
    """This event loop's pool (one per worker process; tests start a loop per client), or None
    on SQLite."""
    engine = get_autocommit_engine()
    if engine is None:
        return None
    loop = asyncio.get_running_loop()
    pool = _async_pools.get(loop)
    if pool is None:
        url = engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        pool = _async_pools[loop] = AsyncCallPool(dsn, get_settings().submit_pool_size)
    return pool
