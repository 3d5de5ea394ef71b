"""Build an organisation's report for a closed round: the numbers of rules 4 to 9."""

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlmodel import Session

from app.accounts.models import Organisation
from app.config import get_settings
from app.reports import aggregation as agg
from app.reports.queries import (
    CohortRound,
    cohort_rounds,
    previous_round,
    response_counts,
    round_cells,
)
from app.rounds.criteria import check_minimum_criteria
from app.rounds.models import Round
from app.statements.loader import StatementSet, get_statement_sets
from app.statements.reference import get_reference

BENCHMARK_GROUPS = ("national", "region", "teaching_partnership", "employer_type")
NOT_IN_A_PARTNERSHIP = "not in a Teaching Partnership"


class ReportNotReady(Exception):
    """Results exist only once a round has closed (rule 1)."""


def number(value: Decimal | Fraction | None) -> float | None:
    """A displayed Decimal or an exact mean as a JSON number."""
    return None if value is None else float(value)


def _published(value: agg.Published | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "average": number(value.average),
        "mean": number(value.mean),
        "rag": value.rag,
        "n": value.n,
    }


def _by_respondent_type(result: agg.StatementResult) -> dict[str, dict[str, Any]]:
    own = _published(result.self_assessment)
    types: dict[str, dict[str, Any]] = {
        agg.SELF_ASSESSMENT: own if own else {"suppressed": agg.NO_RATINGS, "combined_with": []}
    }
    for name, outcome in result.respondent_types.items():
        if outcome.published is not None:
            types[name] = _published(outcome.published)
        else:
            types[name] = {
                "suppressed": outcome.suppressed,
                "combined_with": list(outcome.combined_with),
            }
    return types


def _benchmark(values: Iterable[Fraction], minimum_organisations: int) -> dict | None:
    result = agg.benchmark(values, min_organisations=minimum_organisations)
    if result is None:
        return None
    return {
        "average": number(result.average),
        "mean": number(result.mean),
        "rag": result.rag,
        "min": number(result.minimum),
        "max": number(result.maximum),
        "organisations": result.organisations,
    }


def _benchmark_groups(
    organisation: Organisation, cohort: list[CohortRound]
) -> dict[str, tuple[list[CohortRound], str | None]]:
    """Each benchmark group's rounds, and the reason when the organisation has no such group."""
    same = {
        "national": (cohort, None),
        "region": ([r for r in cohort if r.region == organisation.region], None),
        "employer_type": (
            [r for r in cohort if r.employer_type == organisation.employer_type],
            None,
        ),
    }
    if organisation.teaching_partnership is None:
        same["teaching_partnership"] = ([], NOT_IN_A_PARTNERSHIP)
    else:
        same["teaching_partnership"] = (
            [r for r in cohort if r.teaching_partnership == organisation.teaching_partnership],
            None,
        )
    return same


def _previous_means(
    *, session: Session, round_: Round, statement_set: StatementSet, k: int
) -> tuple[Round | None, dict[int, Fraction], bool]:
    """The previous round's published organisation averages, keyed by this set's numbers."""
    previous = previous_round(session=session, round_=round_)
    if previous is None:
        return None, {}, True
    sets = get_statement_sets()
    previous_set = sets.get(previous.statement_set, statement_set)
    # Across sets, a statement is the same statement only if its words are the same.
    number_of_text = {s.text: s.number for s in statement_set.statements}
    mapping = (
        {n: n for n in previous_set.numbers}
        if previous_set.key == statement_set.key
        else {
            s.number: number_of_text[s.text]
            for s in previous_set.statements
            if s.text in number_of_text
        }
    )
    means = {}
    for old_number, cells in round_cells(session=session, round_id=previous.id).items():
        result = agg.protect_statement(cells=cells, k=k)
        if result.organisation is not None and old_number in mapping:
            means[mapping[old_number]] = result.organisation.mean
    return previous, means, previous_set.same_scale_as(statement_set)


