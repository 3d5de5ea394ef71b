"""Build an organisation's report for a closed round: the numbers of rules 4 to 9."""

from fractions import Fraction

from sqlmodel import Session

from app.accounts.models import Organisation
from app.config import get_settings
from app.errors import Conflict
from app.lifecycle.models import Round
from app.plans.service import get_action_plan
from app.reports import aggregation as agg
from app.reports import criteria
from app.reports.queries import CohortRound, cohort_rounds, previous_round, round_cells
from app.reports.schemas import (
    Benchmarks,
    BenchmarkValue,
    CombinedPart,
    FollowUp,
    Gap,
    MinimumCriteriaPublic,
    OrganisationSummary,
    PreviousRound,
    PreviousValue,
    PublishedValue,
    RoundReport,
    RoundSummaryPublic,
    ScalePoint,
    StatementReport,
    ThemeFigure,
    WithheldValue,
)
from app.statements.loader import Statement, StatementSet, get_statement_sets
from app.statements.reference import get_reference
from app.survey.service import count_responses
from app.vocabulary import (
    NO_RATINGS,
    NOT_ENOUGH_ORGANISATIONS,
    NOT_IN_A_PARTNERSHIP,
    SELF_ASSESSMENT,
    RoundStatus,
)

# A benchmark group's rounds, and why the organisation has no such group (or None).
Groups = dict[str, tuple[list[CohortRound], str | None]]


class ReportNotReady(Conflict):
    """Results exist only once a round has closed (rule 1)."""

    template = "reports/not_ready.html"
    message = "The report is available once the round has closed."


def build_round_report(*, session: Session, round_: Round) -> RoundReport:
    """Everything the report page, CSV, PDF and JSON show, computed once.

    Raises ReportNotReady unless the round is closed: no average exists before then.
    """
    if round_.status != RoundStatus.CLOSED:
        raise ReportNotReady(context={"round_id": round_.id})
    settings = get_settings()
    k = settings.small_group_k
    statement_set = get_statement_sets()[round_.statement_set]
    organisation = session.get(Organisation, round_.organisation_id)
    counts = count_responses(session=session, round_ids=[round_.id])[round_.id]
    minimum = criteria.check(status=round_.status, counts=counts, settings=settings)
    cells = round_cells(session=session, round_id=round_.id)
    results = {n: agg.protect_statement(cells=cells.get(n, {}), k=k) for n in statement_set.numbers}

    cohort = cohort_rounds(session=session, year=round_.year, programme=round_.programme,
                           statement_set=round_.statement_set, settings=settings)
    groups = _benchmark_groups(organisation, cohort)
    enough = settings.minimum_organisations
    previous, previous_means, same_scale = _previous_means(
        session=session, round_=round_, statement_set=statement_set, k=k)

    def benchmarks(number: int) -> Benchmarks:
        return Benchmarks(**{
            name: BenchmarkValue.of(agg.benchmark(
                (r.means[number] for r in members if number in r.means), min_organisations=enough))
            for name, (members, _reason) in groups.items()
        })

    def compared(number: int) -> PreviousValue | None:
        if previous is None:
            return None
        current = published[number]
        return PreviousValue.of(agg.change(current=current.mean if current else None,
                                           previous=previous_means.get(number),
                                           same_scale=same_scale))

    published = {n: r.organisation for n, r in results.items()}
    highest, lowest = agg.highest_and_lowest(
        {n: value.average if value else None for n, value in published.items()})
    statements = [
        _statement_report(statement, statement_set.theme_of[statement.number],
                          results[statement.number], benchmarks(statement.number),
                          compared(statement.number))
        for statement in statement_set.statements
    ]
    return RoundReport(
        round=_round_summary(round_, organisation),
        counts=counts,
        meets_minimum=minimum.met,
        minimum_criteria=MinimumCriteriaPublic(met=minimum.met, reasons=list(minimum.reasons)),
        small_group_threshold=k,
        scale=[ScalePoint.model_validate(p, from_attributes=True) for p in statement_set.scale],
        themes=[ThemeFigure.of(theme, agg.theme_average(
            published[s.number].average if published[s.number] else None
            for s in theme.statements))
            for theme in statement_set.themes],
        statements=statements,
        highest=highest,
        lowest=lowest,
        gaps=[Gap.of(gap) for gap in agg.self_assessment_gaps(results=results)],
        benchmark_notes={name: None if len(members) >= enough
                         else (reason or NOT_ENOUGH_ORGANISATIONS)
                         for name, (members, reason) in groups.items()},
        previous_round=None if previous is None else PreviousRound(
            id=previous.id, year=previous.year, statement_set=previous.statement_set,
            scale_differs=not same_scale),
        action_plan=get_action_plan(session=session, round_id=round_.id),
        previous_action_plan=_follow_up(session, previous, statement_set, statements),
    )


