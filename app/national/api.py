"""JSON of national participation and results, for the national team's scripts."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import JSONResponse, Response

from app.accounts.deps import NationalUser
from app.db import SessionDep
from app.national.query import NationalQuery
from app.national.schemas import NationalResults
from app.national.service import build_national_results, default_programme
from app.vocabulary import GroupBy

router = APIRouter(tags=["national"])

# National results are not public reference data (issue 13): no copy is kept by any cache; the ETag
# still lets a script that keeps its own copy ask "has it changed?".
CACHE_CONTROL = "no-store"

_ERRORS = {
    304: {"description": "Not modified: the `If-None-Match` ETag is still current"},
    401: {"description": "Not signed in: send a bearer token from POST /api/v1/auth/token"},
    403: {"description": "Only a national account can read national results"},
    422: {"description": "A malformed year, or an unknown programme, group_by or statement set"},
}


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison: any listed tag, with or without W/, or "*"."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def cached_json(request: Request, content: dict) -> Response:
    """The JSON with an ETag of its bytes; 304 and no body when the caller already has them."""
    body = JSONResponse(content).body
    headers = {"ETag": etag_of(body), "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"}
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/national/{year}", response_model=NationalResults, responses=_ERRORS)
def read_national_results(
    request: Request,
    _user: NationalUser,
    session: SessionDep,
    year: Annotated[str, Path(description="Academic year", examples=["2025-26"],
                              pattern=r"^\d{4}-\d{2}$")],
    programme: Annotated[str | None, Query(
        description="Programme key; by default the programme with the most rounds, as on the "
        "national page", examples=["child_and_family"])] = None,
    group_by: Annotated[GroupBy | None, Query(description="Break the results down")] = None,
    statement_set: Annotated[
        str | None,
        Query(description="Statement set key; by default the one most qualifying rounds used"),
    ] = None,
) -> Response:
    """Participation and national results of one year and programme (rules 6 to 9).

    Each statement's national average is the mean of the averages of the qualifying
    organisations (each weighs the same), with the lowest and highest organisation average and
    the number of organisations; any figure over fewer than `minimum_organisations` is hidden.
    The response carries an `ETag`: send it back in `If-None-Match` to get a 304 when nothing
    has changed.
    """
    programme = programme or default_programme(session=session)
    query = NationalQuery.checked(year=year, programme=programme, group_by=group_by,
                                  statement_set=statement_set)
    results = build_national_results(session=session, query=query)
    return cached_json(request, results.model_dump(mode="json"))
