"""Build a closed round's summary rows with one SQL aggregate over its ratings."""

from sqlalchemy import Integer, case, delete, func, insert, literal, select
from sqlmodel import Session

from app.reports.models import RoundResponses, RoundStatement, RoundSummary
from app.survey.models import Rating, Response

SELF = "self_assessment"
RESPONDENT_TYPES = (SELF, "nqsw", "line_manager", "other")


def summarise_round(*, session: Session, round_id: int) -> None:
    """(Re)write the per-statement, per-respondent-type counts and sums of one round, its
    per-statement organisation figures and its responses per respondent type.

    Runs inside the caller's transaction (closing the round), so a round is never closed without
    its summary. The aggregate runs in the database: no rating is loaded into Python.
    """
    for table in (RoundSummary, RoundStatement, RoundResponses):
        session.exec(delete(table).where(table.round_id == round_id))
    aggregate = (
        select(
            literal(round_id).label("round_id"),
            Rating.statement_number,
            Response.respondent_type,
            func.count(Rating.score).label("n"),
            func.coalesce(func.sum(Rating.score), 0).label("total"),
            (func.count() - func.count(Rating.score)).label("dont_know"),
        )
        .join(Response, Response.id == Rating.response_id)
        .where(Response.round_id == round_id)
        .group_by(Rating.statement_number, Response.respondent_type)
    )
    session.exec(
        insert(RoundSummary).from_select(
            ["round_id", "statement_number", "respondent_type", "n", "total", "dont_know"],
            aggregate,
        )
    )
    session.exec(
        insert(RoundStatement).from_select(
            ["round_id", "statement_number", "n", "total", "anonymous_n"],
            select(
                RoundSummary.round_id,
                RoundSummary.statement_number,
                func.sum(RoundSummary.n).cast(Integer),
                func.sum(RoundSummary.total).cast(Integer),
                func.sum(case((RoundSummary.respondent_type != SELF, RoundSummary.n),
                              else_=0)).cast(Integer),
            )
            .where(RoundSummary.round_id == round_id)
            .group_by(RoundSummary.round_id, RoundSummary.statement_number),
        )
    )
    session.exec(
        insert(RoundResponses).from_select(
            ["round_id", *RESPONDENT_TYPES],
            select(
                literal(round_id),
                *(func.coalesce(func.sum(case((Response.respondent_type == t, 1), else_=0)),
                                0).cast(Integer)
                  for t in RESPONDENT_TYPES),
            ).where(Response.round_id == round_id),
        )
    )
