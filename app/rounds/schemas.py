"""Public shapes of the rounds API (PRODUCT.md section 5) and the round page forms."""

import re
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.accounts.schemas import ErrorDetail
from app.core.forms import Stripped, ascii_digits, problem
from app.lifecycle.years import academic_year_of, is_academic_year, next_year
from app.rounds.service import RoundOverview
from app.statements.reference import get_reference
from app.survey.codes import MAX_CODES_PER_BATCH
from app.vocabulary import RoundStatus

FIRST_YEAR = "2018-19"  # the national evaluation tool's first year
MAX_EXPECTED = 10_000
MAX_CODES = MAX_CODES_PER_BATCH  # per type, per request

# Responses documented on every round route, by status.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorDetail, "description": "Not signed in (send a bearer token)"},
    403: {"model": ErrorDetail, "description": "Signed in, but this account cannot do this"},
    404: {"model": ErrorDetail, "description": "No such round, or not one of your organisation's"},
    409: {"model": ErrorDetail, "description": "Not possible in the round's current state"},
    422: {"model": ErrorDetail, "description": "The request is not valid; `detail` says why"},
}


def api_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: API_ERRORS[status] for status in statuses}


def _programme(value: str) -> str:
    if value not in get_reference().keys("programmes"):
        raise problem("Select a programme")
    return value


def _year(value: str) -> str:
    if not value:
        raise problem("Enter the academic year")
    if not is_academic_year(value):
        raise problem("Enter the academic year in the format 2025-26")
    latest = next_year(academic_year_of(date.today()))
    if not FIRST_YEAR <= value <= latest:
        raise problem(f"Enter an academic year from {FIRST_YEAR} to {latest}")
    return value


Programme = Annotated[str, AfterValidator(_programme)]
AcademicYear = Annotated[
    str,
    Stripped,
    AfterValidator(_year),
    Field(description="Academic year, written like 2025-26", examples=["2025-26"]),
]


class Expected(BaseModel):
    """How many people of each anonymous type the employer expects to answer."""

    nqsw: int = Field(default=0, ge=0, le=MAX_EXPECTED)
    line_manager: int = Field(default=0, ge=0, le=MAX_EXPECTED)
    other: int = Field(default=0, ge=0, le=MAX_EXPECTED)


class RoundCreate(BaseModel):
    """`POST /rounds`. `statement_set` defaults to the latest set for the programme."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "programme": "child_and_family",
                    "year": "2025-26",
                    "statement_set": "child-and-family-2019",
                    "expected": {"nqsw": 8, "line_manager": 4, "other": 2},
                }
            ]
        }
    )

    programme: Programme
    year: AcademicYear
    statement_set: str | None = None
    expected: Expected = Field(default_factory=Expected)
    closes_on: date | None = Field(
        default=None, description="The last day answers are taken (UK time); by default 28 "
        "days after the round opens. From today to the end of the academic year (31 August)")


class RoundUpdate(BaseModel):
    """`PATCH /rounds/{id}`: `expected` while a draft; `closes_on` (not earlier once open)
    while a draft or open. Leave out what does not change."""

    model_config = ConfigDict(extra="forbid")

    expected: Expected | None = None
    closes_on: date | None = None


class RoundLinks(BaseModel):
    """The full page URL of each respondent type's link; its last segment is the token."""

    nqsw: str
    line_manager: str
    other: str


class RoundCounts(BaseModel):
    """Responses so far per respondent type (self_assessment is 0 or 1)."""

    self_assessment: int
    nqsw: int
    line_manager: int
    other: int


class OrganisationSummary(BaseModel):
    id: int
    name: str
    employer_type: str
    region: str
    teaching_partnership: str | None


class RoundPublic(BaseModel):
    """A round as the API shows it. Never an average: results belong to the report."""

    id: int
    year: str
    programme: str
    statement_set: str
    status: RoundStatus
    links: RoundLinks
    counts: RoundCounts
    meets_minimum: bool
    minimum_reasons: list[str] = Field(
        description="Why the round does not (yet) meet the minimum criteria, in words"
    )
    expected: Expected
    response_rates: dict[str, float | None] = Field(
        description="Responses ÷ expected per anonymous type (null when none are expected)"
    )
    organisation: OrganisationSummary
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    closes_on: date | None = Field(
        description="The last day answers are taken (UK time); null only for a draft that "
        "has none yet (opening it sets 28 days later)")

    @classmethod
    def of(cls, overview: RoundOverview) -> Self:
        round_ = overview.round
        return cls(
            id=round_.id, year=round_.year, programme=round_.programme,
            statement_set=round_.statement_set, status=round_.status,
            links=RoundLinks(**overview.links), counts=RoundCounts(**overview.counts),
            meets_minimum=overview.minimum.met, minimum_reasons=list(overview.minimum.reasons),
            expected=Expected(**round_.expected), response_rates=overview.response_rates,
            organisation=OrganisationSummary.model_validate(overview.organisation,
                                                            from_attributes=True),
            created_at=round_.created_at, opened_at=round_.opened_at, closed_at=round_.closed_at,
            closes_on=round_.closes_on,
        )


