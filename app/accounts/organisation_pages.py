"""HTML routes of an employer's own organisation: its details, its people, invitations."""

from typing import Annotated

from fastapi import BackgroundTasks, Path, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.approval import lead_emails
from app.accounts.colleagues import (
    change_role,
    invite_colleague,
    list_colleagues,
    remove_colleague,
)
from app.accounts.deps import (
    SESSION_COOKIE,
    EmployerUser,
    MemberUser,
    ShowsPageUser,
)
from app.accounts.messages import send_invitation, send_join_request
from app.accounts.models import User
from app.accounts.organisations import request_to_join, update_organisation
from app.accounts.pages import organisation_choices, start_session
from app.accounts.passwords import TokenPurpose, check_link, set_password_by_link
from app.accounts.schemas import (
    NO_PARTNERSHIP,
    ColleaguePublic,
    EmailForm,
    InviteForm,
    OrganisationForm,
    OrganisationPublic,
    RoleChange,
    SetPasswordForm,
)
from app.accounts.service import get_organisation
from app.audit.models import AuditAction
from app.audit.schemas import AuditEventPublic
from app.audit.service import Who, list_events, record_event
from app.core.forms import read_form
from app.core.routing import FormDep, client_address, page_router, redirect
from app.core.templating import render
from app.db import SessionDep
from app.errors import DomainError, TooManyAttempts
from app.partnerships.service import partnership_labels
from app.statements.reference import get_reference

router = page_router(ShowsPageUser)

MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
LinkToken = Annotated[str, Path(max_length=100)]


def labels() -> dict[str, dict[str, str]]:
    """Reference list → key → label, for the pages that show an organisation's details."""
    reference = get_reference()
    return {**{name: {item.key: item.label for item in getattr(reference, name)}
               for name in ("employer_types", "regions", "programmes")},
            "teaching_partnerships": partnership_labels()}


@router.get("/organisation", response_class=HTMLResponse)
def organisation_page(request: Request, user: MemberUser, session: SessionDep) -> HTMLResponse:
    organisation = get_organisation(session=session, organisation_id=user.organisation_id)
    return render(request, "accounts/organisation.html", {
        "organisation": OrganisationPublic.of(organisation), "labels": labels(),
        "rejection_reason": organisation.rejection_reason or "", "can_change": user.is_lead})


def _edit_page(request: Request, values: dict, errors: dict[str, str],
               status_code: int = 200, context: dict | None = None) -> HTMLResponse:
    return render(request, "accounts/organisation_edit.html", {
        **organisation_choices(), "values": values, "errors": errors,
        "join_url": None, "existing": None, **(context or {})}, status_code=status_code)


@router.get("/organisation/edit", response_class=HTMLResponse)
def edit_page(request: Request, user: EmployerUser, session: SessionDep) -> HTMLResponse:
    organisation = get_organisation(session=session, organisation_id=user.organisation_id)
    values = OrganisationPublic.of(organisation).model_dump()
    values["teaching_partnership"] = values["teaching_partnership"] or NO_PARTNERSHIP
    return _edit_page(request, values, {})


@router.post("/organisation/edit", response_class=HTMLResponse)
def edit(request: Request, user: EmployerUser, session: SessionDep, data: FormDep) -> Response:
    form, errors, values = read_form(data, OrganisationForm, lists=("programmes",))
    if form is None:
        return _edit_page(request, values, errors, status_code=422)
    try:
        update_organisation(session=session, organisation_id=user.organisation_id,
                            **form.model_dump())
    except DomainError as error:
        return _edit_page(request, values, {error.field or "name": error.message},
                          status_code=error.status, context=error.context)
    record_event(session=session, actor=user, action=AuditAction.DETAILS_CHANGED,
                 organisation_id=user.organisation_id)
    return redirect("/organisation")


