"""Shapes of national administration: the organisations query, and the organisations' JSON."""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from app.core.forms import problem
from app.errors import Invalid
from app.lifecycle.years import is_academic_year
from app.national.admin import ROUND_STATUS_FILTERS, OrganisationFilters, OrganisationLine
from app.partnerships.service import all_keys
from app.reports.schemas import ReportWarning
from app.statements.reference import get_reference
from app.vocabulary import OrganisationStatus


def _year(value: Any) -> Any:
    if not isinstance(value, str) or not is_academic_year(value):
        raise problem(f"year must be an academic year written like 2025-26, not {value!r}")
    return value


def _one_of(name: str, keys) -> Any:
    def check(value: Any) -> Any:
        if value in (None, ""):
            return None
        allowed = list(keys() if callable(keys) else keys)
        if value not in allowed:
            raise problem(f"{name} must be one of: {', '.join(allowed)}")
        return value

    return BeforeValidator(check)


def _reference(list_name: str):
    return lambda: get_reference().keys(list_name)


def _search(value: Any) -> Any:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise problem("q must be 200 characters or fewer")
    return value.strip() or None


class OrganisationsQuery(BaseModel):
    """`GET /national/organisations`: filters and search; `year` is the year whose rounds are
    shown and whose round status `round_status` filters on."""

    model_config = ConfigDict(frozen=True)

    year: Annotated[str, BeforeValidator(_year)]
    region: Annotated[str | None, _one_of("region", _reference("regions"))] = None
    teaching_partnership: Annotated[
        str | None, _one_of("teaching_partnership", lambda: all_keys())] = None
    employer_type: Annotated[
        str | None, _one_of("employer_type", _reference("employer_types"))] = None
    status: Annotated[str | None, _one_of("status", tuple(OrganisationStatus))] = None
    round_status: Annotated[str | None, _one_of("round_status", ROUND_STATUS_FILTERS)] = None
    programme: Annotated[str | None, _one_of("programme", _reference("programmes"))] = None
    q: Annotated[str | None, BeforeValidator(_search)] = None

    @classmethod
    def checked(cls, **values: Any) -> "OrganisationsQuery":
        """The query, or Invalid (422) naming each refused parameter and why."""
        try:
            return cls(**values)
        except ValidationError as error:
            raise Invalid("; ".join(e["msg"] for e in error.errors())) from None

    @classmethod
    def problems(cls, **values: Any) -> dict[str, str]:
        try:
            cls(**values)
        except ValidationError as error:
            return {str(e["loc"][0]): e["msg"] for e in error.errors()}
        return {}

    def filters(self) -> OrganisationFilters:
        return OrganisationFilters(
            year=self.year, region=self.region, teaching_partnership=self.teaching_partnership,
            employer_type=self.employer_type, status=self.status, round_status=self.round_status,
            search=self.q, programme=self.programme)


class RoundListed(BaseModel):
    id: int
    year: str
    programme: str
    status: str
    closes_on: date | None
    closed_on: date | None
    meets_minimum: bool
    warnings: list[ReportWarning] = Field(
        description="Responses or codes of a type beyond the number expected at open (rule 5); "
        "none for a draft round")


class OrganisationListed(BaseModel):
    """One organisation for the national team: details, approval and rounds, no results."""

    id: int
    name: str
    region: str
    teaching_partnership: str | None
    employer_type: str
    status: str
    rounds: list[RoundListed]

    @classmethod
    def of(cls, line: OrganisationLine) -> "OrganisationListed":
        organisation = line.organisation
        return cls(
            id=organisation.id, name=organisation.name, region=organisation.region,
            teaching_partnership=organisation.teaching_partnership,
            employer_type=organisation.employer_type, status=organisation.status,
            rounds=[RoundListed.model_validate(r, from_attributes=True) for r in line.rounds])


class NationalUserPublic(BaseModel):
    id: int
    email: str
    invited: bool

    @classmethod
    def of(cls, user) -> "NationalUserPublic":
        return cls(id=user.id, email=user.email, invited=not user.password_hash)
