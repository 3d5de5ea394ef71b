"""Database engine, sessions and the metadata naming convention shared by every table."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine

from app.config import get_settings

# Named constraints make migrations reviewable and identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def build_engine(url: str) -> Engine:
    """An engine tuned per backend: SQLite for a laptop, PostgreSQL for a launch-day burst."""
    parsed = make_url(url)
    # hide_parameters: a database error's message never carries the values (emails, names).
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # pre_ping lets the pool drop connections killed under it (restart, pg_terminate_backend).
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10,
                         hide_parameters=True)


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@lru_cache
def get_autocommit_engine() -> Engine | None:
    """PostgreSQL only: a small pool of autocommit connections for one-statement transactions.

    The submission path (app.survey.submit) stores a response with one call of a server-side
    function, which is then its whole transaction: no BEGIN, no COMMIT and no pre-ping, so one
    round trip. The commit is as durable as any other (`synchronous_commit` is left on). A
    connection the database has killed fails one call with a 503 (its pool is then replaced),
    as it would in a transaction. None on SQLite, which keeps the transaction in Python.
    """
    url = get_settings().database_url
    if make_url(url).get_backend_name() != "postgresql":
        return None
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=10, max_overflow=10,
                         pool_timeout=10)


def get_session() -> Iterator[Session]:
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        close_session(session)


def get_autocommit_session() -> Iterator[Session]:
    """A session whose every statement is its own transaction on PostgreSQL (the autocommit
    pool): for requests that only read, or write with one statement, such as the survey pages.
    A read then costs one round trip, with no BEGIN, ROLLBACK or pre-ping around it. On SQLite,
    the ordinary session."""
    session = Session(get_autocommit_engine() or get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        close_session(session)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for code that runs outside a request's dependencies (closed as get_session's)."""
    yield from get_session()


def close_session(session: Session) -> None:
    """Close a request's session, even when the database has dropped its connection.

    Closing rolls back whatever is still open, and on a connection the database killed (a
    restart, `pg_terminate_backend`) that rollback fails. The response has usually started by
    then, so the error must not escape (it would cut the response off mid-way): the
    connection is discarded instead, and the pool opens a fresh one for the next request.
    """
    try:
        session.close()
    except DBAPIError:
        session.invalidate()


SessionDep = Annotated[Session, Depends(get_session)]
AutocommitSessionDep = Annotated[Session, Depends(get_autocommit_session)]


def utcnow() -> datetime:
    return datetime.now(UTC)
