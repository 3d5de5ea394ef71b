"""JSON routes for the reference lists and the statement sets."""

from fastapi import APIRouter, HTTPException, Response
from starlette.concurrency import run_in_threadpool

from app.partnerships.service import cached_active_partnerships, load_active_partnerships
from app.statements.loader import get_statement_sets
from app.statements.reference import Reference, get_reference
from app.statements.schemas import ReferencePublic, StatementSetPublic, StatementSetSummary

router = APIRouter(tags=["reference"])


@router.get("/reference", response_model=ReferencePublic)
async def read_reference() -> Response:
    """Regions, Teaching Partnerships (the ones that can be chosen now: not retired), employer
    types, programmes and respondent types."""
    # The partnerships come from a per-process copy a few seconds old at most (its docstring
    # says how stale), and the JSON is made once per copy: no database, no thread, no
    # validation per request. Only a request that finds the copy too old reads the table.
    partnerships = cached_active_partnerships()
    if partnerships is None:
        partnerships = await run_in_threadpool(load_active_partnerships)
    return Response(_reference_json(partnerships), media_type="application/json")


_reference_body: tuple[Reference, tuple[tuple[str, str], ...], bytes] | None = None


def _reference_json(partnerships: tuple[tuple[str, str], ...]) -> bytes:
    """The JSON body, made again only when the lists in it change."""
    global _reference_body
    reference, made = get_reference(), _reference_body
    if made is None or made[0] is not reference or made[1] != partnerships:
        body = ReferencePublic.model_validate({**reference.public(), "teaching_partnerships": [
            {"key": key, "label": name} for key, name in partnerships]})
        made = _reference_body = (reference, partnerships, body.model_dump_json().encode())
    return made[2]


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
