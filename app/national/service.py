"""National participation and results for one year and programme (PRODUCT.md sections 4 and 5).

Built from what closing each round recorded (app.results), over the cohorts of
app.benchmarks.queries, with the same arithmetic as an organisation's benchmarks
(app.reports.aggregation): every qualifying organisation weighs the
same, any figure over fewer than `minimum_organisations` is hidden, and breakdowns
(app.national.groups) follow the same rules.
"""

from collections.abc import Mapping
from datetime import date
from fractions import Fraction

from sqlmodel import Session

from app.benchmarks.cohorts import KINDS, NATIONAL, GroupKey, group_of
from app.benchmarks.queries import CohortRound, cohort_rounds
from app.benchmarks.service import Figure, Scope, Shown, publish_benchmarks
from app.config import Settings, get_settings
from app.errors import Invalid
from app.lifecycle.years import academic_year_of, previous_year
from app.national.groups import breakdown
from app.national.queries import (
    cohort_means,
    count_participation,
    latest_closed_year,
    latest_qualifying_year,
    launched_rounds_per_programme,
    launched_rounds_per_set,
    qualifying_rounds_per_set,
    years_with_rounds,
)
from app.national.query import NationalQuery
from app.national.schemas import (
    NationalResults,
    NationalStatement,
    Participation,
    PreviousYear,
    PreviousYearFigures,
    StatementSetUse,
)
from app.reports import aggregation as agg
from app.reports.schemas import ThemeFigure
from app.results import arithmetic
from app.statements.loader import StatementSet, get_statement_sets, latest_set_for
from app.statements.reference import get_reference


def build_national_results(*, session: Session, query: NationalQuery) -> NationalResults:
    """Participation and national results of one year and programme, as the API returns them.

    Raises Invalid when no statement set suits the programme.
    """
    settings = get_settings()
    year, programme = query.year, query.programme
    sets = get_statement_sets()
    qualifying_per_set = qualifying_rounds_per_set(session=session, year=year,
                                                   programme=programme, settings=settings)
    key = query.statement_set or choose_statement_set(
        session=session, year=year, programme=programme, settings=settings,
        qualifying_per_set=qualifying_per_set)
    if key is None:
        raise Invalid(f"no statement set suits the programme {programme!r}")
    chosen = sets[key]
    minimum = settings.minimum_organisations

    cohort = cohort_rounds(session=session, year=year, programme=programme, statement_set=key,
                           settings=settings)
    published = publish_national(session=session, query=query, cohort=cohort,
                                 statement_set=chosen, settings=settings)
    national = published.get(GroupKey(NATIONAL), {})
    exact = {n: value.mean for n, value in national.items() if isinstance(value, Figure)}
    previous, previous_means, same_scale = _previous_year(
        session=session, year=year, programme=programme, statement_set=chosen, settings=settings)
    changes = {n: agg.change(current=exact.get(n), previous=previous_means.get(n),
                             same_scale=same_scale) for n in chosen.numbers}
    if previous is not None:
        previous = previous.model_copy(
            update={"rag_changed": [n for n in chosen.numbers if changes[n].rag_change]})
    highest, lowest = agg.highest_and_lowest(
        {n: arithmetic.display(mean) for n, mean in exact.items()})
    groups, ungrouped = breakdown(session=session, query=query, cohort=cohort,
                                  statement_set=chosen, settings=settings, published=published)
    return NationalResults(
        year=year,
        programme=programme,
        programme_label=get_reference().label("programmes", programme),
        statement_set=key,
        statement_set_title=chosen.title,
        statement_sets=[
            StatementSetUse(key=k, title=sets[k].title if k in sets else k, qualifying=count)
            for k, count in sorted(qualifying_per_set.items())
        ],
        minimum_organisations=minimum,
        small_group_threshold=settings.small_group_k,
        participation=Participation.model_validate(
            count_participation(session=session, year=year, programme=programme,
                                settings=settings), from_attributes=True),
        organisations=len(cohort),
        themes=[ThemeFigure.of(theme, agg.theme_average(
            arithmetic.display(exact.get(s.number)) for s in theme.statements))
                for theme in chosen.themes],
        statements=[
            NationalStatement.published(
                s, chosen.theme_of[s.number], national.get(s.number),
                previous=None if previous is None else PreviousYearFigures.of(changes[s.number]))
            for s in chosen.statements
        ],
        highest=highest,
        lowest=lowest,
        previous_year=previous,
        group_by=query.group_by,
        groups=groups,
        not_in_a_group=ungrouped,
    )


