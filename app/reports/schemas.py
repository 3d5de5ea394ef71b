"""The report's JSON shape, as the API contract (PRODUCT.md section 5) names it."""

from pydantic import BaseModel, Field


class PublishedValue(BaseModel):
    average: float = Field(description="Displayed: one decimal place, rounded half up")
    mean: float = Field(description="Unrounded")
    rag: str
    n: int = Field(description="Number of scores (“I do not know” excluded)")


class WithheldValue(BaseModel):
    """Why a respondent type's number is not shown: small-group protection or no ratings."""

    suppressed: str = Field(examples=["fewer than 3 ratings", "no ratings"])
    combined_with: list[str] = Field(
        default=[], description="The types it is pooled with; the pool is in `combined`"
    )


class CombinedPart(BaseModel):
    types: list[str]
    average: float
    mean: float
    rag: str
    n: int


class BenchmarkValue(BaseModel):
    average: float
    mean: float
    rag: str
    min: float
    max: float
    organisations: int


class Benchmarks(BaseModel):
    national: BenchmarkValue | None
    region: BenchmarkValue | None
    teaching_partnership: BenchmarkValue | None
    employer_type: BenchmarkValue | None


class PreviousValue(BaseModel):
    average: float | None
    change: float | None
    rag: str | None
    rag_change: str | None = Field(examples=["amber → green"])
    scale_differs: bool


class StatementReport(BaseModel):
    number: int
    theme: int
    text: str
    average: float | None
    mean: float | None
    rag: str | None
    n: int | None
    suppressed: str | None
    by_respondent_type: dict[str, PublishedValue | WithheldValue]
    combined: list[CombinedPart]
    benchmarks: Benchmarks
    previous: PreviousValue | None


class ThemeReport(BaseModel):
    number: int
    title: str
    average: float | None
    mean: float | None
    rag: str | None
    statements: list[int]


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
    self_assessment: float
    everyone_else: float
    gap: float


class ScalePoint(BaseModel):
    value: int
    label: str


class PreviousRound(BaseModel):
    id: int
    year: str
    statement_set: str
    scale_differs: bool


class RoundReport(BaseModel):
    round: RoundSummaryPublic
    counts: dict[str, int]
    meets_minimum: bool
    minimum_criteria: MinimumCriteriaPublic
    small_group_threshold: int
    scale: list[ScalePoint]
    themes: list[ThemeReport]
    statements: list[StatementReport]
    highest: list[int]
    lowest: list[int]
    gaps: list[Gap]
    benchmark_notes: dict[str, str | None]
    previous_round: PreviousRound | None
