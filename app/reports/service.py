"""Build an organisation's report for a closed round: the numbers of rules 4 to 9."""

from datetime import date
from fractions import Fraction
from types import SimpleNamespace

from sqlmodel import Session

from app.accounts.models import Organisation
from app.benchmarks.cohorts import KINDS, group_of
from app.benchmarks.queries import cohort_rounds, pooled_types_of
from app.benchmarks.service import Scope, Shown, Withheld, publish_benchmarks
from app.config import get_settings
from app.errors import Conflict
from app.lifecycle.models import Round
from app.partnerships.service import label_of, partnership_labels
from app.plans.service import get_action_plan
from app.reports import aggregation as agg
from app.reports.queries import previous_round, round_cells
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
from app.reports.warnings import round_warnings
from app.results import arithmetic, criteria
from app.statements.loader import Statement, StatementSet, get_statement_sets
from app.statements.reference import get_reference
from app.survey.service import count_responses
from app.vocabulary import (
    BENCHMARKS_GIVE_TO_GET,
    NO_RATINGS,
    NOT_IN_A_PARTNERSHIP,
    SELF_ASSESSMENT,
    RoundStatus,
)


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
    never_alone = pooled_types_of(session=session, round_ids=[round_.id], k=k)[round_.id]
    results = {n: arithmetic.protect_statement(cells=cells.get(n, {}), k=k, never_alone=never_alone)
               for n in statement_set.numbers}

    placement = round_.placed(region=organisation.region,
                              teaching_partnership=organisation.teaching_partnership,
                              employer_type=organisation.employer_type)
    shown, notes = _benchmarks(session, round_, placement, statement_set, minimum.met, settings)
    previous, previous_means, same_scale = _previous_means(
        session=session, round_=round_, statement_set=statement_set, k=k)

    def benchmarks(number: int) -> Benchmarks:
        return Benchmarks(**{kind: BenchmarkValue.of(shown[kind].get(number)) for kind in KINDS})

    def benchmark_notes(number: int) -> dict[str, str | None]:
        return {kind: notes[kind] or _why(shown[kind].get(number)) for kind in KINDS}

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
                          benchmark_notes(statement.number), compared(statement.number))
        for statement in statement_set.statements
    ]
    return RoundReport(
        round=_round_summary(round_, organisation, placement),
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
        benchmark_notes=notes,
        previous_round=None if previous is None else PreviousRound(
            id=previous.id, year=previous.year, statement_set=previous.statement_set,
            scale_differs=not same_scale),
        warnings=round_warnings(session=session, rounds=[round_])[round_.id],
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
    statement: Statement, theme: int, result: arithmetic.StatementResult, benchmarks: Benchmarks,
    benchmark_notes: dict[str, str | None], previous: PreviousValue | None,
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
        benchmark_notes=benchmark_notes,
        previous=previous,
    )


def _round_summary(round_: Round, organisation: Organisation,
                   placement: tuple[str, str | None, str]) -> RoundSummaryPublic:
    reference = get_reference()
    region, partnership, employer_type = placement
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
            region=region,
            region_label=reference.label("regions", region),
            teaching_partnership=partnership,
            teaching_partnership_label=label_of(partnership_labels(), partnership),
            employer_type=employer_type,
            employer_type_label=reference.label("employer_types", employer_type),
        ),
    )


def _benchmarks(
    session: Session, round_: Round, placement: tuple[str, str | None, str],
    statement_set: StatementSet, qualifies: bool, settings,
) -> tuple[dict[str, dict[int, Shown]], dict[str, str | None]]:
    """Kind → statement → the figures of the organisation's own group of that kind, or why not;
    and kind → why the whole column is empty (None when it is not).

    Give to get (rule 7): only a round that meets the minimum criteria sees benchmarks. Reading
    them publishes them (app.benchmarks.service): the same figures every reader of the group
    sees, renewed in steps, audited against everything published this year.
    """
    if not qualifies:
        return {kind: {} for kind in KINDS}, dict.fromkeys(KINDS, BENCHMARKS_GIVE_TO_GET)
    # The groups the round was in when it opened (Round.placed), not where the organisation is now.
    region, partnership, employer_type = placement
    member = SimpleNamespace(region=region, teaching_partnership=partnership,
                             employer_type=employer_type)
    groups = {kind: group_of(member, kind) for kind in KINDS}
    notes = {kind: None if group is not None else NOT_IN_A_PARTNERSHIP
             for kind, group in groups.items()}
    cohort = cohort_rounds(session=session, year=round_.year, programme=round_.programme,
                           statement_set=round_.statement_set, settings=settings)
    published = publish_benchmarks(
        session=session,
        scope=Scope(round_.year, round_.programme, round_.statement_set),
        cohort=cohort, groups=[group for group in groups.values() if group is not None],
        numbers=statement_set.numbers, minimum=settings.minimum_organisations,
        today=date.today())
    return {kind: published.get(group, {}) if group else {} for kind, group in groups.items()}, \
        notes


def _why(value: Shown | None) -> str | None:
    return value.reason if isinstance(value, Withheld) else None


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
        result = arithmetic.protect_statement(cells=cells, k=k)
        if result.organisation is not None and old_number in mapping:
            means[mapping[old_number]] = result.organisation.mean
    return previous, means, previous_set.same_scale_as(statement_set)
