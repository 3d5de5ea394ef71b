"""Public JSON shapes of the reference lists and statement sets."""

from pydantic import BaseModel


class ReferenceItem(BaseModel):
    key: str
    label: str


class ReferencePublic(BaseModel):
    regions: list[ReferenceItem]
    teaching_partnerships: list[ReferenceItem]
    employer_types: list[ReferenceItem]
    programmes: list[ReferenceItem]
    respondent_types: list[ReferenceItem]


class StatementSetSummary(BaseModel):
    key: str
    title: str
    year: int
    programmes: list[str]
    statements: int


class StatementPublic(BaseModel):
    number: int
    text: str


class ThemePublic(BaseModel):
    number: int
    title: str
    statements: list[StatementPublic]


class ScalePointPublic(BaseModel):
    value: int
    label: str


class StatementSetPublic(StatementSetSummary):
    scale: list[ScalePointPublic]
    do_not_know: str
    themes: list[ThemePublic]
