"""Data the benchmarks share: the national user, and a round closed by the service itself."""

import psycopg
from rich.console import Console

from bench import generate

NATIONAL_EMAIL = "bench-national@example.org"
NATIONAL_PASSWORD = "bench-national-password"


def add_national_user(url: str) -> None:
    from sqlmodel import Session

    from app.accounts.service import create_user
    from app.db import build_engine

    engine = build_engine(url)
    try:
        with Session(engine) as session:
            create_user(session=session, email=NATIONAL_EMAIL, password=NATIONAL_PASSWORD,
                        role="national")
    finally:
        engine.dispose()


def add_report_round(url: str, responses: int, console: Console) -> int:
    """One more organisation with a closed round last year and, this year, a round of
    `responses` responses closed by the service (so its summary is the one `close_round` writes).
    """
    from sqlmodel import Session, select

    from app.accounts.models import Organisation
    from app.db import build_engine, utcnow
    from app.rounds.models import Round
    from app.rounds.service import close_round

    engine = build_engine(url)
    try:
        with Session(engine) as session:
            organisation = Organisation(name="Report Bench Council",
                                        employer_type="local_authority", region="london",
                                        programmes=[generate.PROGRAMME])
            session.add(organisation)
            session.flush()
            for year in generate.academic_years(2):
                session.add(Round(organisation_id=organisation.id, programme=generate.PROGRAMME,
                                  year=year, statement_set=generate.SET_KEY, status="open",
                                  opened_at=utcnow()))
            session.commit()
            previous, latest = session.exec(
                select(Round.id).where(Round.organisation_id == organisation.id)
                .order_by(Round.year)).all()
        generate.load_round_responses(url, previous, respondents=max(8, responses // 4),
                                      console=console, seed=11)
        generate.load_round_responses(url, latest, respondents=responses, console=console,
                                      seed=12)
        with Session(engine) as session:
            close_round(session=session, round_id=previous)
            close_round(session=session, round_id=latest)
        with psycopg.connect(generate.libpq_url(url), autocommit=True) as conn:
            conn.execute("ANALYZE")
        return latest
    finally:
        engine.dispose()
