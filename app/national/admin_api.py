"""JSON of national administration: approving organisations (rule 15)."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path

from app.accounts.approval import approve_organisation, reject_organisation
from app.accounts.deps import NationalUser
from app.accounts.emails import send_decision
from app.accounts.schemas import ErrorDetail, OrganisationPublic, Rejection
from app.db import SessionDep

router = APIRouter(prefix="/national/organisations", tags=["national"])

MAX_ID = 2**31 - 1
OrganisationId = Annotated[int, Path(description="The organisation's id", ge=1, le=MAX_ID)]

_ERRORS = {
    401: {"model": ErrorDetail, "description": "Not signed in"},
    403: {"model": ErrorDetail, "description": "Only a national account can do this"},
    404: {"model": ErrorDetail, "description": "No organisation with this id"},
    409: {"model": ErrorDetail, "description": "The organisation is not pending"},
}


@router.post("/{organisation_id}/approve", response_model=OrganisationPublic, responses=_ERRORS)
def approve(
    organisation_id: OrganisationId, _user: NationalUser, session: SessionDep,
    background_tasks: BackgroundTasks,
) -> OrganisationPublic:
    """Approve a pending organisation: its qualifying rounds count from now on (rule 15).
    Its leads are told by email."""
    decision = approve_organisation(session=session, organisation_id=organisation_id)
    send_decision(background_tasks, decision)
    return OrganisationPublic.of(decision.organisation)


@router.post("/{organisation_id}/reject", response_model=OrganisationPublic,
             responses={**_ERRORS, 422: {"model": ErrorDetail, "description": "No reason"}})
def reject(
    organisation_id: OrganisationId, body: Rejection, _user: NationalUser, session: SessionDep,
    background_tasks: BackgroundTasks,
) -> OrganisationPublic:
    """Reject a pending organisation with a reason, which is emailed to its leads. Its rounds
    never count in participation, benchmarks or national results."""
    decision = reject_organisation(session=session, organisation_id=organisation_id,
                                   reason=body.reason)
    send_decision(background_tasks, decision)
    return OrganisationPublic.of(decision.organisation)
