"""What national results are asked for: one year and programme, a statement set, a breakdown.

The JSON API, the national page and its CSV all ask through `NationalQuery`, so all three refuse
the same things for the same reasons.
"""

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from app.core.forms import problem
from app.errors import Invalid
from app.lifecycle.years import is_academic_year
from app.statements.loader import get_statement_sets
from app.statements.reference import get_reference
from app.vocabulary import GroupBy


def _year(value: Any) -> Any:
    if not isinstance(value, str) or not is_academic_year(value):
        raise problem(f"year must be an academic year written like 2025-26, not {value!r}")
    return value


def _programme(value: Any) -> Any:
    known = get_reference().keys("programmes")
    if value not in known:
        raise problem(f"programme must be one of: {', '.join(known)}")
    return value


def _group_by(value: Any) -> Any:
    if value is not None and value not in tuple(GroupBy):
        raise problem(f"group_by must be one of: {', '.join(GroupBy)}")
    return value


def _statement_set(value: Any) -> Any:
    sets = get_statement_sets()
    if value is not None and value not in sets:
        raise problem(f"statement_set must be one of: {', '.join(sorted(sets))}")
    return value


class NationalQuery(BaseModel):
    """Which national results: `statement_set` None is the one most qualifying rounds used."""

    model_config = ConfigDict(frozen=True)

    year: Annotated[str, BeforeValidator(_year)]
    programme: Annotated[str, BeforeValidator(_programme)]
    group_by: Annotated[GroupBy | None, BeforeValidator(_group_by)] = None
    statement_set: Annotated[str | None, BeforeValidator(_statement_set)] = None

    @classmethod
    def problems(cls, **values: Any) -> dict[str, str]:
        """Field → why the value given for it is refused; empty when every value is fine (a
        missing year or programme is not a problem here: `checked` says so)."""
        try:
            cls(**values)
        except ValidationError as error:
            return {str(e["loc"][0]): e["msg"] for e in error.errors() if e["type"] != "missing"}
        return {}

    @classmethod
    def checked(cls, **values: Any) -> "NationalQuery":
        """The query, or Invalid (422) naming each refused parameter and why."""
        try:
            return cls(**values)
        except ValidationError as error:
            raise Invalid("; ".join(e["msg"] for e in error.errors())) from None
