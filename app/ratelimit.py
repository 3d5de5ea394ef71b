"""Rate limits and ceilings, counted in the database so that every server process shares them.

One row per key (`rate_count`): how many hits in the window that started at `window_start`,
and when the last one came. A hit is one atomic upsert (INSERT … ON CONFLICT DO UPDATE …
RETURNING, on SQLite and PostgreSQL alike), so two processes counting the same key at the same
moment both see the right total: no read-then-write race, no lost update. Windows are fixed and
start at a key's first hit; a hit after the window has passed starts a new one at 1.

Counts are written in a transaction of their own, committed at once: a refusal counts even
though the request's own transaction is rolled back. Keys are stored as keyed hashes, so the
table holds no email address, network address or link token. Times are the servers' wall
clocks (`clock`, `time.time`): instances on several machines need their clocks kept in step
(NTP).
"""

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel
from starlette.concurrency import run_in_threadpool

from app.config import get_settings
from app.db import build_engine
from app.dbloop import LoopPool, compiled, loop_pool
from app.security import keyed_hash

clock = time.time  # a module attribute, so tests can move time on


class RateCount(SQLModel, table=True):
    __tablename__ = "rate_count"

    key: str = Field(primary_key=True, max_length=64)  # keyed hash of the limit's key
    window_start: float  # seconds since the epoch
    count: int
    last_at: float = Field(index=True)  # the latest hit: for growing delays and clearing out
    previous_at: float  # the hit before it, returned by the upsert that overwrites last_at


@lru_cache
def _engine_for(url: str) -> Engine:
    engine = build_engine(url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _no_flush_wait_sqlite(dbapi_connection, _record):  # pragma: no cover - trivial
            # As synchronous_commit off on PostgreSQL (below), for this engine's connections
            # only: WAL mode stays safe from corruption; a power cut may forget the last counts.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def get_engine() -> Engine:
    """An engine (and connection pool) of the limiter's own, beside the requests' one.

    A request holds a connection of the main pool for its whole session and counts while holding
    it; if counting needed a second one from the same pool, a burst that took every connection
    would wait on itself until the pool timed out.
    """
    return _engine_for(get_settings().database_url)


@dataclass(frozen=True)
class Count:
    """A key's hits in its current window (0 when none), when that window began, and when the
    hit before the latest one came (for a delay since the previous attempt)."""

    count: int
    window_start: float
    previous_at: float

    def retry_after(self, window_seconds: int, now: float | None = None) -> int:
        """Whole seconds until this window ends (at least 1)."""
        now = clock() if now is None else now
        return max(1, int(self.window_start + window_seconds - now + 0.999))


_NONE = Count(0, 0.0, 0.0)


def _stored_key(key: str) -> str:
    return keyed_hash(f"rate:{key}")


@lru_cache(maxsize=2)
def _upsert(dialect: str) -> sa.Executable:
    """Count a hit under :stored_key at :now, in a window that began after :since."""
    table = RateCount.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = sa.bindparam("now", type_=sa.Float)
    statement = insert(table).values(
        key=sa.bindparam("stored_key", type_=sa.String), window_start=now, count=1, last_at=now,
        previous_at=0.0,
    )
    in_window = table.c.window_start > sa.bindparam("since", type_=sa.Float)
    # Every right-hand side sees the row as it was (SQL's rule on both databases).
    return statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": sa.case((in_window, table.c.count + 1), else_=1),
            "window_start": sa.case((in_window, table.c.window_start), else_=now),
            "previous_at": sa.case((in_window, table.c.last_at), else_=0.0),
            "last_at": now,
        },
    ).returning(table.c.count, table.c.window_start, table.c.previous_at)


def _upsert_values(key: str, now: float, window_seconds: int) -> dict[str, Any]:
    return {"stored_key": _stored_key(key), "now": now, "since": now - window_seconds}


def _forgive() -> sa.Executable:
    table = RateCount.__table__
    return (sa.update(table)
            .where(table.c.key == sa.bindparam("stored_key", type_=sa.String), table.c.count > 0)
            .values(count=table.c.count - 1))