@router.get("/organisations/{organisation_id}/join", response_class=HTMLResponse)
def join_page(request: Request, organisation_id: Id, session: SessionDep) -> Response:
    organisation = get_organisation(session=session, organisation_id=organisation_id)
    if organisation is None:
        return render(request, "errors/404.html", status_code=404)
    return render(request, "accounts/join.html", {
        "organisation": organisation, "values": {"email": ""}, "errors": {}})


@router.post("/organisations/{organisation_id}/join", response_class=HTMLResponse)
def join(request: Request, organisation_id: Id, session: SessionDep, data: FormDep,
         background_tasks: BackgroundTasks) -> Response:
    organisation = get_organisation(session=session, organisation_id=organisation_id)
    if organisation is None:
        return render(request, "errors/404.html", status_code=404)
    form, errors, values = read_form(data, EmailForm)
    if form is not None:
        try:
            request_to_join(session=session, organisation_id=organisation_id,
                            address=client_address(request))
        except TooManyAttempts as error:
            errors = {"email": error.message}
            return render(request, "accounts/join.html", {
                "organisation": organisation, "values": values, "errors": errors},
                status_code=429, headers=error.headers)
    if errors:
        return render(request, "accounts/join.html", {
            "organisation": organisation, "values": values, "errors": errors}, status_code=422)
    send_join_request(background_tasks, requester=form.email, organisation=organisation.name,
                      lead_emails=lead_emails(session=session, organisation_id=organisation.id))
    return render(request, "accounts/join_sent.html", {"organisation": organisation})


@router.get("/organisation/audit-log", response_class=HTMLResponse)
def audit_log_page(request: Request, user: EmployerUser, session: SessionDep) -> HTMLResponse:
    events = list_events(session=session, organisation_id=user.organisation_id)
    return render(request, "audit/log.html", {
        "heading": "Your organisation's audit log", "names": {},
        "events": [AuditEventPublic.of(e) for e in events]})


def _colleagues_page(request: Request, user: User, session: SessionDep,
                     errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "accounts/colleagues.html", {
        "organisation": get_organisation(session=session, organisation_id=user.organisation_id),
        "colleagues": [ColleaguePublic.of(c) for c in
                       list_colleagues(session=session, organisation_id=user.organisation_id)],
        "me": user.id, "errors": errors or {}}, status_code=status_code)


@router.get("/organisation/users", response_class=HTMLResponse)
def colleagues_page(request: Request, user: EmployerUser, session: SessionDep) -> HTMLResponse:
    return _colleagues_page(request, user, session)


