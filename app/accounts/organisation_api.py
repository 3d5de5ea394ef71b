"""JSON routes of an employer's own organisation: its details, its people, invitations."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Request, status
from fastapi.responses import Response

from app.accounts.approval import lead_emails
from app.accounts.colleagues import (
    change_role,
    invite_colleague,
    list_colleagues,
    remove_colleague,
)
from app.accounts.deps import EmployerUser, MemberUser
from app.accounts.messages import send_invitation, send_join_request
from app.accounts.organisations import request_to_join, update_organisation
from app.accounts.passwords import TokenPurpose, set_password_by_link
from app.accounts.schemas import (
    ColleagueInvite,
    ColleaguePublic,
    ErrorDetail,
    JoinRequest,
    OrganisationChanges,
    OrganisationPublic,
    PasswordSet,
    RoleChange,
)
from app.accounts.service import get_organisation
from app.audit.models import AuditAction
from app.audit.schemas import AuditEventPublic
from app.audit.service import list_events, record_event
from app.core.routing import client_address
from app.db import SessionDep

router = APIRouter(tags=["organisation"])

MAX_ID = 2**31 - 1
UserId = Annotated[int, Path(description="The colleague's id", ge=1, le=MAX_ID)]
LinkToken = Annotated[str, Path(description="The token at the end of the emailed link",
                                max_length=100)]
_SIGNED_IN = {401: {"model": ErrorDetail, "description": "Not signed in"}}
_LEADS = {**_SIGNED_IN, 403: {"model": ErrorDetail, "description": "Only a lead can do this"}}


@router.get("/organisation", response_model=OrganisationPublic,
            responses={**_SIGNED_IN, 403: {"model": ErrorDetail,
                                           "description": "Not an employer account"}})
def read_organisation(user: MemberUser, session: SessionDep) -> OrganisationPublic:
    """Your organisation's details and approval status (rule 15)."""
    return OrganisationPublic.of(get_organisation(session=session,
                                                  organisation_id=user.organisation_id))


@router.patch("/organisation", response_model=OrganisationPublic,
              responses={**_LEADS,
                         409: {"model": ErrorDetail,
                               "description": "Another organisation has this name: `join_url`"},
                         422: {"model": ErrorDetail, "description": "A value is not valid"}})
def change_organisation(body: OrganisationChanges, user: EmployerUser,
                        session: SessionDep) -> OrganisationPublic:
    """Change your organisation's details. Rounds already opened keep the region, partnership
    and type they recorded; new values count from the next round that opens."""
    organisation = get_organisation(session=session, organisation_id=user.organisation_id)
    changed = update_organisation(session=session, organisation_id=organisation.id,
                                  **body.applied_to(organisation))
    record_event(session=session, actor=user, action=AuditAction.DETAILS_CHANGED,
                 organisation_id=organisation.id,
                 subject=", ".join(sorted(body.model_dump(exclude_unset=True))))
    return OrganisationPublic.of(changed)


@router.post("/organisations/{organisation_id}/join-requests",
             status_code=status.HTTP_202_ACCEPTED,
             responses={404: {"model": ErrorDetail, "description": "No such organisation"},
                        429: {"model": ErrorDetail, "description": "Too many requests"}})
def ask_to_join(organisation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: JoinRequest,
                request: Request, session: SessionDep,
                background_tasks: BackgroundTasks) -> Response:
    """Ask an organisation's leads to invite you (when registering it again was refused as a
    duplicate: its `join_url`). They are emailed your address; nothing else happens."""
    organisation = request_to_join(session=session, organisation_id=organisation_id,
                                   address=client_address(request))
    send_join_request(background_tasks, requester=body.email, organisation=organisation.name,
                      lead_emails=lead_emails(session=session, organisation_id=organisation.id))
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.get("/organisation/audit-log", response_model=list[AuditEventPublic], responses=_LEADS)
def read_audit_log(user: EmployerUser, session: SessionDep) -> list[AuditEventPublic]:
    """Your organisation's account and round actions, newest first (the latest 500)."""
    return [AuditEventPublic.of(e) for e in list_events(session=session,
                                                         organisation_id=user.organisation_id)]


@router.get("/organisation/users", response_model=list[ColleaguePublic], responses=_LEADS)
def read_colleagues(user: EmployerUser, session: SessionDep) -> list[ColleaguePublic]:
    """Everyone of your organisation, leads and viewers, invited or signed up."""
    return [ColleaguePublic.of(colleague) for colleague in
            list_colleagues(session=session, organisation_id=user.organisation_id)]


@router.post("/organisation/users", status_code=status.HTTP_201_CREATED,
             response_model=ColleaguePublic,
             responses={**_LEADS, 409: {"model": ErrorDetail,
                                        "description": "The address already has an account"}})
def invite(body: ColleagueInvite, user: EmployerUser, session: SessionDep,
           background_tasks: BackgroundTasks) -> ColleaguePublic:
    """Invite a colleague as a lead or a viewer: they get an email with a link to
    `/invitations/{token}` to set a password (single use, 7 days)."""
    invitation = invite_colleague(session=session, organisation_id=user.organisation_id,
                                  email=body.email, role=body.role)
    organisation = get_organisation(session=session, organisation_id=user.organisation_id)
    send_invitation(background_tasks, invitation.link, inviter=user.email,
                    joining=f"join {organisation.name}", role=body.role)
    record_event(session=session, actor=user, action=AuditAction.INVITED,
                 organisation_id=organisation.id, subject=f"{body.email} as a {body.role}")
    return ColleaguePublic.of(invitation.user)


@router.patch("/organisation/users/{user_id}", response_model=ColleaguePublic,
              responses={**_LEADS, 404: {"model": ErrorDetail, "description": "No such colleague"},
                         409: {"model": ErrorDetail, "description": "The last lead"}})
def update_role(user_id: UserId, body: RoleChange, user: EmployerUser,
                session: SessionDep) -> ColleaguePublic:
    """Make a colleague a lead or a viewer. The last lead stays a lead (409)."""
    colleague = change_role(session=session, organisation_id=user.organisation_id,
                            user_id=user_id, role=body.role)
    record_event(session=session, actor=user, action=AuditAction.ROLE_CHANGED,
                 organisation_id=user.organisation_id, subject=f"{colleague.email} to {body.role}")
    return ColleaguePublic.of(colleague)


@router.delete("/organisation/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses={**_LEADS, 404: {"model": ErrorDetail, "description": "No such colleague"},
                          409: {"model": ErrorDetail, "description": "The last lead"}})
def remove(user_id: UserId, user: EmployerUser, session: SessionDep) -> Response:
    """Remove a colleague's account. The last lead cannot be removed (409)."""
    removed = remove_colleague(session=session, organisation_id=user.organisation_id,
                               user_id=user_id)
    record_event(session=session, actor=user, action=AuditAction.REMOVED,
                 organisation_id=user.organisation_id, subject=removed.email)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/invitations/{token}", status_code=status.HTTP_204_NO_CONTENT,
             responses={404: {"model": ErrorDetail, "description": "Unknown, used or expired"},
                        422: {"model": ErrorDetail, "description": "Password too short"}})
def accept_invitation(token: LinkToken, body: PasswordSet, session: SessionDep) -> Response:
    """Accept an invitation by setting a password; then sign in as usual."""
    user = set_password_by_link(session=session, token=token, purpose=TokenPurpose.INVITATION,
                                password=body.password)
    record_event(session=session, actor=user, action=AuditAction.INVITATION_ACCEPTED,
                 organisation_id=user.organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
