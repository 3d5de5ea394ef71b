"""The report's public shape (PRODUCT.md section 5), built from the pure arithmetic's types.

Each figure class has a constructor (`of`) from the pure arithmetic's result, so a shape is
filled in one place and the report page, its CSV and PDF, the JSON API and the national results
(which reuse `Displayed`, `shown` and `ThemeFigure`) read the same attributes. A displayed value
is a `Decimal` (one decimal place, exact) that JSON writes as a number.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, PlainSerializer

from app.benchmarks.service import Figure, Withheld
from app.plans.schemas import ActionItem
from app.reports import aggregation as agg
from app.results import arithmetic
from app.statements.loader import Theme
from app.vocabulary import ActionStatus, Rag

Displayed = Annotated[
    Decimal,
    PlainSerializer(float, return_type=float, when_used="json"),
    Field(description="Displayed: one decimal place, rounded half up"),
]


def shown(value: arithmetic.Average) -> dict[str, Any]:
    """The fields every published average has: displayed, unrounded and its RAG."""
    return {"average": value.average, "mean": float(value.mean), "rag": value.rag}


class PublishedValue(BaseModel):
    average: Displayed
    mean: float = Field(description="Unrounded")
    rag: Rag
    n: int = Field(description="Number of scores (“I do not know” excluded)")

    @classmethod
    def of(cls, value: arithmetic.Published) -> Self:
        return cls(**shown(value), n=value.n)


class WithheldValue(BaseModel):
    """Why a respondent type's number is not shown: small-group protection or no ratings."""

    suppressed: str = Field(examples=["fewer than 3 ratings", "no ratings"])
    combined_with: list[str] = Field(
        default=[], description="The types it is pooled with; the pool is in `combined`"
    )

    @classmethod
    def of(cls, outcome: arithmetic.TypeResult) -> Self:
        return cls(suppressed=outcome.suppressed, combined_with=list(outcome.combined_with))


class CombinedPart(BaseModel):
    types: list[str]
    average: Displayed
    mean: float
    rag: Rag
    n: int

    @classmethod
    def of(cls, part: arithmetic.Part) -> Self:
        return cls(types=list(part.types), **shown(part), n=part.n)


class BenchmarkValue(BaseModel):
    """A benchmark group's figures for one statement, as published (rule 7): the displayed mean
    of organisation averages (no unrounded mean), the range only from 5 organisations."""

    average: Displayed
    rag: Rag
    min: Displayed | None = Field(description="Lowest organisation average; null below 5")
    max: Displayed | None = Field(description="Highest organisation average; null below 5")
    organisations: int
    published_on: date = Field(description="When these figures were first published; they "
                               "change only once 3 more organisations have joined the group")

    @classmethod
    def of(cls, value: Figure | Withheld | None) -> Self | None:
        if not isinstance(value, Figure):
            return None
        average = arithmetic.Average(mean=value.mean)
        return cls(average=average.average, rag=average.rag,
                   min=arithmetic.display(value.minimum), max=arithmetic.display(value.maximum),
                   organisations=value.organisations, published_on=value.published_on)


class Benchmarks(BaseModel):
    national: BenchmarkValue | None
    region: BenchmarkValue | None
    teaching_partnership: BenchmarkValue | None
    employer_type: BenchmarkValue | None


class PreviousValue(BaseModel):
    average: Displayed | None
    change: Displayed | None
    rag: Rag | None
    rag_change: str | None = Field(examples=["amber → green"])
    scale_differs: bool

    @classmethod
    def of(cls, compared: agg.Change) -> Self:
        before = compared.previous
        return cls(average=before.average if before else None, change=compared.change,
                   rag=before.rag if before else None, rag_change=compared.rag_change,
                   scale_differs=compared.scale_differs)


class StatementReport(BaseModel):
    number: int
    theme: int
    text: str
    average: Displayed | None
    mean: float | None
    rag: Rag | None
    n: int | None
    suppressed: str | None
    by_respondent_type: dict[str, PublishedValue | WithheldValue]
    combined: list[CombinedPart]
    benchmarks: Benchmarks
    benchmark_notes: dict[str, str | None] = Field(
        description="Why each benchmark not shown for this statement is not shown")
    previous: PreviousValue | None


