"""Summarise closed rounds in the database: per statement and respondent type, per statement,
and responses per type. Closing a round runs it for that round; the benchmark data generator
runs the very same statements for every round it loads.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Integer, Select, case, delete, func, insert, select
from sqlmodel import Session

from app.config import get_settings
from app.lifecycle.models import Round
from app.results.arithmetic import Cell, protect_statement, published_by_type
from app.results.models import RoundResponses, RoundStatement, RoundSummary, RoundTypeStatement
from app.survey.models import Rating, SurveyResponse
from app.vocabulary import RESPONDENT_TYPES, SELF_ASSESSMENT


def summarise_round(*, session: Session, round_id: int) -> None:
    """(Re)write one closing round's summary rows, in the caller's transaction (closing it), so
    a round is never closed without its summary."""
    summarise_rounds(session=session, round_ids=[round_id])


def summarise_rounds(*, session: Session, round_ids: Iterable[int] | Select) -> None:
    """(Re)write the summary rows of these rounds (a list of ids, or a query of them).

    Three aggregates run in the database, no rating is loaded into Python: counts and sums per
    statement and respondent type (`round_summary`), the organisation's figures per statement
    made from them (`round_statement`), and responses per respondent type (`round_responses`).
    Then the figures each type's report publishes (`round_type_statement`), from the summary.
    """
    ids = round_ids if isinstance(round_ids, Select) else list(round_ids)
    for table in (RoundSummary, RoundStatement, RoundResponses, RoundTypeStatement):
        session.exec(delete(table).where(table.round_id.in_(ids)))
    session.exec(insert(RoundSummary).from_select(
        ["round_id", "statement_number", "respondent_type", "n", "total", "dont_know"],
        select(
            SurveyResponse.round_id,
            Rating.statement_number,
            SurveyResponse.respondent_type,
            func.count(Rating.score),
            func.coalesce(func.sum(Rating.score), 0),
            func.count() - func.count(Rating.score),
        )
        .join(SurveyResponse, SurveyResponse.id == Rating.response_id)
        .where(SurveyResponse.round_id.in_(ids))
        .group_by(SurveyResponse.round_id, Rating.statement_number,
                  SurveyResponse.respondent_type),
    ))
    session.exec(insert(RoundStatement).from_select(
        ["round_id", "statement_number", "n", "total", "anonymous_n"],
        select(
            RoundSummary.round_id,
            RoundSummary.statement_number,
            func.sum(RoundSummary.n).cast(Integer),
            func.sum(RoundSummary.total).cast(Integer),
            func.sum(case((RoundSummary.respondent_type != SELF_ASSESSMENT, RoundSummary.n),
                          else_=0)).cast(Integer),
        )
        .where(RoundSummary.round_id.in_(ids))
        .group_by(RoundSummary.round_id, RoundSummary.statement_number),
    ))
    # From the rounds, so that a round nobody answered still gets its row of zeros.
    session.exec(insert(RoundResponses).from_select(
        ["round_id", *(str(t) for t in RESPONDENT_TYPES)],
        select(
            Round.id,
            *(func.coalesce(func.sum(case((SurveyResponse.respondent_type == t, 1), else_=0)),
                            0).cast(Integer)
              for t in RESPONDENT_TYPES),
        )
        .select_from(Round)
        .outerjoin(SurveyResponse, SurveyResponse.round_id == Round.id)
        .where(Round.id.in_(ids))
        .group_by(Round.id),
    ))
    _record_published_types(session, ids)


def _record_published_types(session: Session, ids: list[int] | Select) -> None:
    """Rule 5 applied once per round and statement, at close, to its summary (at most 128 rows
    a round): what each respondent type's report publishes, for national results by type."""
    k = get_settings().small_group_k
    cells: dict[tuple[int, int], dict[str, Cell]] = defaultdict(dict)
    for round_id, number, respondent_type, n, total, dont_know in session.execute(
        select(RoundSummary.round_id, RoundSummary.statement_number,
               RoundSummary.respondent_type, RoundSummary.n, RoundSummary.total,
               RoundSummary.dont_know)
        .where(RoundSummary.round_id.in_(ids))
    ):
        # "I do not know" counts too: a type that answered only that is pooled like a small one.
        cells[round_id, number][respondent_type] = Cell(n=n, total=total, dont_know=dont_know)
    # The types each round never publishes alone (expected below k when it opened, rule 5).
    never_alone = {round_.id: frozenset(name for name, expected in round_.expected.items()
                                        if expected < k)
                   for round_ in session.scalars(select(Round).where(Round.id.in_(ids)))}
    rows = []
    for (round_id, number), statement in cells.items():
        published = published_by_type(protect_statement(
            cells=statement, k=k, never_alone=never_alone.get(round_id, frozenset())))
        for name, value in published.items():
            cell = statement.get(name) if value is not None else None
            rows.append({"round_id": round_id, "statement_number": number,
                         "respondent_type": name, "k": k,
                         "n": cell.n if cell else None, "total": cell.total if cell else None})
    for start in range(0, len(rows), 5000):
        session.execute(insert(RoundTypeStatement), rows[start:start + 5000])
