"""National figures by respondent type, added up in SQL from what closing each round recorded.

`round_type_statement` holds what each organisation's report publishes per statement and type
(n scores, their total): about 128,000 rows a year at 1,000 organisations. The figures over them
are the mean of the organisation averages total/n, the lowest and the highest. Grouped by
(type, statement, n), a few thousand rows keep all three exactly: within a group the averages
share the denominator n, so their sum is sum(total)/n, and the lowest is min(total)/n; across
groups the exact sum and the exact minimum of these candidates follow.
"""

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlmodel import Session

from app.benchmarks.queries import in_cohort
from app.config import Settings
from app.lifecycle.models import Round
from app.reports import aggregation as agg
from app.results.models import RoundResponses, RoundTypeStatement
from app.vocabulary import RESPONDENT_TYPES


@dataclass(frozen=True)
class Tally:
    """The organisation averages published for one statement and type, added up: how many,
    their exact sum, lowest and highest."""

    organisations: int
    total: Fraction
    lowest: Fraction
    highest: Fraction

    def benchmark(self, minimum: int) -> agg.Benchmark | None:
        """`agg.benchmark` of the averages this tallies (None below `minimum` organisations)."""
        return agg.tallied_benchmark(organisations=self.organisations, total=self.total,
                                     lowest=self.lowest, highest=self.highest,
                                     min_organisations=minimum)


@dataclass(frozen=True)
class RecordedTypes:
    """The cohort's recorded figures per type: the rounds that have rows with the configured k
    (any cohort round missing here was closed before they were recorded, or with another k);
    per type, the organisations publishing it for at least one of `numbers`, and a tally per
    statement."""

    recorded: frozenset[int]
    organisations: dict[str, int]
    tallies: dict[str, dict[int, Tally]]


def recorded_type_tallies(
    *, session: Session, year: str, programme: str, statement_set: str, numbers: tuple[int, ...],
    settings: Settings,
) -> RecordedTypes:
    """Two grouped reads of the cohort's `round_type_statement` rows (see the module)."""
    cohort = (*in_cohort(year=year, programme=programme, statement_set=statement_set,
                         settings=settings),
              RoundTypeStatement.k == settings.small_group_k)

    def over_cohort(*columns):
        return (select(*columns)
                .join(Round, Round.id == RoundTypeStatement.round_id)
                .join(RoundResponses, RoundResponses.round_id == Round.id)
                .where(*cohort))

    # Per round and type: whether it publishes the type alone for a statement of the set.
    wanted = RoundTypeStatement.statement_number.in_(numbers)
    per_round = session.execute(
        over_cohort(RoundTypeStatement.round_id, RoundTypeStatement.respondent_type,
                    func.count(case((wanted, RoundTypeStatement.n))))
        .group_by(RoundTypeStatement.round_id, RoundTypeStatement.respondent_type)
    ).all()
    organisations = dict.fromkeys(RESPONDENT_TYPES, 0)
    for _, respondent_type, published in per_round:
        if published:
            organisations[respondent_type] += 1

    groups = session.execute(
        over_cohort(RoundTypeStatement.respondent_type, RoundTypeStatement.statement_number,
                    RoundTypeStatement.n, func.count(), func.sum(RoundTypeStatement.total),
                    func.min(RoundTypeStatement.total), func.max(RoundTypeStatement.total))
        .where(wanted, RoundTypeStatement.n.is_not(None))
        .group_by(RoundTypeStatement.respondent_type, RoundTypeStatement.statement_number,
                  RoundTypeStatement.n)
    ).all()
    by_cell: dict[tuple[str, int], list] = defaultdict(list)
    for respondent_type, number, n, count, total, lowest, highest in groups:
        by_cell[respondent_type, number].append((n, count, total, lowest, highest))
    tallies: dict[str, dict[int, Tally]] = {t: {} for t in RESPONDENT_TYPES}
    for (respondent_type, number), cells in by_cell.items():
        tallies[respondent_type][number] = Tally(
            organisations=sum(count for _, count, _, _, _ in cells),
            total=agg.exact_sum(Fraction(total, n) for n, _, total, _, _ in cells),
            lowest=agg.exact_min([Fraction(lowest, n) for n, _, _, lowest, _ in cells]),
            highest=agg.exact_min([Fraction(highest, n) for n, _, _, _, highest in cells],
                                  highest=True))
    return RecordedTypes(recorded=frozenset(round_id for round_id, _, _ in per_round),
                         organisations=organisations, tallies=tallies)
