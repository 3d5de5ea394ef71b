"""SQL of benchmark cohorts (rule 7): the qualifying closed rounds of approved organisations,
their recorded placement and their figures as recorded at close.

Everything here reads what closing a round recorded (app.results), never the ratings, so the
cost follows the number of rounds and statements, not the number of answers. Reports and
national results both read their cohorts here.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import case, select
from sqlmodel import Session

from app.accounts.approval import counts_in_results
from app.accounts.models import Organisation
from app.config import Settings
from app.lifecycle.models import Round
from app.results import criteria
from app.results.arithmetic import Cell
from app.results.models import RoundResponses, RoundStatement, RoundSummary
from app.vocabulary import RoundStatus


def qualifying_round_ids(
    *, settings: Settings, year: str | None = None, programme: str | None = None
):
    """Closed rounds of approved organisations meeting the minimum criteria (rules 6 and 15), as
    a subquery of round ids.

    Reads the response counts recorded at close (one row per round), not the summaries.
    """
    query = (
        select(RoundResponses.round_id)
        .join(Round, Round.id == RoundResponses.round_id)
        .where(criteria.condition(settings), counts_in_results(Round.organisation_id))
    )
    if year is not None:
        query = query.where(Round.year == year)
    if programme is not None:
        query = query.where(Round.programme == programme)
    return query


@dataclass
class CohortRound:
    """One qualifying round of a cohort and its organisation averages per statement.

    A statement whose anonymous scores number fewer than k has no average here: it is withheld
    from the report (rule 5), so it must not surface again through a benchmark's min or max.
    """

    round_id: int
    organisation_id: int
    region: str
    teaching_partnership: str | None
    employer_type: str
    means: dict[int, Fraction] = field(default_factory=dict)


def recorded_placement():
    """A round's region, Teaching Partnership and employer type as recorded when it opened (or,
    for a round recorded before rounds kept them, its organisation's), as three columns of a
    query that joins Round and Organisation."""
    recorded = Round.region.is_not(None)
    return (
        case((recorded, Round.region), else_=Organisation.region),
        case((recorded, Round.teaching_partnership), else_=Organisation.teaching_partnership),
        case((recorded, Round.employer_type), else_=Organisation.employer_type),
    )


def in_cohort(*, year: str, programme: str, statement_set: str, settings: Settings):
    """Rule 7's cohort: qualifying closed rounds of approved organisations (rule 15) of one
    year, programme and statement set.

    The query must join RoundResponses (the criteria read its counts).
    """
    return (
        Round.year == year,
        Round.programme == programme,
        Round.statement_set == statement_set,
        Round.status == RoundStatus.CLOSED,
        criteria.condition(settings),
        counts_in_results(Round.organisation_id),
    )


def cohort_rounds(
    *, session: Session, year: str, programme: str, statement_set: str, settings: Settings
) -> list[CohortRound]:
    """The qualifying rounds of one year, programme and statement set (rule 7), with averages.

    Reads the per-statement figures recorded at close (`round_statement`) of the rounds whose
    recorded response counts meet the criteria: no aggregate runs here.
    """
    rows = session.execute(
        select(
            Round.id,
            Organisation.id,
            *recorded_placement(),
            RoundStatement.statement_number,
            RoundStatement.total,
            RoundStatement.n,
            RoundStatement.anonymous_n,
        )
        .select_from(Round)
        .join(RoundResponses, RoundResponses.round_id == Round.id)
        .join(Organisation, Organisation.id == Round.organisation_id)
        .join(RoundStatement, RoundStatement.round_id == Round.id)
        .where(*in_cohort(year=year, programme=programme, statement_set=statement_set,
                          settings=settings))
    )
    rounds: dict[int, CohortRound] = {}
    for round_id, org_id, region, tp, employer_type, number, total, n, anonymous in rows:
        cohort_round = rounds.get(round_id)
        if cohort_round is None:
            cohort_round = rounds[round_id] = CohortRound(
                round_id, org_id, region, tp, employer_type
            )
        if anonymous >= settings.small_group_k:
            cohort_round.means[number] = Fraction(total, n)
    return list(rounds.values())


def cohort_cells(
    *, session: Session, year: str, programme: str, statement_set: str, settings: Settings
) -> dict[int, dict[int, dict[str, Cell]]]:
    """Round id → statement number → respondent type → (n, total), for the cohort of rule 7.

    The same qualifying rounds as `cohort_rounds`, kept per respondent type so that a caller can
    apply small-group protection inside each organisation before combining organisations.
    """
    rows = session.execute(
        select(
            RoundSummary.round_id,
            RoundSummary.statement_number,
            RoundSummary.respondent_type,
            RoundSummary.n,
            RoundSummary.total,
            RoundSummary.dont_know,
        )
        .join(Round, Round.id == RoundSummary.round_id)
        .join(RoundResponses, RoundResponses.round_id == Round.id)
        .where(*in_cohort(year=year, programme=programme, statement_set=statement_set,
                          settings=settings))
    )
    cells: dict[int, dict[int, dict[str, Cell]]] = defaultdict(lambda: defaultdict(dict))
    for round_id, number, respondent_type, n, total, dont_know in rows:
        cells[round_id][number][respondent_type] = Cell(n=n, total=total, dont_know=dont_know)
    return {round_id: dict(statements) for round_id, statements in cells.items()}


def pooled_types_of(*, session: Session, round_ids: list[int], k: int) -> dict[int, frozenset[str]]:
    """Round id → the respondent types it never publishes alone: those expected below k when it
    opened (rule 5), as its own report pools them."""
    if not round_ids:
        return {}
    rows = session.execute(select(Round).where(Round.id.in_(round_ids))).scalars()
    return {round_.id: frozenset(name for name, expected in round_.expected.items()
                                 if expected < k) for round_ in rows}
