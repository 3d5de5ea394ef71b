"""Build a closed round's summary rows with one SQL aggregate over its ratings."""

from sqlalchemy import delete, func, insert, literal, select
from sqlmodel import Session

from app.reports.models import RoundSummary
from app.survey.models import Rating, Response


def summarise_round(*, session: Session, round_id: int) -> None:
    """(Re)write the per-statement, per-respondent-type counts and sums of one round.

    Runs inside the caller's transaction (closing the round), so a round is never closed without
    its summary. The aggregate runs in the database: no rating is loaded into Python.
    """
    session.exec(delete(RoundSummary).where(RoundSummary.round_id == round_id))
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