class ThemeFigure(BaseModel):
    """A theme's average: the mean of its statements' averages (rule 4); none if none shows."""

    number: int
    title: str
    average: Displayed | None = Field(
        description="Mean of the theme's statement averages as displayed (rule 4)")
    mean: float | None
    rag: Rag | None
    statements: list[int]

    @classmethod
    def of(cls, theme: Theme, average: arithmetic.Average | None) -> Self:
        figures = shown(average) if average else {"average": None, "mean": None, "rag": None}
        return cls(number=theme.number, title=theme.title, **figures,
                   statements=[s.number for s in theme.statements])


class OrganisationSummary(BaseModel):
    id: int
    name: str
    region: str
    region_label: str
    teaching_partnership: str | None
    teaching_partnership_label: str
    employer_type: str
    employer_type_label: str


class RoundSummaryPublic(BaseModel):
    id: int
    year: str
    programme: str
    programme_label: str
    statement_set: str
    status: str
    organisation: OrganisationSummary


class MinimumCriteriaPublic(BaseModel):
    met: bool
    reasons: list[str]


class Gap(BaseModel):
    statement: int
    self_assessment: Displayed
    everyone_else: Displayed
    gap: Displayed

    @classmethod
    def of(cls, gap: agg.Gap) -> Self:
        return cls(statement=gap.statement, self_assessment=gap.self_assessment.average,
                   everyone_else=gap.everyone_else.average, gap=gap.displayed)


class ScalePoint(BaseModel):
    value: int
    label: str


class PreviousRound(BaseModel):
    id: int
    year: str
    statement_set: str
    scale_differs: bool


class ReportWarning(BaseModel):
    """More responses or codes of one type than expected when the round opened (rule 5)."""

    code: str = Field(examples=["more_responses_than_expected", "more_codes_than_expected"])
    respondent_type: str
    expected: int
    received: int
    message: str

    @classmethod
    def of(cls, warning: agg.ExpectationWarning, label: str) -> Self:
        label = label if label.isupper() else label[:1].lower() + label[1:]
        what = "responses" if warning.code == "more_responses_than_expected" else "codes"
        verb = "were received" if what == "responses" else "were issued"
        message = (f"{warning.received} {label} {what} {verb}, but {warning.expected} "
                   f"{'was' if warning.expected == 1 else 'were'} expected when the round "
                   "opened: some answers of this group may not come from the people it was "
                   "meant for")
        return cls(code=warning.code, respondent_type=warning.respondent_type,
                   expected=warning.expected, received=warning.received, message=message)


class FollowUp(BaseModel):
    """One item of the previous round's action plan, and how its statement changed since."""

    statement: int = Field(description="The statement's number in this round's set")
    text: str
    actions: str
    owner: str
    due: date
    status: ActionStatus
    previous_average: Displayed | None
    average: Displayed | None
    rag: Rag | None
    change: Displayed | None
    rag_change: str | None = Field(examples=["amber → green"])

    @classmethod
    def of(cls, item: ActionItem, statement: "StatementReport | None", *, text: str) -> Self:
        """`statement` is None when this round's set no longer has the statement (`text`)."""
        previous = statement.previous if statement else None
        return cls(
            statement=statement.number if statement else item.statement,
            text=statement.text if statement else text,
            actions=item.actions, owner=item.owner, due=item.due, status=item.status,
            previous_average=previous.average if previous else None,
            average=statement.average if statement else None,
            rag=statement.rag if statement else None,
            change=previous.change if previous else None,
            rag_change=previous.rag_change if previous else None,
        )


class RoundReport(BaseModel):
    round: RoundSummaryPublic
    counts: dict[str, int]
    meets_minimum: bool
    minimum_criteria: MinimumCriteriaPublic
    small_group_threshold: int
    scale: list[ScalePoint]
    themes: list[ThemeFigure]
    statements: list[StatementReport]
    highest: list[int]
    lowest: list[int]
    gaps: list[Gap]
    benchmark_notes: dict[str, str | None]
    previous_round: PreviousRound | None
    warnings: list[ReportWarning] = Field(
        description="Responses or codes of a type beyond the number expected at open")
    action_plan: list[ActionItem] = Field(
        description="This round's action plan (rule 13): chosen statements and their actions")
    previous_action_plan: list[FollowUp] | None = Field(
        description="Last year's action plan: each focus statement's change and RAG change "
        "since (null without a previous round)")

    def statement(self, number: int) -> StatementReport:
        return self.statements[number - 1]
