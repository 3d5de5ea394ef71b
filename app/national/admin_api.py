"""JSON of national administration: the organisations and their rounds, the year's completion
list, approving organisations (rule 15), inviting national users."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Query, status
from fastapi.responses import Response

from app.accounts.approval import approve_organisation, reject_organisation
from app.accounts.colleagues import invite_national_user
from app.accounts.deps import NationalUser
from app.accounts.messages import send_decision, send_invitation
from app.accounts.schemas import ErrorDetail, NationalInvite, OrganisationPublic, Rejection
from app.audit.models import AuditAction
from app.audit.schemas import AuditEventPublic
from app.audit.service import list_events, record_event
from app.db import SessionDep
from app.lifecycle.years import academic_year_of
from app.national.admin import list_organisations
from app.national.admin_exports import completion_csv
from app.national.admin_schemas import (
    NationalUserPublic,
    OrganisationListed,
    OrganisationsQuery,
)

router = APIRouter(prefix="/national", tags=["national"])

MAX_ID = 2**31 - 1
OrganisationId = Annotated[int, Path(description="The organisation's id", ge=1, le=MAX_ID)]

_ERRORS = {
    401: {"model": ErrorDetail, "description": "Not signed in"},
    403: {"model": ErrorDetail, "description": "Only a national account can do this"},
    404: {"model": ErrorDetail, "description": "No organisation with this id"},
    409: {"model": ErrorDetail, "description": "The organisation is not pending"},
}


_LIST_ERRORS = {
    401: {"model": ErrorDetail, "description": "Not signed in"},
    403: {"model": ErrorDetail, "description": "Only a national account can do this"},
    422: {"model": ErrorDetail, "description": "A filter value that does not exist"},
}


def _query(year, region, teaching_partnership, employer_type, status_, round_status, programme,
           q) -> OrganisationsQuery:
    return OrganisationsQuery.checked(
        year=year or academic_year_of(date.today()), region=region,
        teaching_partnership=teaching_partnership, employer_type=employer_type, status=status_,
        round_status=round_status, programme=programme, q=q)


YearQuery = Annotated[str | None, Query(
    description="Academic year, e.g. 2025-26: the rounds shown, and the year `round_status` "
    "filters on (default: this year)")]
Filter = Annotated[str | None, Query()]
RoundStatusFilter = Annotated[str | None, Query(
    description="This year's round: none, draft, open, closed, qualifying, or warnings (an open "
    "or closed round with more responses or codes of a type than expected)")]
SearchQuery = Annotated[str | None, Query(description="Part of the organisation's name")]


@router.get("/organisations", response_model=list[OrganisationListed], responses=_LIST_ERRORS)
def read_organisations(
    _user: NationalUser, session: SessionDep, year: YearQuery = None, region: Filter = None,
    teaching_partnership: Filter = None, employer_type: Filter = None,
    status: Annotated[str | None, Query(description="pending, approved or rejected")] = None,
    round_status: RoundStatusFilter = None, programme: Filter = None, q: SearchQuery = None,
) -> list[OrganisationListed]:
    """Every organisation matching the filters, with its rounds of the year (no results)."""
    query = _query(year, region, teaching_partnership, employer_type, status, round_status,
                   programme, q)
    return [OrganisationListed.of(line) for line in list_organisations(
        session=session, filters=query.filters(), rounds_of_year_only=True)]


@router.get("/organisations.csv", response_class=Response, responses={
    **_LIST_ERRORS, 200: {"content": {"text/csv": {}},
                          "description": "One row per round of the year"}})
def read_completion_list(
    _user: NationalUser, session: SessionDep, year: YearQuery = None, region: Filter = None,
    teaching_partnership: Filter = None, employer_type: Filter = None,
    status: Filter = None, round_status: RoundStatusFilter = None, programme: Filter = None,
    q: SearchQuery = None,
) -> Response:
    """The year's completion list: which employers completed their evaluation, when, and
    whether it meets the minimum criteria; the same filters as the JSON."""
    query = _query(year, region, teaching_partnership, employer_type, status, round_status,
                   programme, q)
    lines = list_organisations(session=session, filters=query.filters(),
                               rounds_of_year_only=True)
    return Response(completion_csv(lines, year=query.year), media_type="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="asye360-completion-{query.year}.csv"'})


@router.get("/audit-log", response_model=list[AuditEventPublic], responses=_ERRORS)
def read_audit_log(_user: NationalUser, session: SessionDep) -> list[AuditEventPublic]:
    """Every organisation's and the national team's actions, newest first (the latest 500)."""
    return [AuditEventPublic.of(e) for e in list_events(session=session)]


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=NationalUserPublic,
             responses={**_ERRORS, 409: {"model": ErrorDetail,
                                         "description": "The address already has an account"}})
def invite_national(body: NationalInvite, user: NationalUser, session: SessionDep,
                    background_tasks: BackgroundTasks) -> NationalUserPublic:
    """Invite another national user: an email with a link to set a password (7 days)."""
    invitation = invite_national_user(session=session, email=body.email)
    send_invitation(background_tasks, invitation.link, inviter=user.email,
                    joining="join the national team", role=None)
    record_event(session=session, actor=user, action=AuditAction.INVITED,
                 organisation_id=None, subject=f"{invitation.user.email} to the national team")
    return NationalUserPublic.of(invitation.user)


@router.post("/organisations/{organisation_id}/approve", response_model=OrganisationPublic,
             responses=_ERRORS)
def approve(
    organisation_id: OrganisationId, user: NationalUser, session: SessionDep,
    background_tasks: BackgroundTasks,
) -> OrganisationPublic:
    """Approve a pending organisation: its qualifying rounds count from now on (rule 15).
    Its leads are told by email."""
    decision = approve_organisation(session=session, organisation_id=organisation_id)
    send_decision(background_tasks, decision)
    record_event(session=session, actor=user, action=AuditAction.APPROVED,
                 organisation_id=organisation_id, subject=decision.organisation.name)
    return OrganisationPublic.of(decision.organisation)


@router.post("/organisations/{organisation_id}/reject", response_model=OrganisationPublic,
             responses={**_ERRORS, 422: {"model": ErrorDetail, "description": "No reason"}})
def reject(
    organisation_id: OrganisationId, body: Rejection, user: NationalUser, session: SessionDep,
    background_tasks: BackgroundTasks,
) -> OrganisationPublic:
    """Reject a pending organisation with a reason, which is emailed to its leads. Its rounds
    never count in participation, benchmarks or national results."""
    decision = reject_organisation(session=session, organisation_id=organisation_id,
                                   reason=body.reason)
    send_decision(background_tasks, decision)
    record_event(session=session, actor=user, action=AuditAction.REJECTED,
                 organisation_id=organisation_id,
                 subject=f"{decision.organisation.name}: {decision.organisation.rejection_reason}")
    return OrganisationPublic.of(decision.organisation)
