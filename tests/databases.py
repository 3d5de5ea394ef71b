"""Throwaway databases for tests: a temp SQLite file, or a fresh PostgreSQL database."""

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def postgres_base_url() -> str | None:
    """TEST_DATABASE_URL names the PostgreSQL server to test on; unset means SQLite."""
    return os.environ.get("TEST_DATABASE_URL") or None


@contextmanager
def throwaway_database(label: str) -> Iterator[str]:
    """Yield the URL of a new, empty database and remove it afterwards.

    On PostgreSQL each run (and each xdist worker) gets its own database, so runs never see each
    other's rows. A server that cannot be reached raises: a PostgreSQL run must fail, not skip.
    """
    base = postgres_base_url()
    if base is None:
        with tempfile.TemporaryDirectory(prefix="asye360-") as folder:
            yield f"sqlite:///{Path(folder) / (label + '.db')}"
        return
    url = make_url(base)
    name = f"asye360_{label}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
