"""JSON routes of the rounds domain: create, list, read, open, close, codes, self-assessment."""

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse

from app.accounts.deps import CurrentUser, EmployerUser
from app.db import SessionDep
from app.rounds.deps import AccessibleRound, EmployerRound
from app.rounds.schemas import (
    CodesCreate,
    CodesPublic,
    Expected,
    OrganisationSummary,
    RatingsRefused,
    RoundCounts,
    RoundCreate,
    RoundLinks,
    RoundPublic,
    SelfAssessmentIn,
    SelfAssessmentPublic,
    api_errors,
)
from app.rounds.service import (
    RoundConflict,
    RoundError,
    RoundOverview,
    close_round,
    create_round,
    describe_round,
    get_self_assessment,
    issue_codes,
    list_rounds,
    open_round,
    save_self_assessment,
)
from app.survey.ratings import RatingsError

router = APIRouter(prefix="/rounds", tags=["rounds"])


def round_public(overview: RoundOverview) -> RoundPublic:
    round_, organisation = overview.round, overview.organisation
    return RoundPublic(
        id=round_.id,
        year=round_.year,
        programme=round_.programme,
        statement_set=round_.statement_set,
        status=round_.status,
        links=RoundLinks(**overview.links),
        counts=RoundCounts(**overview.counts),
        meets_minimum=overview.minimum.met,
        minimum_reasons=list(overview.minimum.reasons),
        expected=Expected(**overview.expected),
        response_rates=overview.response_rates,
        organisation=OrganisationSummary.model_validate(organisation, from_attributes=True),
        created_at=round_.created_at,
        opened_at=round_.opened_at,
        closed_at=round_.closed_at,
    )


def _http_error(error: RoundError) -> HTTPException:
    code = status.HTTP_409_CONFLICT if isinstance(error, RoundConflict) else 422
    return HTTPException(status_code=code, detail=error.message)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundPublic,
    responses=api_errors(401, 403, 409, 422),
)
def create(body: RoundCreate, user: EmployerUser, session: SessionDep) -> RoundPublic:
    """Create a draft round for your organisation (one per programme and year)."""
    try:
        round_ = create_round(
            session=session,
            organisation_id=user.organisation_id,
            programme=body.programme,
            year=body.year,
            statement_set=body.statement_set,
            expected=body.expected.model_dump(),
        )
    except RoundError as error:
        raise _http_error(error) from error
    return round_public(describe_round(session=session, round_=round_))


@router.get("", response_model=list[RoundPublic], responses=api_errors(401, 422))
def list_all(
    user: CurrentUser,
    session: SessionDep,
    year: str | None = None,
    programme: str | None = None,
) -> list[RoundPublic]:
    """Your organisation's rounds; every organisation's for a national user. Newest year first."""
    overviews = list_rounds(
        session=session,
        organisation_id=None if user.is_national else user.organisation_id,
        year=year,
        programme=programme,
    )
    return [round_public(overview) for overview in overviews]


@router.get("/{round_id}", response_model=RoundPublic, responses=api_errors(401, 404, 422))
def read(round_: AccessibleRound, session: SessionDep) -> RoundPublic:
    """One round: links, counts per respondent type, and the minimum criteria. No averages."""
    return round_public(describe_round(session=session, round_=round_))


@router.post(
    "/{round_id}/open", response_model=RoundPublic, responses=api_errors(401, 403, 404, 409, 422)
)
def open_(round_: EmployerRound, session: SessionDep) -> RoundPublic:
    """Open a draft round: its links start taking responses. 409 unless it is a draft."""
    try:
        round_ = open_round(session=session, round_id=round_.id)
    except RoundError as error:
        raise _http_error(error) from error
    return round_public(describe_round(session=session, round_=round_))


@router.post(
    "/{round_id}/close", response_model=RoundPublic, responses=api_errors(401, 403, 404, 409, 422)
)
def close(round_: EmployerRound, session: SessionDep) -> RoundPublic:
    """Close an open round. Final: it never reopens or takes another response. 409 unless open."""
    try:
        round_ = close_round(session=session, round_id=round_.id)
    except RoundError as error:
        raise _http_error(error) from error
    return round_public(describe_round(session=session, round_=round_))


@router.get(
    "/{round_id}/self-assessment",
    response_model=SelfAssessmentPublic,
    responses=api_errors(401, 404, 422),
)
def read_self_assessment(round_: AccessibleRound, session: SessionDep) -> SelfAssessmentPublic:
    """The employer's own ratings; `complete` is false (and `ratings` empty) until saved."""
    ratings = get_self_assessment(session=session, round_id=round_.id) or {}
    return SelfAssessmentPublic(
        round_id=round_.id,
        complete=bool(ratings),
        ratings={str(number): score for number, score in ratings.items()},
    )


@router.put(
    "/{round_id}/self-assessment",
    response_model=SelfAssessmentPublic,
    responses={
        **api_errors(401, 403, 404, 409),
        422: {"model": RatingsRefused, "description": "Refused whole; `errors` names each "
                                                      "statement and why"},
    },
)
def put_self_assessment(
    body: SelfAssessmentIn, round_: EmployerRound, session: SessionDep
) -> SelfAssessmentPublic | JSONResponse:
    """Save (or replace) the self-assessment while the round is open. 409 unless open."""
    try:
        ratings = save_self_assessment(session=session, round_id=round_.id, ratings=body.ratings)
    except RatingsError as error:
        return JSONResponse({"detail": str(error), "errors": error.problems}, status_code=422)
    except RoundError as error:
        raise _http_error(error) from error
    return SelfAssessmentPublic(
        round_id=round_.id,
        complete=True,
        ratings={str(number): score for number, score in sorted(ratings.items())},
    )


@router.post(
    "/{round_id}/codes",
    status_code=status.HTTP_201_CREATED,
    response_model=CodesPublic,
    responses=api_errors(401, 403, 404, 409, 422),
)
def create_codes(body: CodesCreate, round_: EmployerRound, session: SessionDep) -> CodesPublic:
    """Issue single-use codes per respondent type. They are returned this once, never again."""
    try:
        codes = issue_codes(session=session, round_id=round_.id, counts=body.model_dump())
    except RoundError as error:
        raise _http_error(error) from error
    return CodesPublic(round_id=round_.id, codes=codes)