class SelfAssessmentIn(BaseModel):
    """`PUT /rounds/{id}/self-assessment`: every statement, 1–5 or null for “I do not know”."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ratings": {str(n): 4 for n in range(1, 32)}
                                         | {"32": None}}]}
    )

    # Any: parse_ratings is stricter than Pydantic's coercion ("4", 4.0 and true are refused).
    ratings: dict[str, Any]


class SelfAssessmentPublic(BaseModel):
    round_id: int
    complete: bool
    ratings: dict[str, int | None]

    @classmethod
    def of(cls, round_id: int, ratings: dict[int, int | None]) -> Self:
        """`complete` once saved (an empty `ratings` is not saved yet)."""
        return cls(round_id=round_id, complete=bool(ratings),
                   ratings={str(number): score for number, score in sorted(ratings.items())})


class CodesCreate(BaseModel):
    """How many single-use codes to issue per anonymous respondent type."""

    nqsw: int = Field(default=0, ge=0, le=MAX_CODES)
    line_manager: int = Field(default=0, ge=0, le=MAX_CODES)
    other: int = Field(default=0, ge=0, le=MAX_CODES)


class CodesPublic(BaseModel):
    """The new codes, shown this once: only their keyed hashes are stored."""

    round_id: int
    codes: dict[str, list[str]]


# Page forms: every field a string as typed, so an error can show it again.


def _whole_number(*, maximum: int, missing: str | None, label: str):
    def check(value: str) -> str:
        if value == "":
            if missing:
                raise problem(missing)
            return value
        # GOV.UK wording for numbers: not a number, not whole, too low, too high.
        if not ascii_digits(value):
            if re.fullmatch(r"-\d+", value):
                raise problem(f"{label} must be 0 or more")
            if re.fullmatch(r"-?\d*[.,]\d+", value):
                raise problem(f"{label} must be a whole number")
            raise problem(f"{label} must be a number")
        if int(value) > maximum:
            raise problem(f"{label} must be {maximum:,} or fewer")
        return value

    return AfterValidator(check)


ExpectedNqswField = Annotated[str, Stripped, _whole_number(
    maximum=MAX_EXPECTED, label="Number of NQSWs",
    missing="Enter how many NQSWs you expect to answer, or 0")]
ExpectedLineManagerField = Annotated[str, Stripped, _whole_number(
    maximum=MAX_EXPECTED, label="Number of line managers",
    missing="Enter how many line managers you expect to answer, or 0")]
ExpectedOtherField = Annotated[str, Stripped, _whole_number(
    maximum=MAX_EXPECTED, label="Number of others",
    missing="Enter how many others you expect to answer, or 0")]
CodeCountField = Annotated[str, Stripped, _whole_number(
    maximum=MAX_CODES, label="Number of codes", missing=None)]


class RoundForm(BaseModel):
    model_config = ConfigDict(validate_default=True)

    programme: Annotated[str, AfterValidator(_programme)] = ""
    year: AcademicYear = ""
    statement_set: str = ""
    expected_nqsw: ExpectedNqswField = ""
    expected_line_manager: ExpectedLineManagerField = ""
    expected_other: ExpectedOtherField = ""

    def to_create(self, closes_on: date | None = None) -> RoundCreate:
        return RoundCreate(
            programme=self.programme,
            year=self.year,
            statement_set=self.statement_set or None,
            expected=self.to_expected(),
            closes_on=closes_on,
        )

    def to_expected(self) -> Expected:
        return Expected(nqsw=int(self.expected_nqsw),
                        line_manager=int(self.expected_line_manager),
                        other=int(self.expected_other))


class ExpectedForm(BaseModel):
    """Change the expected numbers of a draft round."""

    model_config = ConfigDict(validate_default=True)

    expected_nqsw: ExpectedNqswField = ""
    expected_line_manager: ExpectedLineManagerField = ""
    expected_other: ExpectedOtherField = ""

    to_expected = RoundForm.to_expected


# A GOV.UK date input: three boxes, named closes_on (the day: errors link to it),
# closes_on_month and closes_on_year.
DATE_PARTS = ("", "_month", "_year")


def date_values(prefix: str, day: date | None) -> dict[str, str]:
    """What the boxes of a date input show for `day` (empty for None)."""
    parts = (day.day, day.month, day.year) if day else ("", "", "")
    return {prefix + suffix: str(part) for suffix, part in zip(DATE_PARTS, parts, strict=True)}


def read_date(form: Any, prefix: str, *, what: str) -> tuple[date | None, dict[str, str],
                                                             dict[str, str]]:
    """(the date or None, errors keyed by `prefix`, what was typed) from a date input.

    GOV.UK's wording: "Enter the closing date", "The closing date must include a month",
    "The closing date must be a real date".
    """
    typed = {prefix + s: str(form.get(prefix + s) or "").strip() for s in DATE_PARTS}
    day, month, year = (typed[prefix + s] for s in DATE_PARTS)
    if not (day or month or year):
        return None, {prefix: f"Enter {what}"}, typed
    missing = [name for name, value in (("day", day), ("month", month), ("year", year))
               if not value]
    if missing:
        return None, {prefix: f"{what.capitalize()} must include a {' and a '.join(missing)}"}, \
            typed
    if not (ascii_digits(day) and ascii_digits(month) and ascii_digits(year)
            and len(year) == 4):
        return None, {prefix: f"{what.capitalize()} must be a real date"}, typed
    try:
        return date(int(year), int(month), int(day)), {}, typed
    except ValueError:
        return None, {prefix: f"{what.capitalize()} must be a real date"}, typed


class CodesForm(BaseModel):
    """How many codes per type; blank is none, and at least one type needs some."""

    model_config = ConfigDict(validate_default=True)

    nqsw: CodeCountField = ""
    line_manager: CodeCountField = ""
    other: CodeCountField = ""

    def to_create(self) -> CodesCreate:
        return CodesCreate(nqsw=int(self.nqsw or 0), line_manager=int(self.line_manager or 0),
                           other=int(self.other or 0))