def _no_flush_wait(connection: sa.Connection) -> None:
    """On PostgreSQL, commit counts without waiting for the disk (synchronous_commit off).

    A hot key (one survey link on launch day) is one row, locked from the upsert to the commit;
    not waiting for the WAL flush keeps that short, so counting does not become the ceiling.
    A crash may forget the last few counts, which a rate limit can afford.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))


def record(key: str, *, window_seconds: int) -> Count:
    """Count one hit under `key` and return the count including it."""
    values = _upsert_values(key, clock(), window_seconds)
    with get_engine().begin() as connection:
        _no_flush_wait(connection)
        row = connection.execute(_upsert(connection.dialect.name), values).one()
    return Count(row.count, row.window_start, row.previous_at)


def peek(key: str, *, window_seconds: int) -> Count:
    """The count under `key` in its current window, without counting a hit."""
    table = RateCount.__table__
    with get_engine().connect() as connection:
        row = connection.execute(
            sa.select(table.c.count, table.c.window_start, table.c.last_at)
            .where(table.c.key == _stored_key(key))
        ).first()
    if row is None or row.window_start <= clock() - window_seconds:
        return _NONE
    return Count(row.count, row.window_start, row.last_at)


def hit(key: str, *, limit: int, window_seconds: int) -> Count | None:
    """Count one hit; the count when the limit is passed (so refused), None when within it.

    With RATE_LIMITS=off nothing is counted and nothing refused.
    """
    if not get_settings().rate_limits_on:
        return None
    counted = record(key, window_seconds=window_seconds)
    return counted if counted.count > limit else None


def forgive(key: str) -> None:
    """Take one hit back from `key` (an attempt counted up front that turned out fine)."""
    with get_engine().begin() as connection:
        _no_flush_wait(connection)
        connection.execute(_forgive(), {"stored_key": _stored_key(key)})


# The same, awaited on the event loop, for what is itself awaited there (a submission by a link
# the worker knows, app.survey.submit): one statement on the loop's own connections, each its
# own transaction, with synchronous_commit off as `_no_flush_wait` sets it. On SQLite (no loop
# pool) they run in the thread pool.


async def hit_async(key: str, *, limit: int, window_seconds: int) -> Count | None:
    """`hit` awaited on the event loop."""
    if not get_settings().rate_limits_on:
        return None
    pool = _loop_pool()
    if pool is None:
        counted = await run_in_threadpool(record, key, window_seconds=window_seconds)
    else:
        query, names, bound = _loop_upsert()
        values = bound | _upsert_values(key, clock(), window_seconds)
        row = await pool.fetch_one(query, *(values[name] for name in names))
        counted = Count(row.count, row.window_start, row.previous_at)
    return counted if counted.count > limit else None


async def forgive_async(key: str) -> None:
    """`forgive` awaited on the event loop."""
    pool = _loop_pool()
    if pool is None:
        await run_in_threadpool(forgive, key)
        return
    query, names, bound = _loop_forgive()
    values = bound | {"stored_key": _stored_key(key)}
    await pool.fetch_one(query, *(values[name] for name in names))


def _loop_pool() -> LoopPool | None:
    return loop_pool("ratelimit", _LOOP_POOL_SIZE, {"synchronous_commit": "off"})


_LOOP_POOL_SIZE = 5  # per worker: a count holds its row for a moment, and never waits for a flush


@lru_cache(maxsize=1)
def _loop_upsert() -> tuple[str, tuple[str, ...], dict[str, Any]]:
    return compiled(_upsert("postgresql"))


@lru_cache(maxsize=1)
def _loop_forgive() -> tuple[str, tuple[str, ...], dict[str, Any]]:
    return compiled(_forgive())


def reset(key: str) -> None:
    """Forget the count under `key` (a success that clears earlier failures)."""
    table = RateCount.__table__
    with get_engine().begin() as connection:
        connection.execute(sa.delete(table).where(table.c.key == _stored_key(key)))


def reset_all() -> None:
    """Forget every count (tests start from none)."""
    with get_engine().begin() as connection:
        connection.execute(sa.delete(RateCount.__table__))


def forget_expired(*, older_than_seconds: int) -> int:
    """Delete counts whose last hit is older than that (longer than any window); how many."""
    table = RateCount.__table__
    with get_engine().begin() as connection:
        result = connection.execute(
            sa.delete(table).where(table.c.last_at < clock() - older_than_seconds)
        )
    return result.rowcount
