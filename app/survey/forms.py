"""Page forms of the survey: one theme's radios, and the single-use code.

`ThemeForm` is shared with the employer's self-assessment, which asks the same statements on
the same pages: field names and ids are `statement-{number}`, values "1"–"5" or "dont_know".
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, field_validator

from app.statements.loader import Theme
from app.survey.codes import CODE_LENGTH, normalise_code

DO_NOT_KNOW = "dont_know"
CODE_EXAMPLE = "7KDP-4XQM-2RVT"
_SCORES = {str(value): value for value in range(1, 6)}


def statement_field(number: int) -> str:
    """The name of a statement's radios and the id of its first radio (error summary target)."""
    return f"statement-{number}"


def answer_value(score: int | None) -> str:
    """A stored answer as the radio value that shows it selected."""
    return DO_NOT_KNOW if score is None else str(score)


class ThemeForm(BaseModel):
    """One theme's answers as sent: what was chosen, the valid ratings, and what is missing."""

    selected: dict[str, str] = Field(default_factory=dict)  # field name → value, to show again
    ratings: dict[int, int | None] = Field(default_factory=dict)
    errors: dict[str, str] = Field(default_factory=dict)  # field id → message, in page order

    @classmethod
    def parse(cls, form: Mapping[str, Any], *, theme: Theme) -> "ThemeForm":
        selected: dict[str, str] = {}
        ratings: dict[int, int | None] = {}
        errors: dict[str, str] = {}
        for statement in theme.statements:
            name = statement_field(statement.number)
            value = form.get(name)
            if value == DO_NOT_KNOW:
                ratings[statement.number] = None
            elif isinstance(value, str) and value in _SCORES:
                ratings[statement.number] = _SCORES[value]
            else:
                errors[name] = (
                    f"Select a rating for statement {statement.number}, "
                    "or select ‘I do not know’"
                )
                continue
            selected[name] = value
        return cls(selected=selected, ratings=ratings, errors=errors)

    @staticmethod
    def summary(errors: dict[str, str], *, theme: Theme) -> dict[str, str]:
        """The error summary: one entry per unanswered statement, but one short message (to the
        first statement) when none on the page is answered, rather than a list of identical
        links."""
        if errors and len(errors) == len(theme.statements) > 1:
            first = statement_field(theme.statements[0].number)
            return {first: "Select a rating for each statement, or select ‘I do not know’"}
        return errors


class CodeForm(BaseModel):
    """The single-use code as typed; spaces, hyphens and lower case are forgiven."""

    code: str

    @field_validator("code", mode="before")
    @classmethod
    def normalise(cls, value: Any) -> str:
        code = normalise_code(value if isinstance(value, str) else "")
        if not code:
            raise ValueError("Enter your code")
        if len(code) != CODE_LENGTH:
            raise ValueError(
                f"Code must be {CODE_LENGTH} letters and numbers, for example {CODE_EXAMPLE}"
            )
        return code
