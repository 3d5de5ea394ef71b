"""Public JSON shapes of the reference lists and statement sets."""

from pydantic import BaseModel

from app.statements.loader import StatementSet


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

    @classmethod
    def from_set(cls, statement_set: StatementSet) -> "StatementSetSummary":
        return cls(
            key=statement_set.key,
            title=statement_set.title,
            year=statement_set.year,
            programmes=list(statement_set.programmes),
            statements=len(statement_set.numbers),
        )


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

    @classmethod
    def from_set(cls, statement_set: StatementSet) -> "StatementSetPublic":
        return cls(
            **StatementSetSummary.from_set(statement_set).model_dump(),
            scale=[p.model_dump() for p in statement_set.scale],
            do_not_know=statement_set.do_not_know,
            themes=[t.model_dump() for t in statement_set.themes],
        )
