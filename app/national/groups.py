"""National breakdowns: by region, Teaching Partnership or employer type, and by respondent type.

Each group is figured exactly as the nation is (the mean of its organisations' averages), and a
group of fewer than `minimum_organisations` is hidden. A respondent type counts in an
organisation only where that organisation's own report publishes it (rule 5).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from fractions import Fraction

from sqlmodel import Session

from app.benchmarks.cohorts import GroupKey
from app.benchmarks.queries import (
    CohortRound,
    cohort_cells,
    pooled_types_of,
)
from app.benchmarks.service import Shown
from app.config import Settings
from app.national.by_type import Tally, recorded_type_tallies
from app.national.query import NationalQuery
from app.national.schemas import Group, StatementFigures
from app.partnerships.service import partnership_labels
from app.results import arithmetic
from app.statements.loader import StatementSet
from app.statements.reference import get_reference
from app.vocabulary import NOT_ENOUGH_ORGANISATIONS, RESPONDENT_TYPES, GroupBy

# The reference list each breakdown takes its keys and labels from.
REFERENCE_LISTS = {
    GroupBy.REGION: "regions",
    GroupBy.TEACHING_PARTNERSHIP: "teaching_partnerships",
    GroupBy.EMPLOYER_TYPE: "employer_types",
    GroupBy.RESPONDENT_TYPE: "respondent_types",
}


def _labels(list_name: str) -> dict[str, str]:
    """Key → label of a breakdown's list, in its order (partnerships from the database)."""
    if list_name == "teaching_partnerships":
        return partnership_labels()
    return {item.key: item.label for item in getattr(get_reference(), list_name)}

# A group's organisations, and the organisation averages published for each statement (or,
# by respondent type, their tally).
Members = tuple[int, Mapping[int, list[Fraction] | Tally]]


def values_by_statement(rounds: Iterable[CohortRound]) -> dict[int, list[Fraction]]:
    """Statement number → the organisation averages published for it (withheld ones left out)."""
    values: dict[int, list[Fraction]] = defaultdict(list)
    for cohort_round in rounds:
        for number, mean in cohort_round.means.items():
            values[number].append(mean)
    return values


def statement_figures(statement_set: StatementSet,
                      values: Mapping[int, list[Fraction] | Tally],
                      minimum: int) -> list[StatementFigures]:
    theme_of = statement_set.theme_of
    figures = []
    for s in statement_set.statements:
        value = values.get(s.number, [])
        if isinstance(value, Tally):
            figures.append(StatementFigures.of(s, theme_of[s.number], [], minimum,
                                               result=value.benchmark(minimum),
                                               organisations=value.organisations))
        else:
            figures.append(StatementFigures.of(s, theme_of[s.number], value, minimum))
    return figures


def breakdown(
    *, session: Session, query: NationalQuery, cohort: list[CohortRound],
    statement_set: StatementSet, settings: Settings,
    published: Mapping[GroupKey, Mapping[int, Shown]] | None = None,
) -> tuple[dict[str, Group], int]:
    """Group key → its figures, in reference order; and how many organisations are in none.

    Groups of organisations show their figures as `published` (app.benchmarks: audited,
    renewed in steps); respondent types are figured here.
    """
    if query.group_by is None:
        return {}, 0
    if query.group_by == GroupBy.RESPONDENT_TYPE:
        grouped, ungrouped = _by_respondent_type(session=session, query=query, cohort=cohort,
                                                 statement_set=statement_set,
                                                 settings=settings), 0
    else:
        grouped, ungrouped = _by_organisation(query.group_by, cohort)
    labels = _labels(REFERENCE_LISTS[query.group_by])
    minimum = settings.minimum_organisations
    groups = {}
    by_organisation = published is not None and query.group_by != GroupBy.RESPONDENT_TYPE
    for key, (organisations, values) in grouped.items():
        # A group of organisations alone needs `minimum` besides any reader inside it (rule 7).
        shown = organisations > minimum if by_organisation else organisations >= minimum
        statements = statement_figures(statement_set, values, minimum) if shown else []
        if by_organisation:
            figures = published.get(GroupKey(query.group_by, key), {})
            statements = [StatementFigures.published(s, statement_set.theme_of[s.number],
                                                     figures.get(s.number))
                          for s in statement_set.statements] if shown else []
        groups[key] = Group(
            label=labels.get(key, key),
            organisations=organisations,
            suppressed=None if shown else NOT_ENOUGH_ORGANISATIONS,
            statements=statements,
        )
    return groups, ungrouped


def _by_organisation(group_by: GroupBy, cohort: list[CohortRound]) -> tuple[dict[str, Members],
                                                                            int]:
    members: dict[str, list[CohortRound]] = defaultdict(list)
    ungrouped = 0
    for cohort_round in cohort:
        key = getattr(cohort_round, group_by)
        if key is None:
            ungrouped += 1
        else:
            members[key].append(cohort_round)
    order = list(_labels(REFERENCE_LISTS[group_by]))
    keys = [k for k in order if k in members] + sorted(set(members) - set(order))
    return {key: (len(members[key]), values_by_statement(members[key])) for key in keys}, ungrouped


def _by_respondent_type(
    *, session: Session, query: NationalQuery, cohort: list[CohortRound],
    statement_set: StatementSet, settings: Settings,
) -> dict[str, Members]:
    """Small-group protection is applied inside each organisation first: a type that the
    organisation's report pools with another, or withholds, adds nothing for that type; the
    self-assessment is the employer's own single answer, which its report always shows.

    Closing a round records what its report publishes per type (`round_type_statement`), so
    this adds those rows up in SQL (app.national.by_type); only when a round of the cohort has
    none (closed before they were recorded, or k has changed since) is every organisation's
    summary protected here instead.
    """
    recorded = recorded_type_tallies(
        session=session, year=query.year, programme=query.programme,
        statement_set=statement_set.key, numbers=statement_set.numbers, settings=settings)
    if not {cohort_round.round_id for cohort_round in cohort} <= recorded.recorded:
        return protected_by_respondent_type(session=session, query=query,
                                            statement_set=statement_set, settings=settings)
    return {name: (recorded.organisations[name], recorded.tallies[name])
            for name in RESPONDENT_TYPES}


def protected_by_respondent_type(
    *, session: Session, query: NationalQuery, statement_set: StatementSet, settings: Settings,
) -> dict[str, Members]:
    """`_by_respondent_type` from the summary, protecting every organisation's cells now."""
    cells = cohort_cells(session=session, year=query.year, programme=query.programme,
                         statement_set=statement_set.key, settings=settings)
    never_alone = pooled_types_of(session=session, round_ids=list(cells),
                                  k=settings.small_group_k)
    values: dict[str, dict[int, list[Fraction]]] = {t: defaultdict(list) for t in RESPONDENT_TYPES}
    organisations: dict[str, set[int]] = {t: set() for t in RESPONDENT_TYPES}
    for round_id, statements in cells.items():
        for number in statement_set.numbers:
            published = arithmetic.published_by_type(arithmetic.protect_statement(
                cells=statements.get(number, {}), k=settings.small_group_k,
                never_alone=never_alone.get(round_id, frozenset())))
            for name, value in published.items():
                if value is not None:
                    values[name][number].append(value.mean)
                    organisations[name].add(round_id)
    return {name: (len(organisations[name]), values[name]) for name in RESPONDENT_TYPES}
