"""Public JSON shapes of the survey API (PRODUCT.md section 5)."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.statements.schemas import StatementSetPublic
from app.survey.service import Survey
from app.vocabulary import RoundStatus

_RATINGS_EXAMPLE = {str(n): 4 for n in range(1, 32)} | {"32": None}


class SurveyRound(BaseModel):
    organisation: str
    programme: str
    year: str
    status: RoundStatus


class SurveyPublic(BaseModel):
    """What a respondent's tool needs to show the survey: which round, as whom, which statements."""

    round: SurveyRound
    respondent_type: str
    statement_set: StatementSetPublic

    @classmethod
    def from_survey(cls, survey: Survey) -> "SurveyPublic":
        return cls(
            round=_round(survey),
            respondent_type=survey.respondent_type,
            statement_set=StatementSetPublic.from_set(survey.statement_set),
        )


class ResponseCreate(BaseModel):
    """Every statement of the set, each a whole number 1–5 or null for “I do not know”."""

    ratings: dict[str, Any] = Field(json_schema_extra={"example": _RATINGS_EXAMPLE})


class CodeResponseCreate(ResponseCreate):
    code: str = Field(description="The single-use code, as given (spaces and hyphens ignored)")


class ResponseStored(BaseModel):
    """The same body for the first submission and for any retry with its Idempotency-Key.

    It holds nothing that identifies the stored response: there is nothing to link it back to.
    """

    status: Literal["stored"] = "stored"
    round: SurveyRound
    respondent_type: str

    @classmethod
    def from_survey(cls, survey: Survey) -> "ResponseStored":
        return cls(round=_round(survey), respondent_type=survey.respondent_type)


class RatingsRefused(BaseModel):
    detail: str
    errors: dict[str, str] = Field(description="Each refused statement number → why")


def _round(survey: Survey) -> SurveyRound:
    return SurveyRound(
        organisation=survey.organisation_name,
        programme=survey.programme,
        year=survey.year,
        status=survey.status,
    )
