"""Data the benchmarks share, made through the app's own services: the national user, an open
round to answer, and a round answered in bulk and closed by the service."""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from rich.console import Console
from sqlmodel import Session

from bench import generate

NATIONAL_EMAIL = "bench-national@example.org"
NATIONAL_PASSWORD = "bench-national-password"


@contextmanager
def service_session(url: str) -> Iterator[Session]:
    """A session of the app on the database at `url` (not the one the settings name)."""
    from app.db import build_engine

    engine = build_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def add_national_user(url: str) -> None:
    from app.accounts.service import create_user
    from app.vocabulary import Role

    with service_session(url) as session:
        create_user(session=session, email=NATIONAL_EMAIL, password=NATIONAL_PASSWORD,
                    role=Role.NATIONAL)


def _rounds(session: Session, *, name: str, years: list[str]) -> list[int]:
    """A new organisation and an open round of the benchmark programme in each of `years`."""
    from app.accounts.service import add_organisation
    from app.rounds.service import create_round, open_round

    organisation = add_organisation(session=session, name=name, employer_type="local_authority",
                                    region="london", teaching_partnership=None,
                                    programmes=[generate.PROGRAMME], status="approved")
    session.commit()
    ids = []
    for year in years:
        round_ = create_round(session=session, organisation_id=organisation.id,
                              programme=generate.PROGRAMME, year=year,
                              statement_set=generate.SET_KEY, expected={})
        ids.append(open_round(session=session, round_id=round_.id).id)
    return ids


def open_round_with_links(url: str) -> tuple[int, list[str]]:
    """An organisation with an open round, and the token of each of its links."""
    from app.survey.links import links_for_rounds

    with service_session(url) as session:
        [round_id] = _rounds(session, name="Launch Day Council", years=[generate.LATEST_YEAR])
        links = links_for_rounds(session=session, round_ids=[round_id])[round_id]
    return round_id, [link.rsplit("/", 1)[1] for link in links.values()]


def add_report_round(url: str, responses: int, console: Console,
                     name: str = "Report Bench Council") -> int:
    """One more organisation with a closed round last year and, this year, a round of
    `responses` responses closed by the service (so its summary is the one `close_round` writes).
    """
    from app.rounds.service import close_round

    with service_session(url) as session:
        previous, latest = _rounds(session, name=name,
                                   years=generate.academic_years(2))
    generate.load_round_responses(url, previous, respondents=max(8, responses // 4),
                                  console=console, seed=11)
    generate.load_round_responses(url, latest, respondents=responses, console=console, seed=12)
    with service_session(url) as session:
        close_round(session=session, round_id=previous)
        close_round(session=session, round_id=latest)
    with psycopg.connect(generate.libpq_url(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    return latest
