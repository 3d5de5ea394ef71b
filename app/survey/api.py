"""JSON routes of the survey: read a survey by its link, send a response by link or by code.

Refusals are domain errors (app.survey.service, app.survey.codes, app.survey.ratings); the one
error handler answers them as JSON `{detail}` with their status.
"""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import SignedInOrganisation
from app.core.routing import client_address
from app.db import SessionDep
from app.survey.schemas import (
    CodeResponseCreate,
    RatingsRefused,
    ResponseCreate,
    ResponseStored,
    SurveyPublic,
)
from app.survey.service import find_survey
from app.survey.submit import submit_by_code, submit_by_link_async

router = APIRouter(prefix="/survey", tags=["survey"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string per response: a retry with the same key stores nothing "
        "more and gets the first answer again.",
    ),
]
_NOT_FOUND = {404: {"description": "Unknown link or code"}}
_SUBMIT_ERRORS = {
    **_NOT_FOUND,
    403: {"description": "Sent with a session or token of the round's own organisation"},
    409: {"description": "The round is not open yet, has closed, or the code was used"},
    422: {"model": RatingsRefused, "description": "Ratings refused; nothing stored"},
    429: {"description": "A ceiling is reached: submissions per link, or codes per address"},
}


@router.post(
    "/code/responses", status_code=201, response_model=ResponseStored, responses=_SUBMIT_ERRORS
)
async def create_code_response(
    body: CodeResponseCreate, request: Request, signed_in: SignedInOrganisation,
    key: IdempotencyKey = None,
) -> ResponseStored:
    """Send one anonymous response with a single-use code instead of a link."""
    submission = await run_in_threadpool(
        submit_by_code, address=client_address(request), code=body.code, ratings=body.ratings,
        idempotency_key=key, signed_in_organisation=signed_in,
    )
    return ResponseStored.from_survey(submission.survey)


@router.get("/{token}", response_model=SurveyPublic, responses=_NOT_FOUND)
def read_survey(token: str, session: SessionDep) -> SurveyPublic:
    """The round (organisation, programme, year, status), respondent type and statement set."""
    return SurveyPublic.from_survey(find_survey(session=session, token=token))


@router.post(
    "/{token}/responses", status_code=201, response_model=ResponseStored, responses=_SUBMIT_ERRORS
)
async def create_response(
    token: str, body: ResponseCreate, request: Request, signed_in: SignedInOrganisation,
    key: IdempotencyKey = None,
) -> ResponseStored:
    """Send one anonymous response: every statement rated 1–5, or null for “I do not know”."""
    # Async: for a link this worker knows, the one database call is awaited on the event loop,
    # with no thread hand-off (a sync route hops to a thread for its session dependency and again
    # for its body; bench/README.md, benchmark 1).
    submission = await submit_by_link_async(
        token=token, ratings=body.ratings, idempotency_key=key, address=client_address(request),
        signed_in_organisation=signed_in,
    )
    return ResponseStored.from_survey(submission.survey)