def publish_national(
    *, session: Session, query: NationalQuery, cohort: list[CohortRound],
    statement_set: StatementSet, settings: Settings,
) -> dict[GroupKey, dict[int, Shown]]:
    """The national figures and those of the breakdown's groups of organisations, published
    through app.benchmarks like a report's: audited together with every figure published this
    year, so that no hidden group is the national figure less the groups shown (rule 7)."""
    groups = [GroupKey(NATIONAL)]
    if query.group_by in KINDS:
        keys = {group_of(member, query.group_by) for member in cohort}
        groups += sorted(group for group in keys if group is not None)
    return publish_benchmarks(
        session=session, scope=Scope(query.year, query.programme, statement_set.key),
        cohort=cohort, groups=groups, numbers=statement_set.numbers,
        minimum=settings.minimum_organisations, today=date.today())


def _previous_year(
    *, session: Session, year: str, programme: str, statement_set: StatementSet,
    settings: Settings,
) -> tuple[PreviousYear | None, dict[int, Fraction], bool]:
    """The previous year's national results: a summary (its `rag_changed` left for the caller),
    means keyed by this set's numbers, and whether both years share a rating scale.
    (None, {}, True) when that year has no results."""
    before = previous_year(year)
    key = choose_statement_set(session=session, year=before, programme=programme,
                               settings=settings)
    sets = get_statement_sets()
    if key is None or key not in sets:
        return None, {}, True
    organisations, national_means = cohort_means(
        session=session, year=before, programme=programme, statement_set=key, settings=settings)
    if not organisations:
        return None, {}, True
    previous_set = sets[key]
    mapping = statement_set.same_statements(previous_set)
    means = {mapping[n]: mean for n, mean in national_means.items() if n in mapping}
    same_scale = previous_set.same_scale_as(statement_set)
    summary = PreviousYear(year=before, statement_set=key, organisations=organisations,
                           scale_differs=not same_scale, rag_changed=[])
    return summary, means, same_scale


def choose_statement_set(
    *, session: Session, year: str, programme: str, settings: Settings,
    qualifying_per_set: Mapping[str, int] | None = None,
) -> str | None:
    """The set most qualifying rounds of this year and programme used (ties: the newest set).

    With no qualifying round, the set most launched rounds used; with no round at all, the set a
    new round of the programme would get. None only when no set suits the programme.
    (`qualifying_per_set`: qualifying_rounds_per_set's answer, when the caller already has it.)
    """
    sets = get_statement_sets()
    if qualifying_per_set is None:
        qualifying_per_set = qualifying_rounds_per_set(session=session, year=year,
                                                       programme=programme, settings=settings)
    for counts in (qualifying_per_set, None):
        if counts is None:
            counts = launched_rounds_per_set(session=session, year=year, programme=programme)
        known = {key: count for key, count in counts.items() if key in sets}
        if known:
            return max(known, key=lambda key: (known[key], sets[key].year, key))
    fallback = latest_set_for(programme)
    return fallback.key if fallback else None


def default_programme(*, session: Session) -> str:
    """The programme with the most rounds so far (the first listed when there are none)."""
    known = get_reference().keys("programmes")
    counts = launched_rounds_per_programme(session=session)
    return max(known, key=lambda key: (counts.get(key, 0), -known.index(key)))


def default_year(*, session: Session, programme: str, today: date | None = None) -> str:
    """The newest year with qualifying data for the programme, else with a closed round, else
    with any round, else this year."""
    latest = (latest_qualifying_year(session=session, programme=programme,
                                     settings=get_settings())
              or latest_closed_year(session=session, programme=programme))
    if latest:
        return latest
    years = years_with_rounds(session=session)
    return years[0] if years else academic_year_of(today or date.today())


def list_years(*, session: Session) -> list[str]:
    """Years with launched rounds, newest first: the choices of the page's year filter."""
    return years_with_rounds(session=session)
