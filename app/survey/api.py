"""JSON routes of the survey: read a survey by its link, send a response by link or by code."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.db import SessionDep
from app.survey.ratings import RatingsError
from app.survey.schemas import (
    CodeResponseCreate,
    RatingsRefused,
    ResponseCreate,
    ResponseStored,
    SurveyPublic,
)
from app.survey.service import (
    CodeAlreadyUsed,
    SurveyClosed,
    SurveyNotFound,
    SurveyNotOpen,
    TooManyAttempts,
    count_code_attempt,
    find_survey,
    find_survey_by_code,
    submit_response,
)

NO_STORE = {"Cache-Control": "no-store"}

_REFUSALS: dict[type[Exception], tuple[int, str]] = {
    SurveyNotFound: (404, "No survey has this link or code. Check it was copied in full."),
    SurveyNotOpen: (409, "This evaluation is not open yet, so it cannot take responses."),
    SurveyClosed: (409, "This evaluation has closed. It takes no more responses."),
    CodeAlreadyUsed: (409, "This code has already been used to send answers."),
}


class SurveyRoute(APIRoute):
    """Turns the survey's refusals into JSON `{detail}` with their status, in one place."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RatingsError as error:
                detail = f"The ratings were refused and nothing was stored: {error}"
                return JSONResponse({"detail": detail, "errors": error.problems}, 422, NO_STORE)
            except TooManyAttempts as error:
                return JSONResponse(
                    {"detail": f"{error.message} Try again in {error.retry_after} seconds."},
                    429,
                    {**NO_STORE, "Retry-After": str(error.retry_after)},
                )
            except tuple(_REFUSALS) as error:
                status, detail = _REFUSALS[type(error)]
                return JSONResponse({"detail": detail}, status, NO_STORE)

        return handle


router = APIRouter(prefix="/survey", tags=["survey"], route_class=SurveyRoute)

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
    body: CodeResponseCreate,
    session: SessionDep,
    request: Request,
    response: Response,
    key: IdempotencyKey = None,
) -> ResponseStored:
    """Send one anonymous response with a single-use code instead of a link."""
    response.headers.update(NO_STORE)
    count_code_attempt(address=request.client.host if request.client else "unknown")
    survey = find_survey_by_code(session=session, code=body.code)
    submission = submit_response(
        session=session, survey=survey, ratings=body.ratings, idempotency_key=key
    )
    return ResponseStored.from_survey(submission.survey)


@router.get("/{token}", response_model=SurveyPublic, responses=_NOT_FOUND)
def read_survey(token: str, session: SessionDep, response: Response) -> SurveyPublic:
    """The round (organisation, programme, year, status), respondent type and statement set."""
    response.headers.update(NO_STORE)
    return SurveyPublic.from_survey(find_survey(session=session, token=token))


@router.post(
    "/{token}/responses", status_code=201, response_model=ResponseStored, responses=_SUBMIT_ERRORS
)
def create_response(
    token: str,
    body: ResponseCreate,
    session: SessionDep,
    response: Response,
    key: IdempotencyKey = None,
) -> ResponseStored:
    """Send one anonymous response: every statement rated 1–5, or null for “I do not know”."""
    response.headers.update(NO_STORE)
    survey = find_survey(session=session, token=token)
    submission = submit_response(
        session=session, survey=survey, ratings=body.ratings, idempotency_key=key
    )
    return ResponseStored.from_survey(submission.survey)
