"""National participation and results for one year and programme (PRODUCT.md sections 4 and 5).

Built from per-round summaries (app.reports.queries), with the same arithmetic as an
organisation's benchmarks (app.reports.aggregation): every qualifying organisation weighs the
same, any group of fewer than `minimum_organisations` is hidden, and a respondent type counts in
an organisation only where that organisation's own report publishes it (rule 5).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import Session

from app.config import Settings, get_settings
from app.national.queries import (
    count_participation,
    latest_closed_year,
    launched_rounds_per_programme,
    launched_rounds_per_set,
    qualifying_rounds_per_set,
    years_with_rounds,
)
from app.reports import aggregation as agg
from app.reports.queries import CohortRound, cohort_cells, cohort_rounds
from app.reports.service import number
from app.rounds.years import academic_year_of, is_academic_year, previous_year
from app.statements.loader import StatementSet, get_statement_sets, latest_set_for
from app.statements.reference import get_reference

GROUP_BY = ("region", "teaching_partnership", "employer_type", "respondent_type")
GROUP_BY_LABELS = {
    "region": "Region",
    "teaching_partnership": "Teaching Partnership",
    "employer_type": "Employer type",
    "respondent_type": "Respondent type",
}
# The reference list each breakdown takes its keys and labels from.
_GROUP_LISTS = {
    "region": "regions",
    "teaching_partnership": "teaching_partnerships",
    "employer_type": "employer_types",
    "respondent_type": "respondent_types",
}


class NationalQueryError(ValueError):
    """A year, programme, breakdown or statement set that does not exist; the message says so."""


def participation_definitions(settings: Settings) -> dict[str, tuple[str, str]]:
    """Each participation figure's label and what it counts, in words for the page.

    (The API schema, app.national.schemas.Participation, describes the same fields.)

    Every figure counts organisations for one academic year and one programme:

    - registered: organisations with an account whose registration includes the programme
      (as registered today: the service keeps no history of registrations), plus any that
      launched a round of it that year;
    - with_round: organisations that launched (opened) a round of the programme that year,
      whether it is still open or has closed; a draft never opened is not counted;
    - with_data_not_qualifying: of those, the ones whose round has at least one response or a
      self-assessment but does not meet the minimum criteria (rule 6), including rounds still
      open, which cannot qualify until they close;
    - qualifying: organisations whose round has closed and meets the minimum criteria, on any
      statement set (the national results use one set; see `organisations`);
    - second_round_or_later: organisations with a round that year that had also closed a round of
      the same programme in an earlier year.
    """
    nqsw, managers = settings.minimum_nqsw, settings.minimum_line_manager
    criteria = (
        f"closed, with the self-assessment completed, at least {nqsw} NQSW "
        f"{'response' if nqsw == 1 else 'responses'} and at least {managers} line manager "
        f"{'response' if managers == 1 else 'responses'}"
    )
    return {
        "registered": (
            "Registered",
            "Organisations registered for this programme (registrations as they are today), "
            "and any other organisation that launched a round of it this year.",
        ),
        "with_round": (
            "With a round this year",
            "Organisations that opened a round of this programme this year, still open or "
            "closed. A draft round that was never opened does not count.",
        ),
        "with_data_not_qualifying": (
            "With data but not qualifying",
            "Organisations whose round this year has at least one response or a "
            f"self-assessment but does not meet the minimum criteria ({criteria}). "
            "Rounds still open are counted here until they close.",
        ),
        "qualifying": (
            "Qualifying",
            f"Organisations whose round this year meets the minimum criteria ({criteria}). "
            "Only these count in the national results.",
        ),
        "second_round_or_later": (
            "On their second or later round",
            "Organisations with a round this year that had also closed a round of this "
            "programme in an earlier year.",
        ),
    }


def check_year(year: str) -> str:
    if not is_academic_year(year):
        raise NationalQueryError(
            f"year must be an academic year written like 2025-26, not {year!r}")
    return year


def check_programme(programme: str) -> str:
    known = get_reference().keys("programmes")
    if programme not in known:
        raise NationalQueryError(f"programme must be one of: {', '.join(known)}")
    return programme


def check_group_by(group_by: str | None) -> str | None:
    if group_by is not None and group_by not in GROUP_BY:
        raise NationalQueryError(f"group_by must be one of: {', '.join(GROUP_BY)}")
    return group_by


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
    """The newest year with results for the programme, else with any round, else this year."""
    latest = latest_closed_year(session=session, programme=programme)
    if latest:
        return latest
    years = years_with_rounds(session=session)
    return years[0] if years else academic_year_of(today or date.today())


def list_years(*, session: Session) -> list[str]:
    """Years with launched rounds, newest first: the choices of the page's year filter."""
    return years_with_rounds(session=session)


