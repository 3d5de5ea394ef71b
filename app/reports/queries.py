"""SQL of one round's report: its cells as recorded at close, and the round it compares with.

Reads `round_summary` (app.results, made once when a round closes), never the ratings. The
benchmark cohort's queries are in app.benchmarks.queries.
"""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session

from app.lifecycle.models import Round
from app.results.arithmetic import Cell
from app.results.models import RoundSummary
from app.vocabulary import RoundStatus


def round_cells(*, session: Session, round_id: int) -> dict[int, dict[str, Cell]]:
    """Statement number → respondent type → (n, total) for one closed round."""
    cells: dict[int, dict[str, Cell]] = defaultdict(dict)
    rows = session.execute(
        select(
            RoundSummary.statement_number,
            RoundSummary.respondent_type,
            RoundSummary.n,
            RoundSummary.total,
            RoundSummary.dont_know,
        ).where(RoundSummary.round_id == round_id)
    )
    for number, respondent_type, n, total, dont_know in rows:
        cells[number][respondent_type] = Cell(n=n, total=total, dont_know=dont_know)
    return dict(cells)


def previous_round(*, session: Session, round_: Round) -> Round | None:
    """The organisation's latest closed round of the same programme before this one's year."""
    return session.scalars(
        select(Round)
        .where(
            Round.organisation_id == round_.organisation_id,
            Round.programme == round_.programme,
            Round.status == RoundStatus.CLOSED,
            Round.year < round_.year,
        )
        .order_by(Round.year.desc())
        .limit(1)
    ).first()
