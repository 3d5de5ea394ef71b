"""Upgrading a database with closed rounds fills the per-round figures as closing would."""

import random

from alembic import command
from sqlalchemy import JSON, column, create_engine, func, insert, literal, select, table
from sqlmodel import Session

from app.cli import _alembic_config
from app.db import utcnow
from app.lifecycle.models import Round
from app.reports.models import RoundResponses, RoundStatement, RoundSummary
from app.reports.summaries import summarise_round
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
