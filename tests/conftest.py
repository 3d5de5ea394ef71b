"""Test set-up: each run gets its own migrated database; each test starts with empty tables."""

import os
import tempfile

# Settings are read from the environment once; set them before the app is imported anywhere.
os.environ["ENVIRONMENT"] = "test"
os.environ["SECRET_KEY"] = "test-secret-key-that-is-long-enough-for-hs256"
os.environ.setdefault("RATE_LIMITS", "on")
os.environ["BASE_URL"] = "http://testserver"
os.environ["SCHEDULER"] = "off"  # timed work runs only when a test runs `tick`
# No test sends real mail or writes to the repository's outbox unless a fixture says where
# (tests/smtp.py: `smtp_server`, `outbox`); an empty SMTP_HOST also overrides a developer's .env.
os.environ["SMTP_HOST"] = ""
os.environ["OUTBOX_DIR"] = os.path.join(tempfile.gettempdir(), f"asye360-test-outbox-{os.getpid()}")

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import delete
from sqlmodel import Session, SQLModel

from tests.databases import throwaway_database

pytest_plugins = ["tests.smtp"]

# Property tests judge correctness, not speed: on a busy two-core machine (CI runs two workers
# beside PostgreSQL) generation can be slow, which must not fail a run.
settings.register_profile("asye360", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("asye360")


def _reset_caches() -> None:
    from app.config import get_settings
    from app.db import get_autocommit_engine, get_engine
    from app.partnerships.service import forget_active_partnerships
    from app.statements.loader import get_statement_sets
    from app.statements.reference import get_reference
    from app.survey.submit import forget_links

    for engine in (get_engine, get_autocommit_engine):
        if engine.cache_info().currsize and engine() is not None:
            engine().dispose()
    for cached in (get_settings, get_engine, get_autocommit_engine, get_statement_sets,
                   get_reference):
        cached.cache_clear()
    forget_links()
    forget_active_partnerships()


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> Iterator[str]:
    from app.cli import upgrade_database

    with throwaway_database(f"run_{worker_id}") as url:
        os.environ["DATABASE_URL"] = url
        _reset_caches()
        upgrade_database(url)
        yield url
        _reset_caches()


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """The xdist worker's name, or "main" when the suite runs in one process."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(autouse=True)
def _empty_limiter(request):
    """Every test that has a database starts (and leaves) the rate limits' counts empty.

    They live in the database (app.ratelimit), shared by every test of a worker's run.
    """
    uses_database = "database_url" in request.fixturenames
    if uses_database:
        from app import ratelimit

        ratelimit.reset_all()
    yield
    if uses_database:
        from app import ratelimit

        ratelimit.reset_all()


@pytest.fixture
def engine(database_url):
    from app.db import get_engine

    engine = get_engine()
    yield engine
    # Empty every table after the test, children first, so tests never see each other's rows.
    import app.models  # noqa: F401

    with Session(engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.exec(delete(table))
        session.commit()
        # Reference data the migration seeds: put back for the next test.
        from app.partnerships.service import seed_partnerships
        from app.statements.reference import get_reference

        seed_partnerships(session=session, rows=[
            (item.key, item.label) for item in get_reference().teaching_partnerships])


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def app(engine):
    from app.main import create_app

    return create_app()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