def _follow_up(session: Session, previous: Round | None, statement_set: StatementSet,
               statements: list[StatementReport]) -> list[FollowUp] | None:
    """Last year's action plan, each item with its statement's change since (rule 13)."""
    if previous is None:
        return None
    previous_set = get_statement_sets().get(previous.statement_set, statement_set)
    mapping = statement_set.same_statements(previous_set)  # previous number → this number
    by_number = {s.number: s for s in statements}
    old_texts = {s.number: s.text for s in previous_set.statements}
    return [FollowUp.of(item, by_number.get(mapping.get(item.statement)),
                        text=old_texts.get(item.statement, ""))
            for item in get_action_plan(session=session, round_id=previous.id)]


def _statement_report(
    statement: Statement, theme: int, result: agg.StatementResult, benchmarks: Benchmarks,
    previous: PreviousValue | None,
) -> StatementReport:
    """One statement as the report shows it: withheld parts say why, pooled parts show pooled."""
    own = result.self_assessment
    by_type: dict[str, PublishedValue | WithheldValue] = {
        SELF_ASSESSMENT: PublishedValue.of(own) if own
        else WithheldValue(suppressed=NO_RATINGS, combined_with=[]),
    }
    for name, outcome in result.respondent_types.items():
        by_type[name] = (PublishedValue.of(outcome.published) if outcome.published is not None
                         else WithheldValue.of(outcome))
    organisation = result.organisation
    return StatementReport(
        number=statement.number,
        theme=theme,
        text=statement.text,
        average=organisation.average if organisation else None,
        mean=float(organisation.mean) if organisation else None,
        rag=organisation.rag if organisation else None,
        n=organisation.n if organisation else None,
        suppressed=result.suppressed,
        by_respondent_type=by_type,
        combined=[CombinedPart.of(part) for part in result.parts if len(part.types) > 1],
        benchmarks=benchmarks,
        previous=previous,
    )


def _round_summary(round_: Round, organisation: Organisation) -> RoundSummaryPublic:
    reference = get_reference()
    return RoundSummaryPublic(
        id=round_.id,
        year=round_.year,
        programme=round_.programme,
        programme_label=reference.label("programmes", round_.programme),
        statement_set=round_.statement_set,
        status=round_.status,
        organisation=OrganisationSummary(
            id=organisation.id,
            name=organisation.name,
            region=organisation.region,
            region_label=reference.label("regions", organisation.region),
            teaching_partnership=organisation.teaching_partnership,
            teaching_partnership_label=reference.label("teaching_partnerships",
                                                       organisation.teaching_partnership),
            employer_type=organisation.employer_type,
            employer_type_label=reference.label("employer_types", organisation.employer_type),
        ),
    )


def _benchmark_groups(organisation: Organisation, cohort: list[CohortRound]) -> Groups:
    """Each benchmark group's rounds, and the reason when the organisation has no such group."""
    groups: Groups = {
        "national": (cohort, None),
        "region": ([r for r in cohort if r.region == organisation.region], None),
        "employer_type": ([r for r in cohort if r.employer_type == organisation.employer_type],
                          None),
    }
    partnership = organisation.teaching_partnership
    groups["teaching_partnership"] = (
        ([], NOT_IN_A_PARTNERSHIP) if partnership is None
        else ([r for r in cohort if r.teaching_partnership == partnership], None)
    )
    return groups


def _previous_means(
    *, session: Session, round_: Round, statement_set: StatementSet, k: int
) -> tuple[Round | None, dict[int, Fraction], bool]:
    """The previous round's published organisation averages, keyed by this set's numbers, and
    whether the two rounds share a rating scale."""
    previous = previous_round(session=session, round_=round_)
    if previous is None:
        return None, {}, True
    previous_set = get_statement_sets().get(previous.statement_set, statement_set)
    mapping = statement_set.same_statements(previous_set)
    means = {}
    for old_number, cells in round_cells(session=session, round_id=previous.id).items():
        result = agg.protect_statement(cells=cells, k=k)
        if result.organisation is not None and old_number in mapping:
            means[mapping[old_number]] = result.organisation.mean
    return previous, means, previous_set.same_scale_as(statement_set)
