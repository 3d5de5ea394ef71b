"""Connections of the event loop (asyncpg, autocommit): the launch-day hot path's statements,
awaited with no thread hand-off and no session.

asyncpg rather than psycopg here, and only here: its binary protocol and cached prepared
statements cost the worker about a third less CPU per call (bench/README.md, benchmark 1).
Outside a transaction every statement is its own, committed as the server has it
(`synchronous_commit` on by default; a pool may ask for it off, as the rate limiter's does).

Each event loop (one per worker process; tests start a loop per client) has its pools, one per
name: "submit" carries the submission's one call and the survey pages' lookup (app.survey.submit),
"ratelimit" the limiter's counts (app.ratelimit). None of it on SQLite.
"""

import asyncio
import contextlib
import weakref
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import ClauseElement

from app.db import get_autocommit_engine


class LoopPool:
    """A few connections of one event loop, for one-statement transactions.

    Small on purpose (a handful per worker): the statements hold their locks for a millisecond
    or two, so more connections would only queue in PostgreSQL instead of here. A connection that
    fails is closed with every idle one (a restart or `pg_terminate_backend` kills them all), and
    a lost or refused connection is raised as SQLAlchemy's OperationalError, which the service
    answers as a 503 with Retry-After, like any lost connection.
    """

    def __init__(self, dsn: str, size: int, server_settings: dict[str, str] | None = None) -> None:
        self._dsn = dsn
        self._server_settings = server_settings
        self._idle: list[asyncpg.Connection] = []
        self._slots = asyncio.Semaphore(size)

    async def fetch_one(self, query: str, *args: Any) -> Any:
        """The first row of one statement (its own transaction) with attribute access, or None."""
        async with self._slots:
            connection = self._idle.pop() if self._idle else await self._connect()
            try:
                record = await connection.fetchrow(query, *args)
            except LOST as error:
                await self._discard(connection)
                raise OperationalError(query[:60], None, error) from error
            except BaseException:
                await self._discard(connection)
                raise
            self._idle.append(connection)
            return None if record is None else Row(record)

    async def close(self) -> None:
        """Close the idle connections (the ones in use close when their calls end)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(*LOST):
                await connection.close(timeout=2)

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends of the idle connections (tests terminate them)."""
        return [connection.get_server_pid() for connection in self._idle]

    async def _connect(self) -> asyncpg.Connection:
        """A new connection; any refusal is OperationalError (a 503), as psycopg raises for
        every failed connect: "too many clients already" (53300) on launch day above all, but
        also a database starting up or shutting down, or one not there."""
        try:
            return await asyncpg.connect(self._dsn, server_settings=self._server_settings)
        except (*LOST, asyncpg.PostgresError) as error:
            raise OperationalError("connect", None, error) from error

    async def _discard(self, connection: asyncpg.Connection) -> None:
        idle, self._idle = self._idle, []
        for each in (connection, *idle):
            each.terminate()  # closes the socket at once; nothing is left to say to the server


# A connection lost, refused or shut down by the server (class 08, 57P01-57P03): the service's
# trouble, answered 503. InternalClientError too: asyncpg raises it ("cannot switch to state
# …") when a terminated backend's error arrives in the middle of a call, which leaves the
# connection as lost as the others. Any other error is a bug, and goes on to the 500 handler.
LOST = (OSError, asyncio.TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
        asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.InternalClientError)


class Row:
    """A record read by attribute (row.outcome), as the callers read psycopg's rows."""

    __slots__ = ("_record",)

    def __init__(self, record: asyncpg.Record) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None


_pools: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, LoopPool]]" = \
    weakref.WeakKeyDictionary()


def loop_pool(name: str, size: int, server_settings: dict[str, str] | None = None
              ) -> LoopPool | None:
    """This event loop's pool called `name` (made on first use), or None on SQLite."""
    engine = get_autocommit_engine()
    if engine is None:
        return None
    pools = _pools.setdefault(asyncio.get_running_loop(), {})
    pool = pools.get(name)
    if pool is None:
        url = engine.url.set(drivername="postgresql")
        pool = pools[name] = LoopPool(url.render_as_string(hide_password=False), size,
                                      server_settings)
    return pool


def every_pool() -> list[LoopPool]:
    """Every loop's pools (tests terminate their backends)."""
    return [pool for pools in list(_pools.values()) for pool in pools.values()]


async def close_loop_pools() -> None:
    """Close this event loop's pools, at the application's shutdown: an asyncpg connection left
    open when its loop ends keeps its PostgreSQL backend until the garbage collector finds it
    (tests start and end a loop per client)."""
    for pool in _pools.pop(asyncio.get_running_loop(), {}).values():
        await pool.close()


def compiled(statement: ClauseElement) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """A SQLAlchemy statement as asyncpg runs it: its SQL (`$1`, `$2`, …), the names of its
    bound parameters in that order, and the values bound in the statement itself. Compile once
    (lru_cache the caller); pass the values as `*(values[name] for name in names)`."""
    done = statement.compile(dialect=asyncpg_dialect(),
                             compile_kwargs={"render_postcompile": True})
    return str(done), tuple(done.positiontup or ()), done.params
