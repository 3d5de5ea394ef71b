"""JSON routes for the reference lists and the statement sets."""

from fastapi import APIRouter, HTTPException

from app.statements.loader import StatementSet, get_statement_sets
from app.statements.reference import get_reference
from app.statements.schemas import ReferencePublic, StatementSetPublic, StatementSetSummary

router = APIRouter(tags=["reference"])


@router.get("/reference", response_model=ReferencePublic)
def read_reference() -> dict:
    """Regions, Teaching Partnerships, employer types, programmes and respondent types."""
    return get_reference().public()


@router.get("/statement-sets", response_model=list[StatementSetSummary])
def list_statement_sets() -> list[dict]:
    return [_summary(s) for s in get_statement_sets().values()]


@router.get(
    "/statement-sets/{key}",
    response_model=StatementSetPublic,
    responses={404: {"description": "No statement set has this key"}},
)
def read_statement_set(key: str) -> dict:
    statement_set = get_statement_sets().get(key)
    if statement_set is None:
        raise HTTPException(status_code=404, detail=f"No statement set with key {key!r}")
    return {
        **_summary(statement_set),
        "scale": [p.model_dump() for p in statement_set.scale],
        "do_not_know": statement_set.do_not_know,
        "themes": [t.model_dump() for t in statement_set.themes],
    }


def _summary(statement_set: StatementSet) -> dict:
    return {
        "key": statement_set.key,
        "title": statement_set.title,
        "year": statement_set.year,
        "programmes": list(statement_set.programmes),
        "statements": len(statement_set.numbers),
    }
