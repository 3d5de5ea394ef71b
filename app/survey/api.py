"""JSON routes of the survey: read a survey by its link, send a response by link or by code.

Refusals are domain errors (app.survey.service, app.survey.codes, app.survey.ratings); the one
error handler answers them as JSON `{detail}` with their status.
"""

from typing import Annotated

from fastapi import APIRouter, Header, Request

from app.core.routing import client_address
from app.db import SessionDep
from app.survey.schemas import (
    CodeResponseCreate,
    RatingsRefused,
    ResponseCreate,
    ResponseStored,
    SurveyPublic,
)
from app.survey.service import (
    count_code_attempt,
    find_survey,
    find_survey_by_code,
    submit_response,
)

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
    409: {"description": "The round is not open yet, has closed, or the code was used"},
    422: {"model": RatingsRefused, "description": "Ratings refused; nothing stored"},
    429: {"description": "A ceiling is reached: submissions per link, or codes per address"},
}


@router.post(
    "/code/responses", status_code=201, response_model=ResponseStored, responses=_SUBMIT_ERRORS
)
def create_code_response(
    body: CodeResponseCreate, session: SessionDep, request: Request, key: IdempotencyKey = None,
) -> ResponseStored:
    """Send one anonymous response with a single-use code instead of a link."""
    count_code_attempt(address=client_address(request))
    survey = find_survey_by_code(session=session, code=body.code)
    submission = submit_response(
        session=session, survey=survey, ratings=body.ratings, idempotency_key=key,
        address=client_address(request),
    )
    return ResponseStored.from_survey(submission.survey)


@router.get("/{token}", response_model=SurveyPublic, responses=_NOT_FOUND)
def read_survey(token: str, session: SessionDep) -> SurveyPublic:
    """The round (organisation, programme, year, status), respondent type and statement set."""
    return SurveyPublic.from_survey(find_survey(session=session, token=token))


@router.post(
    "/{token}/responses", status_code=201, response_model=ResponseStored, responses=_SUBMIT_ERRORS
)
def create_response(
    token: str, body: ResponseCreate, session: SessionDep, request: Request,
    key: IdempotencyKey = None,
) -> ResponseStored:
    """Send one anonymous response: every statement rated 1–5, or null for “I do not know”."""
    survey = find_survey(session=session, token=token)
    submission = submit_response(
        session=session, survey=survey, ratings=body.ratings, idempotency_key=key,
        address=client_address(request),
    )
    return ResponseStored.from_survey(submission.survey)
