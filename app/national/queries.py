"""SQL for national figures: participation counts, and the years and statement sets in use.

Like app.benchmarks.queries, everything here counts rounds, organisations and summary rows; no
rating is read, so the cost follows the number of organisations, not the number of answers.
"""

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import Integer, Text, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.accounts.approval import counts_in_results
from app.accounts.models import Organisation
from app.benchmarks.queries import in_cohort, qualifying_round_ids
from app.config import Settings
from app.lifecycle.models import Round
from app.reports import aggregation as agg
from app.results.models import RoundResponses, RoundStatement, RoundSummary
from app.survey.models import SurveyResponse
from app.vocabulary import LAUNCHED, RoundStatus

# A draft round has not been launched: nobody can answer it yet, so it is not "a round" here.


@dataclass(frozen=True)
class Participation:
    """Organisations at each stage of one year and programme (app.national.views says which)."""

    registered: int
    with_round: int
    with_data_not_qualifying: int
    qualifying: int
    second_round_or_later: int


def _launched(year: str, programme: str):
    """Launched rounds of one year and programme that count (their organisation is approved)."""
    return and_(Round.year == year, Round.programme == programme, Round.status.in_(LAUNCHED),
                counts_in_results(Round.organisation_id))


def _flag(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def count_participation(
    *, session: Session, year: str, programme: str, settings: Settings
) -> Participation:
    """Count organisations at each stage in two aggregate queries.

    An organisation has one round per programme and year, so counting launched rounds of this
    year and programme counts organisations.
    """
    qualifying = and_(Round.status == RoundStatus.CLOSED,
                      Round.id.in_(qualifying_round_ids(settings=settings, year=year,
                                                        programme=programme)))
    # Responses while a round is open; its summary once closed (either is enough).
    has_data = or_(
        exists(select(literal(1)).where(SurveyResponse.round_id == Round.id)),
        exists(select(literal(1)).where(RoundSummary.round_id == Round.id)),
    )
    earlier = aliased(Round)
    has_earlier = exists(
        select(literal(1)).where(
            earlier.organisation_id == Round.organisation_id,
            earlier.programme == Round.programme,
            earlier.year < Round.year,  # "2024-25" < "2025-26": the format sorts as it reads
            earlier.status == RoundStatus.CLOSED,
        )
    )
    with_round, not_qualifying, qualifying_count, second = session.execute(
        select(
            func.count(Round.id),
            _flag(and_(has_data, ~qualifying)),
            _flag(qualifying),
            _flag(has_earlier),
        ).where(_launched(year, programme))
    ).one()

    # Registrations keep their programmes as a JSON list of keys; matching the quoted key in its
    # text works the same on SQLite and PostgreSQL (autoescape keeps "_" from being a wildcard).
    runs_programme = cast(Organisation.programmes, Text).contains(f'"{programme}"', autoescape=True)
    has_round = Organisation.id.in_(select(Round.organisation_id).where(_launched(year, programme)))
    registered = session.execute(
        select(func.count(Organisation.id))
        .where(or_(runs_programme, has_round), counts_in_results(Organisation.id))
    ).scalar_one()
    return Participation(
        registered=registered,
        with_round=with_round,
        with_data_not_qualifying=not_qualifying,
        qualifying=qualifying_count,
        second_round_or_later=second,
    )


def qualifying_rounds_per_set(
    *, session: Session, year: str, programme: str, settings: Settings
) -> dict[str, int]:
    """Statement set key → number of qualifying rounds of this year and programme using it."""
    rows = session.execute(
        select(Round.statement_set, func.count(Round.id))
        .where(
            Round.year == year,
            Round.programme == programme,
            Round.status == RoundStatus.CLOSED,
            Round.id.in_(qualifying_round_ids(settings=settings, year=year,
                                              programme=programme)),
        )
        .group_by(Round.statement_set)
    )
    return {key: count for key, count in rows}


def launched_rounds_per_set(*, session: Session, year: str, programme: str) -> dict[str, int]:
    """Statement set key → number of launched rounds of this year and programme using it."""
    rows = session.execute(
        select(Round.statement_set, func.count(Round.id))
        .where(_launched(year, programme))
        .group_by(Round.statement_set)
    )
    return {key: count for key, count in rows}


def years_with_rounds(*, session: Session) -> list[str]:
    """Every year in which some round was launched, newest first."""
    return list(
        session.scalars(
            select(Round.year).where(Round.status.in_(LAUNCHED)).distinct()
            .order_by(Round.year.desc())
        )
    )


def latest_qualifying_year(*, session: Session, programme: str, settings: Settings) -> str | None:
    """The newest year with a qualifying round of this programme: the first with national
    results to show (a new year with only open rounds would show an empty page)."""
    return session.scalars(
        select(func.max(Round.year)).where(
            Round.programme == programme,
            Round.id.in_(qualifying_round_ids(settings=settings, programme=programme)))
    ).first()


def latest_closed_year(*, session: Session, programme: str) -> str | None:
    """The newest year with a closed round of this programme: the first with results to show."""
    return session.scalars(
        select(func.max(Round.year)).where(Round.programme == programme,
                                           Round.status == RoundStatus.CLOSED)
    ).first()


def launched_rounds_per_programme(*, session: Session) -> dict[str, int]:
    """Programme key → number of launched rounds over all years."""
    rows = session.execute(
        select(Round.programme, func.count(Round.id))
        .where(Round.status.in_(LAUNCHED))
        .group_by(Round.programme)
    )
    return {programme: count for programme, count in rows}


def cohort_means(
    *, session: Session, year: str, programme: str, statement_set: str, settings: Settings
) -> tuple[int, dict[int, Fraction]]:
    """How many rounds the cohort of rule 7 has (as `cohort_rounds` lists them), and statement
    number → the mean of their averages, for statements with at least `minimum_organisations`.

    Added up in SQL from `round_statement`: grouped by (statement, n), the averages total/n of
    a group share the denominator n, so their sum is sum(total)/n exactly. A statement withheld
    from a round's report (fewer than k anonymous scores, rule 5) adds nothing, as in a cohort.
    """
    cohort = in_cohort(year=year, programme=programme, statement_set=statement_set,
                       settings=settings)
    rounds = session.execute(
        select(func.count())
        .select_from(Round)
        .join(RoundResponses, RoundResponses.round_id == Round.id)
        .where(*cohort, exists().where(RoundStatement.round_id == Round.id))
    ).scalar_one()
    groups = session.execute(
        select(RoundStatement.statement_number, RoundStatement.n, func.count(),
               func.sum(RoundStatement.total))
        .select_from(Round)
        .join(RoundResponses, RoundResponses.round_id == Round.id)
        .join(RoundStatement, RoundStatement.round_id == Round.id)
        .where(*cohort, RoundStatement.anonymous_n >= settings.small_group_k)
        .group_by(RoundStatement.statement_number, RoundStatement.n)
    ).all()
    counts: dict[int, int] = {}
    sums: dict[int, list[Fraction]] = {}
    for number, n, count, total in groups:
        counts[number] = counts.get(number, 0) + count
        sums.setdefault(number, []).append(Fraction(total, n))
    return rounds, {number: agg.exact_sum(sums[number]) / count
                    for number, count in counts.items()
                    if count >= settings.minimum_organisations}
