"""Public shapes of evidence of completion (PRODUCT.md §5): the facts, and the facts with a code."""

from datetime import date
from typing import Self

from pydantic import BaseModel, Field


class VerifiedFacts(BaseModel):
    """What `/verify/{code}` confirms: who completed which evaluation, when, how many answered,
    and whether it meets the minimum criteria. No results."""

    organisation: str
    programme: str
    programme_label: str
    year: str
    closed_on: date
    counts: dict[str, int] = Field(description="Responses per respondent type")
    meets_minimum: bool
    minimum_reasons: list[str] = Field(description="Why not, in words (empty when it does)")


class Evidence(VerifiedFacts):
    """`GET /rounds/{id}/evidence`: the facts, with the code an assessor checks at verify_url."""

    verification_code: str = Field(examples=["K7QF-3MZA-9RTE-WXPB-H4NC"])
    verify_url: str

    @classmethod
    def of(cls, facts: VerifiedFacts, *, code: str, verify_url: str) -> Self:
        return cls(**facts.model_dump(), verification_code=code, verify_url=verify_url)
