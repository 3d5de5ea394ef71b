"""Load tests drive the real server (uvicorn, two workers) on a PostgreSQL database of their own.

They need PostgreSQL: skipped only when TEST_DATABASE_URL is unset (the SQLite run), so CI's
PostgreSQL pass always runs them.
"""

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench.server import running_server, throwaway_postgres
from tests.databases import postgres_base_url


def pytest_collection_modifyitems(config, items):
    if postgres_base_url() is not None:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("postgres_only") and "tests/load/" in item.nodeid:
            item.add_marker(skip)


@contextmanager
def one_launch_at_a_time() -> Iterator[None]:
    """Hold the machine's launch-load lock: one xdist worker (or test run) at a time drives a
    two-worker server with 50 clients, or pgbench with 50 connections. Two at once pass
    PostgreSQL's max_connections (100 by default) and measure its refusals, not the service.

    A file lock, not xdist's `--dist loadgroup`: under pytest 9 that option no longer groups
    anything (it renames `item._nodeid`, which pytest 9 stopped reading).
    """
    with open(Path(tempfile.gettempdir()) / "asye360-launch-load.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


class LaunchService:
    """The server under load, and what the checks need to reach its database."""

    def __init__(self, url: str, base_url: str) -> None:
        self.url = url
        self.base_url = base_url
        self.database = make_url(url).database


@pytest.fixture(scope="module")
def launch_service():
    with one_launch_at_a_time(), throwaway_postgres("test_load") as url, \
            running_server(url, workers=2) as server:
        yield LaunchService(url, server.base_url)