def _figures(
    values: list[Fraction], minimum_organisations: int, result: agg.Benchmark | None = None
) -> dict[str, Any]:
    """One statement's average, range, RAG and organisation count, or why it is hidden
    (`result`: its benchmark over `values`, when the caller has already computed it)."""
    if result is None:
        result = agg.benchmark(values, min_organisations=minimum_organisations)
    if result is None:
        return {"average": None, "mean": None, "min": None, "max": None, "rag": None,
                "organisations": len(values), "suppressed": agg.NOT_ENOUGH_ORGANISATIONS}
    return {"average": number(result.average), "mean": number(result.mean),
            "min": number(result.minimum), "max": number(result.maximum), "rag": result.rag,
            "organisations": result.organisations, "suppressed": None}


def _statements(
    statement_set: StatementSet, values: Mapping[int, list[Fraction]], minimum: int,
    benchmarks: Mapping[int, agg.Benchmark | None] | None = None,
) -> list[dict[str, Any]]:
    theme_of = statement_set.theme_of
    benchmarks = benchmarks or {}
    return [
        {"number": s.number, "theme": theme_of[s.number], "text": s.text,
         **_figures(values.get(s.number, []), minimum, benchmarks.get(s.number))}
        for s in statement_set.statements
    ]


def _benchmarks(
    values: Mapping[int, list[Fraction]], minimum: int
) -> dict[int, agg.Benchmark | None]:
    """Statement number → its benchmark (None with too few organisations), computed once."""
    return {number_: agg.benchmark(v, min_organisations=minimum)
            for number_, v in values.items()}


def _values_by_statement(rounds: Iterable[CohortRound]) -> dict[int, list[Fraction]]:
    """Statement number → the organisation averages published for it (withheld ones left out)."""
    values: dict[int, list[Fraction]] = defaultdict(list)
    for cohort_round in rounds:
        for statement_number, mean in cohort_round.means.items():
            values[statement_number].append(mean)
    return values


def _national_means(cohort: list[CohortRound], minimum: int) -> dict[int, Fraction]:
    """Statement number → national mean, for statements with enough organisations."""
    return {statement_number: result.mean
            for statement_number, result in
            _benchmarks(_values_by_statement(cohort), minimum).items()
            if result is not None}


def _same_statements(previous: StatementSet, current: StatementSet) -> dict[int, int]:
    """Previous set's statement number → this set's number for the same statement.

    Across sets a statement is the same statement only if its words are the same (as in the
    organisation report's comparison with its previous round).
    """
    if previous.key == current.key:
        return {n: n for n in current.numbers}
    number_of_text = {s.text: s.number for s in current.statements}
    return {s.number: number_of_text[s.text] for s in previous.statements
            if s.text in number_of_text}


def _previous_year(
    *, session: Session, year: str, programme: str, statement_set: StatementSet,
    settings: Settings,
) -> tuple[dict[str, Any] | None, dict[int, Fraction], bool]:
    """The previous year's national results: a summary, means keyed by this set's numbers, and
    whether both years share a rating scale. (None, {}, True) when that year has no results."""
    before = previous_year(year)
    key = choose_statement_set(session=session, year=before, programme=programme,
                               settings=settings)
    sets = get_statement_sets()
    if key is None or key not in sets:
        return None, {}, True
    cohort = cohort_rounds(session=session, year=before, programme=programme, statement_set=key,
                           settings=settings)
    if not cohort:
        return None, {}, True
    previous_set = sets[key]
    mapping = _same_statements(previous_set, statement_set)
    means = {mapping[n]: mean
             for n, mean in _national_means(cohort, settings.minimum_organisations).items()
             if n in mapping}
    same_scale = previous_set.same_scale_as(statement_set)
    summary = {"year": before, "statement_set": key, "organisations": len(cohort),
               "scale_differs": not same_scale}
    return summary, means, same_scale