def _invite_page(request: Request, user: User, session: SessionDep, values: dict,
                 errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    return render(request, "accounts/invite.html", {
        "organisation": get_organisation(session=session, organisation_id=user.organisation_id),
        "values": values, "errors": errors}, status_code=status_code)


@router.get("/organisation/users/invite", response_class=HTMLResponse)
def invite_page(request: Request, user: EmployerUser, session: SessionDep) -> HTMLResponse:
    return _invite_page(request, user, session, {"email": "", "role": ""}, {})


@router.post("/organisation/users/invite", response_class=HTMLResponse)
def invite(request: Request, user: EmployerUser, session: SessionDep, data: FormDep,
           background_tasks: BackgroundTasks) -> Response:
    form, errors, values = read_form(data, InviteForm)
    if form is None:
        return _invite_page(request, user, session, values, errors, status_code=422)
    try:
        invitation = invite_colleague(session=session, organisation_id=user.organisation_id,
                                      email=form.email, role=form.role)
    except DomainError as error:
        return _invite_page(request, user, session, values,
                            {error.field or "email": error.message}, status_code=error.status)
    organisation = get_organisation(session=session, organisation_id=user.organisation_id)
    send_invitation(background_tasks, invitation.link, inviter=user.email,
                    joining=f"join {organisation.name}", role=form.role)
    record_event(session=session, actor=user, action=AuditAction.INVITED,
                 organisation_id=organisation.id, subject=f"{form.email} as a {form.role}")
    return redirect("/organisation/users")


def _colleague_page(request: Request, user: User, session: SessionDep, colleague_id: int,
                    errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    colleague = next((c for c in list_colleagues(session=session,
                                                 organisation_id=user.organisation_id)
                      if c.id == colleague_id), None)
    if colleague is None:
        return render(request, "errors/404.html", status_code=404)
    return render(request, "accounts/colleague.html", {
        "organisation": get_organisation(session=session, organisation_id=user.organisation_id),
        "colleague": ColleaguePublic.of(colleague), "me": user.id, "errors": errors or {}},
        status_code=status_code)


@router.get("/organisation/users/{user_id}", response_class=HTMLResponse)
def colleague_page(request: Request, user_id: Id, user: EmployerUser,
                   session: SessionDep) -> Response:
    return _colleague_page(request, user, session, user_id)


@router.post("/organisation/users/{user_id}/role", response_class=HTMLResponse)
def update_role(request: Request, user_id: Id, user: EmployerUser, session: SessionDep,
                data: FormDep) -> Response:
    form, errors, _ = read_form(data, RoleChange)
    if form is None:
        return _colleague_page(request, user, session, user_id, errors, status_code=422)
    try:
        colleague = change_role(session=session, organisation_id=user.organisation_id,
                                user_id=user_id, role=form.role)
    except DomainError as error:
        if error.status == 404:
            raise
        return _colleague_page(request, user, session, user_id, {"role": error.message},
                               status_code=error.status)
    record_event(session=session, actor=user, action=AuditAction.ROLE_CHANGED,
                 organisation_id=user.organisation_id, subject=f"{colleague.email} to {form.role}")
    return redirect("/organisation/users")


@router.post("/organisation/users/{user_id}/remove", response_class=HTMLResponse)
def remove(request: Request, user_id: Id, user: EmployerUser, session: SessionDep) -> Response:
    me, organisation_id, email = user.id, user.organisation_id, user.email
    try:
        removed = remove_colleague(session=session, organisation_id=organisation_id,
                                   user_id=user_id)
    except DomainError as error:
        if error.status == 404:
            raise
        return _colleague_page(request, user, session, user_id, {"role": error.message},
                               status_code=error.status)
    record_event(session=session, actor=Who(me, email), action=AuditAction.REMOVED,
                 organisation_id=organisation_id, subject=removed.email)
    if user_id == me:
        response = redirect("/")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    return redirect("/organisation/users")


# Accepting an invitation


def _accept_page(request: Request, token: str, email: str, errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
    return render(request, "accounts/set_password.html", {
        "errors": errors, "action": f"/invitations/{token}", "heading": "Set your password",
        "intro": "You have been invited to ASYE 360. Choose a password to finish setting up "
                 "your account.", "email": email}, status_code=status_code)


@router.get("/invitations/{token}", response_class=HTMLResponse)
def accept_page(request: Request, token: LinkToken, session: SessionDep) -> HTMLResponse:
    user = check_link(session=session, token=token, purpose=TokenPurpose.INVITATION)
    return _accept_page(request, token, user.email, {})


@router.post("/invitations/{token}", response_class=HTMLResponse)
def accept(request: Request, token: LinkToken, session: SessionDep, data: FormDep) -> Response:
    user = check_link(session=session, token=token, purpose=TokenPurpose.INVITATION)
    form, errors, _ = read_form(data, SetPasswordForm)
    if form is None:
        return _accept_page(request, token, user.email, errors, status_code=422)
    user = set_password_by_link(session=session, token=token, purpose=TokenPurpose.INVITATION,
                                password=form.password)
    record_event(session=session, actor=user, action=AuditAction.INVITATION_ACCEPTED,
                 organisation_id=user.organisation_id)
    return start_session(redirect("/national" if user.is_national else "/dashboard"), user)
