"""Upgrading a database with closed rounds fills the per-round figures as closing would."""

import random

from alembic import command
from sqlalchemy import JSON, column, create_engine, func, insert, literal, select, table
from sqlmodel import Session

from app.cli import _alembic_config
from app.db import utcnow
from app.lifecycle.models import Round
from app.results.models import RoundResponses, RoundStatement, RoundSummary
from app.results.summaries import summarise_round
from app.statements.loader import get_statement_sets
from app.statements.models import StatementSetRecord
from app.survey.models import Rating, SurveyResponse
from tests.databases import throwaway_database

BEFORE_ROUND_FIGURES = "7be45ed2d6b3"
# The organisation table as that revision had it: today's model would add columns (and their
# defaults) that did not exist yet.
_OLD_ORGANISATION = table(
    "organisation",
    *(column(name) for name in ("id", "name", "employer_type", "region", "created_at")),
    column("programmes", JSON),
)


def _figures(session: Session) -> tuple[list, list]:
    responses = session.exec(select(RoundResponses.__table__)).all()
    statements = session.exec(
        select(RoundStatement.__table__).order_by(RoundStatement.round_id,
                                                  RoundStatement.statement_number)
    ).all()
    return sorted(map(tuple, responses)), list(map(tuple, statements))


def test_the_upgrade_backfills_round_figures_equal_to_what_closing_writes():
    rng = random.Random(3)
    statement_set = get_statement_sets()["child-and-family-2019"]
    with throwaway_database("backfill") as url:
        command.upgrade(_alembic_config(url), BEFORE_ROUND_FIGURES)
        engine = create_engine(url)
        with Session(engine) as session:
            session.execute(insert(_OLD_ORGANISATION).values(
                id=1, name="Old", employer_type="nhs", region="london", programmes=["adults"],
                created_at=utcnow()))
            session.execute(insert(StatementSetRecord.__table__).values(
                key=statement_set.key, fingerprint=statement_set.fingerprint,
                content={}, first_used_at=utcnow()))
            for round_id, year in ((1, "2023-24"), (2, "2024-25")):
                session.execute(insert(Round.__table__).values(
                    id=round_id, organisation_id=1, programme="adults", year=year,
                    statement_set=statement_set.key, status="closed", expected_nqsw=0,
                    expected_line_manager=0, expected_other=0, created_at=utcnow()))
                for index in range(rng.randint(0, 9)):
                    kind = "self_assessment" if index == 0 else rng.choice(
                        ["nqsw", "line_manager", "other"])
                    response_id = f"{round_id:02d}{index:030d}"
                    session.execute(insert(SurveyResponse.__table__).values(
                        id=response_id, round_id=round_id, respondent_type=kind))
                    session.execute(insert(Rating.__table__), [
                        {"response_id": response_id, "statement_number": n,
                         "score": rng.choice([None, 1, 2, 3, 4, 5])}
                        for n in statement_set.numbers])
            session.commit()
            # The old close wrote round_summary only: run its aggregate as it did.
            _summary_rows_only(session, (1, 2))
            session.commit()

        command.upgrade(_alembic_config(url), "head")
        with Session(engine) as session:
            backfilled = _figures(session)
            for round_id in (1, 2):
                summarise_round(session=session, round_id=round_id)
            session.commit()
            assert _figures(session) == backfilled
            assert len(backfilled[0]) == 2
        engine.dispose()


def _summary_rows_only(session: Session, round_ids) -> None:
    for round_id in round_ids:
        session.execute(insert(RoundSummary.__table__).from_select(
            ["round_id", "statement_number", "respondent_type", "n", "total", "dont_know"],
            select(literal(round_id), Rating.statement_number, SurveyResponse.respondent_type,
                   func.count(Rating.score), func.coalesce(func.sum(Rating.score), 0),
                   func.count() - func.count(Rating.score))
            .join(SurveyResponse, SurveyResponse.id == Rating.response_id)
            .where(SurveyResponse.round_id == round_id)
            .group_by(Rating.statement_number, SurveyResponse.respondent_type)))


def test_the_upgrade_stores_existing_emails_in_their_normal_form_and_merges_none():
    from sqlalchemy import text

    rows = [
        (1, "\uff4c\uff45\uff41\uff44@example.org"),  # full-width: normal form lead@example.org
        (2, "lead@example.org"),  # which this account already has
        (3, "\uff4f\uff54\uff48\uff45\uff52@Example.ORG"),  # full-width, and free: normalised
        (4, "l\u0435ad@example.org"),  # mixed scripts: cannot be normalised, left alone
    ]
    with throwaway_database("emails") as url:
        command.upgrade(_alembic_config(url), "3b1d5e7a9c20")
        engine = create_engine(url)
        with engine.begin() as connection:
            for user_id, email in rows:
                connection.execute(text(
                    "INSERT INTO user_account (id, email, password_hash, role, created_at, "
                    "session_version) VALUES (:id, :email, 'x', 'employer', :now, 0)"),
                    {"id": user_id, "email": email, "now": utcnow()})
        command.upgrade(_alembic_config(url), "8c4f2a6d1e73")
        with engine.connect() as connection:
            stored = dict(connection.execute(text("SELECT id, email FROM user_account")).all())
        engine.dispose()

    # 1's normal form is 2's address: 1 is left as it was rather than merged into 2.
    assert stored == {1: rows[0][1], 2: "lead@example.org", 3: "other@example.org",
                      4: rows[3][1]}
