"""Database engine, sessions and the metadata naming convention shared by every table."""

from collections.abc import Iterator
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


def get_session() -> Iterator[Session]:
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        close_session(session)


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


def utcnow() -> datetime:
    return datetime.now(UTC)