def build_round_report(*, session: Session, round_: Round) -> dict[str, Any]:
    """Everything the report page, CSV, PDF and JSON show, computed once.

    Raises ReportNotReady unless the round is closed: no average exists before then.
    """
    if round_.status != "closed":
        raise ReportNotReady("The report is available once the round has closed.")
    settings = get_settings()
    k = settings.small_group_k
    reference = get_reference()
    statement_set = get_statement_sets()[round_.statement_set]
    organisation = session.get(Organisation, round_.organisation_id)
    counts = response_counts(session=session, round_id=round_.id)
    criteria = check_minimum_criteria(
        status=round_.status,
        counts=counts,
        minimum_nqsw=settings.minimum_nqsw,
        minimum_line_manager=settings.minimum_line_manager,
    )
    cells = round_cells(session=session, round_id=round_.id)
    results = {n: agg.protect_statement(cells=cells.get(n, {}), k=k) for n in statement_set.numbers}

    cohort = cohort_rounds(
        session=session,
        year=round_.year,
        programme=round_.programme,
        statement_set=round_.statement_set,
        settings=settings,
    )
    groups = _benchmark_groups(organisation, cohort)
    benchmark_notes = {}
    for name, (members, reason) in groups.items():
        enough = len(members) >= settings.minimum_organisations
        benchmark_notes[name] = None if enough else (reason or agg.NOT_ENOUGH_ORGANISATIONS)

    previous, previous_means, same_scale = _previous_means(
        session=session, round_=round_, statement_set=statement_set, k=k
    )

    statements = []
    for statement in statement_set.statements:
        result = results[statement.number]
        organisation_average = result.organisation
        benchmarks = {
            name: _benchmark(
                (r.means[statement.number] for r in members if statement.number in r.means),
                settings.minimum_organisations,
            )
            for name, (members, _reason) in groups.items()
        }
        comparison = None
        if previous is not None:
            compared = agg.change(
                current=organisation_average.mean if organisation_average else None,
                previous=previous_means.get(statement.number),
                same_scale=same_scale,
            )
            comparison = {
                "average": number(compared.previous.average) if compared.previous else None,
                "change": number(compared.change),
                "rag": compared.previous.rag if compared.previous else None,
                "rag_change": compared.rag_change,
                "scale_differs": compared.scale_differs,
            }
        statements.append(
            {
                "number": statement.number,
                "theme": statement_set.theme_of[statement.number],
                "text": statement.text,
                "average": number(organisation_average.average) if organisation_average else None,
                "mean": number(organisation_average.mean) if organisation_average else None,
                "rag": organisation_average.rag if organisation_average else None,
                "n": organisation_average.n if organisation_average else None,
                "suppressed": result.suppressed,
                "by_respondent_type": _by_respondent_type(result),
                "combined": [
                    {
                        "types": list(part.types),
                        "average": number(part.average),
                        "mean": number(part.mean),
                        "rag": part.rag,
                        "n": part.n,
                    }
                    for part in result.parts
                    if len(part.types) > 1
                ],
                "benchmarks": benchmarks,
                "previous": comparison,
            }
        )

    themes = []
    for theme in statement_set.themes:
        average = agg.theme_average(
            results[s.number].organisation.mean if results[s.number].organisation else None
            for s in theme.statements
        )
        themes.append(
            {
                "number": theme.number,
                "title": theme.title,
                "average": number(average.average) if average else None,
                "mean": number(average.mean) if average else None,
                "rag": average.rag if average else None,
                "statements": [s.number for s in theme.statements],
            }
        )

    highest, lowest = agg.highest_and_lowest(
        {n: r.organisation.average if r.organisation else None for n, r in results.items()}
    )
    gaps = agg.self_assessment_gaps(results=results)
    return {
        "round": {
            "id": round_.id,
            "year": round_.year,
            "programme": round_.programme,
            "programme_label": reference.label("programmes", round_.programme),
            "statement_set": round_.statement_set,
            "status": round_.status,
            "organisation": {
                "id": organisation.id,
                "name": organisation.name,
                "region": organisation.region,
                "region_label": reference.label("regions", organisation.region),
                "teaching_partnership": organisation.teaching_partnership,
                "teaching_partnership_label": reference.label(
                    "teaching_partnerships", organisation.teaching_partnership
                ),
                "employer_type": organisation.employer_type,
                "employer_type_label": reference.label(
                    "employer_types", organisation.employer_type
                ),
            },
        },
        "counts": counts,
        "meets_minimum": criteria.met,
        "minimum_criteria": {"met": criteria.met, "reasons": list(criteria.reasons)},
        "small_group_threshold": k,
        "scale": [p.model_dump() for p in statement_set.scale],
        "themes": themes,
        "statements": statements,
        "highest": highest,
        "lowest": lowest,
        "gaps": [
            {
                "statement": g.statement,
                "self_assessment": number(g.self_assessment.average),
                "everyone_else": number(g.everyone_else.average),
                "gap": number(g.displayed),
            }
            for g in gaps
        ],
        "benchmark_notes": benchmark_notes,
        "previous_round": None
        if previous is None
        else {
            "id": previous.id,
            "year": previous.year,
            "statement_set": previous.statement_set,
            "scale_differs": not same_scale,
        },
    }
