"""JSON routes for the reference lists and the statement sets."""

from fastapi import APIRouter, HTTPException

from app.partnerships.service import list_partnerships
from app.statements.loader import get_statement_sets
from app.statements.reference import get_reference
from app.statements.schemas import ReferencePublic, StatementSetPublic, StatementSetSummary

router = APIRouter(tags=["reference"])


@router.get("/reference", response_model=ReferencePublic)
def read_reference() -> dict:
    """Regions, Teaching Partnerships (the ones that can be chosen now: not retired), employer
    types, programmes and respondent types."""
    return {**get_reference().public(), "teaching_partnerships": [
        {"key": p.key, "label": p.name} for p in list_partnerships(include_retired=False)]}


@router.get("/statement-sets", response_model=list[StatementSetSummary])
def list_statement_sets() -> list[StatementSetSummary]:
    return [StatementSetSummary.from_set(s) for s in get_statement_sets().values()]


@router.get(
    "/statement-sets/{key}",
    response_model=StatementSetPublic,
    responses={404: {"description": "No statement set has this key"}},
)
def read_statement_set(key: str) -> StatementSetPublic:
    statement_set = get_statement_sets().get(key)
    if statement_set is None:
        raise HTTPException(status_code=404, detail=f"No statement set with key {key!r}")
    return StatementSetPublic.from_set(statement_set)
