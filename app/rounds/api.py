"""JSON routes of the rounds domain: create, list, read, open, close, codes, self-assessment.

Refusals are domain errors, answered as JSON `{detail}` by the one error handler.
"""

from fastapi import APIRouter, Response, status

from app.accounts.deps import CurrentUser, EmployerUser
from app.audit.models import AuditAction
from app.audit.service import codes_issued, deleted_round, record_round_event, round_changes
from app.db import SessionDep
from app.lifecycle.deps import AccessibleRound, EmployerRound, LeadRound
from app.rounds.schemas import (
    CodesCreate,
    CodesPublic,
    RoundCreate,
    RoundPublic,
    RoundUpdate,
    SelfAssessmentIn,
    SelfAssessmentPublic,
    api_errors,
)
from app.rounds.service import (
    close_round,
    create_round,
    delete_round,
    describe_round,
    list_rounds,
    open_round,
    update_round,
)
from app.survey.codes import issue_codes
from app.survey.schemas import RatingsRefused
from app.survey.service import get_self_assessment, save_self_assessment

router = APIRouter(prefix="/rounds", tags=["rounds"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundPublic,
    responses=api_errors(401, 403, 409, 422),
)
def create(body: RoundCreate, user: EmployerUser, session: SessionDep) -> RoundPublic:
    """Create a draft round for your organisation (one per programme and year)."""
    round_ = create_round(
        session=session, organisation_id=user.organisation_id, programme=body.programme,
        year=body.year, statement_set=body.statement_set, expected=body.expected.model_dump(),
        closes_on=body.closes_on,
    )
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_CREATED,
                       round_=round_)
    return RoundPublic.of(describe_round(session=session, round_=round_))


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
    return [RoundPublic.of(overview) for overview in overviews]


@router.get("/{round_id}", response_model=RoundPublic, responses=api_errors(401, 404, 422))
def read(round_: AccessibleRound, session: SessionDep) -> RoundPublic:
    """One round: links, counts per respondent type, and the minimum criteria. No averages."""
    return RoundPublic.of(describe_round(session=session, round_=round_))


@router.patch("/{round_id}", response_model=RoundPublic,
              responses=api_errors(401, 403, 404, 409, 422))
def update(body: RoundUpdate, round_: LeadRound, session: SessionDep,
           user: CurrentUser) -> RoundPublic:
    """Change `expected` (while a draft) or `closes_on` (while a draft or open; once open,
    only later). 409 in the wrong state, 422 for a date in the past or after the academic
    year's end; nothing is changed unless everything is valid."""
    expected = body.expected.model_dump() if body.expected else None
    round_ = update_round(session=session, round_=round_, expected=expected,
                          closes_on=body.closes_on)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_CHANGED,
                       round_=round_,
                       detail=round_changes(expected=expected, closes_on=body.closes_on))
    return RoundPublic.of(describe_round(session=session, round_=round_))


@router.delete("/{round_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, responses=api_errors(401, 403, 404, 409, 422))
def delete(round_: LeadRound, session: SessionDep, user: CurrentUser) -> Response:
    """Delete a draft round. 409 once it has been opened."""
    gone = deleted_round(round_)
    delete_round(session=session, round_=round_)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_DELETED, round_=gone)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{round_id}/open", response_model=RoundPublic, responses=api_errors(401, 403, 404, 409, 422)
)
def open_(round_: EmployerRound, session: SessionDep, user: CurrentUser) -> RoundPublic:
    """Open a draft round: its links start taking responses. 409 unless it is a draft."""
    round_ = open_round(session=session, round_id=round_.id)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_OPENED,
                       round_=round_)
    return RoundPublic.of(describe_round(session=session, round_=round_))


@router.post(
    "/{round_id}/close", response_model=RoundPublic, responses=api_errors(401, 403, 404, 409, 422)
)
def close(round_: EmployerRound, session: SessionDep, user: CurrentUser) -> RoundPublic:
    """Close an open round. Final: it never reopens or takes another response. 409 unless open."""
    round_ = close_round(session=session, round_id=round_.id)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_CLOSED,
                       round_=round_)
    return RoundPublic.of(describe_round(session=session, round_=round_))


@router.get(
    "/{round_id}/self-assessment",
    response_model=SelfAssessmentPublic,
    responses=api_errors(401, 404, 422),
)
def read_self_assessment(round_: AccessibleRound, session: SessionDep) -> SelfAssessmentPublic:
    """The employer's own ratings; `complete` is false (and `ratings` empty) until saved."""
    ratings = get_self_assessment(session=session, round_id=round_.id) or {}
    return SelfAssessmentPublic.of(round_.id, ratings)


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
) -> SelfAssessmentPublic:
    """Save (or replace) the self-assessment while the round is open. 409 unless open."""
    ratings = save_self_assessment(session=session, round_id=round_.id, ratings=body.ratings)
    return SelfAssessmentPublic.of(round_.id, ratings)


@router.post(
    "/{round_id}/codes",
    status_code=status.HTTP_201_CREATED,
    response_model=CodesPublic,
    responses=api_errors(401, 403, 404, 409, 422),
)
def create_codes(body: CodesCreate, round_: EmployerRound, session: SessionDep,
                 user: CurrentUser) -> CodesPublic:
    """Issue single-use codes per respondent type. They are returned this once, never again."""
    codes = issue_codes(session=session, round_id=round_.id, counts=body.model_dump())
    record_round_event(session=session, actor=user, action=AuditAction.CODES_ISSUED,
                       round_=round_, detail=codes_issued(codes))
    return CodesPublic(round_id=round_.id, codes=codes)