def _location_groups(
    group_by: str, cohort: list[CohortRound]
) -> tuple[dict[str, tuple[int, dict[int, list[Fraction]]]], int]:
    """Group key → (organisations, values per statement) for region, Teaching Partnership or
    employer type, in reference order; and how many organisations belong to no group."""
    members: dict[str, list[CohortRound]] = defaultdict(list)
    ungrouped = 0
    for cohort_round in cohort:
        key = getattr(cohort_round, group_by)
        if key is None:
            ungrouped += 1
        else:
            members[key].append(cohort_round)
    order = get_reference().keys(_GROUP_LISTS[group_by])
    keys = [k for k in order if k in members] + sorted(set(members) - set(order))
    return (
        {key: (len(members[key]), _values_by_statement(members[key])) for key in keys},
        ungrouped,
    )


def _respondent_type_groups(
    *, session: Session, year: str, programme: str, statement_set: StatementSet,
    settings: Settings,
) -> dict[str, tuple[int, dict[int, list[Fraction]]]]:
    """Respondent type → (organisations, values per statement).

    Small-group protection is applied inside each organisation first (rule 5): a type that the
    organisation's report pools with another, or withholds, adds nothing for that type; the
    self-assessment is the employer's own single answer, which its report always shows.
    """
    cells = cohort_cells(session=session, year=year, programme=programme,
                         statement_set=statement_set.key, settings=settings)
    values: dict[str, dict[int, list[Fraction]]] = {t: defaultdict(list)
                                                     for t in agg.RESPONDENT_TYPES}
    organisations: dict[str, set[int]] = {t: set() for t in agg.RESPONDENT_TYPES}
    for round_id, statements in cells.items():
        for statement_number in statement_set.numbers:
            result = agg.protect_statement(cells=statements.get(statement_number, {}),
                                           k=settings.small_group_k)
            published = {agg.SELF_ASSESSMENT: result.self_assessment} | {
                name: outcome.published for name, outcome in result.respondent_types.items()
            }
            for name, value in published.items():
                if value is not None:
                    values[name][statement_number].append(value.mean)
                    organisations[name].add(round_id)
    return {name: (len(organisations[name]), values[name]) for name in agg.RESPONDENT_TYPES}


def _groups(
    *, session: Session, group_by: str | None, cohort: list[CohortRound], year: str,
    programme: str, statement_set: StatementSet, settings: Settings,
) -> tuple[dict[str, dict[str, Any]], int]:
    if group_by is None:
        return {}, 0
    if group_by == "respondent_type":
        grouped = _respondent_type_groups(session=session, year=year, programme=programme,
                                          statement_set=statement_set, settings=settings)
        ungrouped = 0
    else:
        grouped, ungrouped = _location_groups(group_by, cohort)
    reference = get_reference()
    minimum = settings.minimum_organisations
    groups = {}
    for key, (organisations, values) in grouped.items():
        shown = organisations >= minimum
        groups[key] = {
            "label": reference.label(_GROUP_LISTS[group_by], key),
            "organisations": organisations,
            "suppressed": None if shown else agg.NOT_ENOUGH_ORGANISATIONS,
            "statements": _statements(statement_set, values, minimum) if shown else [],
        }
    return groups, ungrouped


