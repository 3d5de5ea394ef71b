"""The JSON shape of national results, as the API contract (PRODUCT.md section 5) names it.

Built from app.reports.aggregation's benchmarks and changes (rounded by app.results.arithmetic) by
the constructors below, with the report's displayed values (`Displayed`) and theme figures.
"""

from datetime import date
from fractions import Fraction
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from app.benchmarks.service import Figure, Withheld
from app.reports import aggregation as agg
from app.reports.schemas import Displayed, ThemeFigure, shown
from app.results import arithmetic
from app.statements.loader import Statement
from app.vocabulary import NOT_ENOUGH_ORGANISATIONS, GroupBy, Rag

AVERAGE = "Displayed national average: the mean of organisation averages, 1 d.p., half up"

class Participation(BaseModel):
    """Organisations at each stage, for the year and programme (see each field)."""

    registered: int = Field(
        description="Organisations registered for the programme (registrations as they are "
        "today), plus any other that launched a round of it this year")
    with_round: int = Field(
        description="Organisations that opened a round of the programme this year (open or "
        "closed; drafts never opened are not counted)")
    with_data_not_qualifying: int = Field(
        description="Of those, organisations whose round has a response or self-assessment but "
        "does not meet the minimum criteria (rounds still open included)")
    qualifying: int = Field(
        description="Organisations whose round closed and meets the minimum criteria, on any "
        "statement set")
    second_round_or_later: int = Field(
        description="Organisations with a round this year that closed a round of the programme "
        "in an earlier year")


class StatementFigures(BaseModel):
    """One statement over a group of organisations; hidden below `minimum_organisations`."""

    number: int
    theme: int
    text: str
    average: Displayed | None = Field(description=AVERAGE)
    mean: float | None = Field(description="Unrounded average: null for figures over groups "
                               "of organisations, which publish displayed values only (rule 7)")
    min: Displayed | None = Field(description="Lowest organisation average, displayed")
    max: Displayed | None = Field(description="Highest organisation average, displayed")
    rag: Rag | None = Field(description="red, amber or green, from the displayed average")
    organisations: int = Field(description="Organisations with a published average for it")
    suppressed: str | None = Field(
        description="Why the figures are hidden", examples=["not enough organisations yet"])
    published_on: date | None = Field(
        default=None, description="When figures over groups of organisations were first "
        "published (they change only in steps of 3 organisations); null for respondent types")

    @classmethod
    def published(cls, statement: Statement, theme: int, value: Figure | Withheld | None,
                  **more) -> Self:
        """A statement's figures as app.benchmarks published them: displayed values only (no
        unrounded mean), the range from 5 organisations, or why they are not shown."""
        if not isinstance(value, Figure):
            figures = {"average": None, "mean": None, "min": None, "max": None, "rag": None,
                       "organisations": value.organisations if value else 0,
                       "suppressed": value.reason if value else NOT_ENOUGH_ORGANISATIONS}
        else:
            average = arithmetic.Average(mean=value.mean)
            figures = {"average": average.average, "mean": None, "rag": average.rag,
                       "min": arithmetic.display(value.minimum),
                       "max": arithmetic.display(value.maximum),
                       "organisations": value.organisations, "suppressed": None,
                       "published_on": value.published_on}
        return cls(number=statement.number, theme=theme, text=statement.text, **figures, **more)

    @classmethod
    def of(cls, statement: Statement, theme: int, values: list[Fraction], minimum: int,
           result: agg.Benchmark | None = None, organisations: int | None = None,
           **more) -> Self:
        """A statement over these organisation averages (`result`: their benchmark, when the
        caller has it already; `organisations`: how many there are, when it does not pass
        them); hidden below `minimum` organisations."""
        result = result or agg.benchmark(values, min_organisations=minimum)
        if result is None:
            figures = {"average": None, "mean": None, "min": None, "max": None, "rag": None,
                       "organisations": len(values) if organisations is None else organisations,
                       "suppressed": NOT_ENOUGH_ORGANISATIONS}
        else:
            figures = {**shown(result), "min": result.minimum, "max": result.maximum,
                       "organisations": result.organisations, "suppressed": None}
        return cls(number=statement.number, theme=theme, text=statement.text, **figures, **more)


class PreviousYearFigures(BaseModel):
    average: Displayed | None
    mean: float | None
    rag: Rag | None
    change: Displayed | None = Field(
        description="This year's displayed average minus last year's")
    rag_change: str | None = Field(examples=["amber → green"])
    scale_differs: bool = Field(description="The two years' statement sets use different "
                                "rating scales: compare with care")

    @classmethod
    def of(cls, compared: agg.Change) -> Self:
        before = compared.previous
        return cls(**(shown(before) if before else {"average": None, "mean": None, "rag": None}),
                   change=compared.change, rag_change=compared.rag_change,
                   scale_differs=compared.scale_differs)


class NationalStatement(StatementFigures):
    previous: PreviousYearFigures | None = Field(
        description="The previous year's national figures, or null when it has no results")


class PreviousYear(BaseModel):
    year: str
    statement_set: str
    organisations: int
    scale_differs: bool
    rag_changed: list[int] = Field(description="Statements whose RAG changed since that year")


class Group(BaseModel):
    label: str
    organisations: int = Field(
        description="Qualifying organisations in the group; for a respondent type, those whose "
        "own report shows that type on its own for at least one statement")
    suppressed: str | None = Field(examples=["not enough organisations yet"])
    statements: list[StatementFigures] = Field(description="Empty when the group is hidden")


class StatementSetUse(BaseModel):
    key: str
    title: str
    qualifying: int = Field(description="Qualifying rounds of the year using this set")


# The OpenAPI example: an abridged response (one statement, two groups).
_STATEMENT_EXAMPLE = {
    "number": 12, "theme": 1,
    "text": "NQSWs have access to learning opportunities relevant to their individual and "
            "collective development needs",
    "average": 4.3, "mean": 4.2833, "min": 3.7, "max": 4.8, "rag": "green",
    "organisations": 32, "suppressed": None,
}
NATIONAL_RESULTS_EXAMPLE = {
    "year": "2025-26",
    "programme": "child_and_family",
    "programme_label": "Child and family",
    "statement_set": "child-and-family-2019",
    "statement_set_title": "ASYE evaluation statements (2019)",
    "statement_sets": [
        {"key": "child-and-family-2019", "title": "ASYE evaluation statements (2019)",
         "qualifying": 32},
    ],
    "minimum_organisations": 3,
    "small_group_threshold": 3,
    "participation": {"registered": 85, "with_round": 59, "with_data_not_qualifying": 27,
                      "qualifying": 32, "second_round_or_later": 21},
    "organisations": 32,
    "themes": [{"number": 1, "title": "The ASYE programme is delivered in accordance with the "
                "ASYE Framework and Employer Standards", "average": 4.1, "mean": 4.0853,
                "rag": "green", "statements": list(range(1, 20))}],
    "statements": [{
        **_STATEMENT_EXAMPLE,
        "previous": {"average": 4.2, "mean": 4.2139, "rag": "green", "change": 0.1,
                     "rag_change": None, "scale_differs": False},
    }],
    "highest": [12, 19, 24],
    "lowest": [26],
    "previous_year": {"year": "2024-25", "statement_set": "child-and-family-2019",
                      "organisations": 28, "scale_differs": False, "rag_changed": [10]},
    "group_by": "region",
    "groups": {
        "london": {"label": "London", "organisations": 7, "suppressed": None,
                   "statements": [{**_STATEMENT_EXAMPLE, "average": 4.4, "mean": 4.3571,
                                   "min": 3.9, "max": 4.8, "organisations": 7}]},
        "north_east": {"label": "North East", "organisations": 2,
                       "suppressed": "not enough organisations yet", "statements": []},
    },
    "not_in_a_group": 0,
}


class NationalResults(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [NATIONAL_RESULTS_EXAMPLE]})

    year: str
    programme: str
    programme_label: str
    statement_set: str = Field(description="The set the results are for; by default the one "
                               "most qualifying rounds used")
    statement_set_title: str
    statement_sets: list[StatementSetUse]
    minimum_organisations: int
    small_group_threshold: int
    participation: Participation
    organisations: int = Field(description="Qualifying organisations on this statement set: "
                               "the ones the results average")
    themes: list[ThemeFigure]
    statements: list[NationalStatement]
    highest: list[int] = Field(description="Statements with the highest displayed average")
    lowest: list[int] = Field(description="Statements with the lowest displayed average")
    previous_year: PreviousYear | None
    group_by: GroupBy | None
    groups: dict[str, Group] = Field(description="Group key → its figures; empty without "
                                     "group_by")
    not_in_a_group: int = Field(description="Organisations in no group (no Teaching "
                                "Partnership)")