def _compare(
    statements: list[dict[str, Any]], exact: Mapping[int, Fraction],
    previous_means: Mapping[int, Fraction], same_scale: bool,
) -> list[int]:
    """Add each statement's change since the previous year; return those whose RAG changed.

    Compared on the exact means (never the JSON floats), as an organisation's report is.
    """
    rag_changed = []
    for statement in statements:
        compared = agg.change(current=exact.get(statement["number"]),
                              previous=previous_means.get(statement["number"]),
                              same_scale=same_scale)
        before = compared.previous
        statement["previous"] = {
            "average": number(before.average) if before else None,
            "mean": number(before.mean) if before else None,
            "rag": before.rag if before else None,
            "change": number(compared.change),
            "rag_change": compared.rag_change,
            "scale_differs": compared.scale_differs,
        }
        if compared.rag_change:
            rag_changed.append(statement["number"])
    return rag_changed


def _themes(statement_set: StatementSet, exact: Mapping[int, Fraction]) -> list[dict[str, Any]]:
    """Each theme's average: the mean of its statements' national means (rule 4)."""
    themes = []
    for theme in statement_set.themes:
        average = agg.theme_average(exact.get(s.number) for s in theme.statements)
        themes.append({
            "number": theme.number, "title": theme.title,
            "average": number(average.average) if average else None,
            "mean": number(average.mean) if average else None,
            "rag": average.rag if average else None,
            "statements": [s.number for s in theme.statements],
        })
    return themes


def build_national_results(
    *,
    session: Session,
    year: str,
    programme: str,
    group_by: str | None = None,
    statement_set: str | None = None,
) -> dict[str, Any]:
    """Participation and national results of one year and programme, as the API returns them.

    Raises NationalQueryError for a malformed year or an unknown programme, breakdown or set.
    """
    settings = get_settings()
    check_year(year)
    check_programme(programme)
    check_group_by(group_by)
    sets = get_statement_sets()
    qualifying_per_set = qualifying_rounds_per_set(session=session, year=year,
                                                   programme=programme, settings=settings)
    if statement_set is None:
        statement_set = choose_statement_set(session=session, year=year, programme=programme,
                                             settings=settings,
                                             qualifying_per_set=qualifying_per_set)
        if statement_set is None:
            raise NationalQueryError(f"no statement set suits the programme {programme!r}")
    elif statement_set not in sets:
        raise NationalQueryError(f"statement_set must be one of: {', '.join(sorted(sets))}")
    chosen = sets[statement_set]
    minimum = settings.minimum_organisations
    reference = get_reference()

    participation = count_participation(session=session, year=year, programme=programme,
                                        settings=settings)
    cohort = cohort_rounds(session=session, year=year, programme=programme,
                           statement_set=statement_set, settings=settings)
    values = _values_by_statement(cohort)
    benchmarks = _benchmarks(values, minimum)  # once: the statements and the means share them
    statements = _statements(chosen, values, minimum, benchmarks)

    previous_summary, previous_means, same_scale = _previous_year(
        session=session, year=year, programme=programme, statement_set=chosen,
        settings=settings)
    exact = {n: result.mean for n, result in benchmarks.items() if result is not None}
    if previous_summary is not None:
        previous_summary["rag_changed"] = _compare(statements, exact, previous_means, same_scale)
    else:
        for statement in statements:
            statement["previous"] = None
    themes = _themes(chosen, exact)
    highest, lowest = agg.highest_and_lowest(
        {n: agg.display(mean) for n, mean in exact.items()})
    groups, ungrouped = _groups(session=session, group_by=group_by, cohort=cohort, year=year,
                                programme=programme, statement_set=chosen, settings=settings)
    return {
        "year": year,
        "programme": programme,
        "programme_label": reference.label("programmes", programme),
        "statement_set": statement_set,
        "statement_set_title": chosen.title,
        "statement_sets": [
            {"key": key, "title": sets[key].title if key in sets else key, "qualifying": count}
            for key, count in sorted(qualifying_per_set.items())
        ],
        "minimum_organisations": minimum,
        "small_group_threshold": settings.small_group_k,
        "participation": asdict(participation),
        "organisations": len(cohort),
        "themes": themes,
        "statements": statements,
        "highest": highest,
        "lowest": lowest,
        "previous_year": previous_summary,
        "group_by": group_by,
        "groups": groups,
        "not_in_a_group": ungrouped,
    }
