"""HTML routes for passwords: forgotten password, the emailed reset link, changing a password."""

from typing import Annotated

from fastapi import BackgroundTasks, Path, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import SESSION_COOKIE, CurrentUser, ShowsPageUser
from app.accounts.messages import send_password_reset
from app.accounts.passwords import (
    TokenPurpose,
    change_password,
    check_link,
    request_password_reset,
    set_password_by_link,
)
from app.accounts.schemas import ChangePasswordForm, EmailForm, SetPasswordForm
from app.audit.models import AuditAction
from app.audit.service import record_event
from app.core.forms import read_form
from app.core.routing import FormDep, page_router, redirect
from app.core.templating import render
from app.db import SessionDep
from app.errors import Invalid

router = page_router(ShowsPageUser)

LinkToken = Annotated[str, Path(max_length=100)]
RESET_INTRO = "Choose a new password. Everywhere this account is signed in will be signed out."


@router.get("/forgot-password", response_class=HTMLResponse)
def forgot_password_page(request: Request) -> HTMLResponse:
    return render(request, "accounts/forgot_password.html", {"values": {}, "errors": {}})


@router.post("/forgot-password", response_class=HTMLResponse)
def forgot_password(request: Request, session: SessionDep, data: FormDep,
                    background_tasks: BackgroundTasks) -> Response:
    form, errors, values = read_form(data, EmailForm)
    if form is None:
        return render(request, "accounts/forgot_password.html",
                      {"values": values, "errors": errors}, status_code=422)
    emailed = request_password_reset(session=session, email=form.email)
    if emailed is not None:
        send_password_reset(background_tasks, emailed)
    return redirect("/forgot-password/sent")


@router.get("/forgot-password/sent", response_class=HTMLResponse)
def check_email(request: Request) -> HTMLResponse:
    return render(request, "accounts/check_email.html")


def _reset_page(request: Request, token: str, email: str, errors: dict[str, str],
                status_code: int = 200) -> HTMLResponse:
    return render(request, "accounts/set_password.html", {
        "errors": errors, "action": f"/reset-password/{token}", "heading": "Reset your password",
        "intro": RESET_INTRO, "email": email}, status_code=status_code)


@router.get("/reset-password/{token}", response_class=HTMLResponse)
def reset_password_page(request: Request, token: LinkToken, session: SessionDep) -> HTMLResponse:
    user = check_link(session=session, token=token, purpose=TokenPurpose.RESET)
    return _reset_page(request, token, user.email, {})


@router.post("/reset-password/{token}", response_class=HTMLResponse)
def reset_password(request: Request, token: LinkToken, session: SessionDep,
                   data: FormDep) -> Response:
    user = check_link(session=session, token=token, purpose=TokenPurpose.RESET)
    form, errors, _ = read_form(data, SetPasswordForm)
    if form is None:
        return _reset_page(request, token, user.email, errors, status_code=422)
    user = set_password_by_link(session=session, token=token, purpose=TokenPurpose.RESET,
                                password=form.password)
    record_event(session=session, actor=user, action=AuditAction.PASSWORD_RESET,
                 organisation_id=user.organisation_id)
    return redirect("/password-changed")


@router.get("/password-changed", response_class=HTMLResponse)
def password_changed(request: Request) -> HTMLResponse:
    user = request.state.user
    home = "/national" if user is not None and user.is_national else "/dashboard"
    return render(request, "accounts/password_changed.html",
                  {"signed_in": user is not None, "home": home})


@router.get("/account/password", response_class=HTMLResponse)
def change_password_page(request: Request, _user: CurrentUser) -> HTMLResponse:
    return render(request, "accounts/change_password.html", {"errors": {}})


@router.post("/account/password", response_class=HTMLResponse)
def change_password_submit(request: Request, user: CurrentUser, session: SessionDep,
                           data: FormDep) -> Response:
    form, errors, _ = read_form(data, ChangePasswordForm)
    if form is not None:
        try:
            change_password(session=session, user=user, current_password=form.current_password,
                            new_password=form.new_password,
                            keep_token=request.cookies.get(SESSION_COOKIE, ""))
        except Invalid as error:
            errors = {error.field or "current_password": error.message}
    if errors:
        return render(request, "accounts/change_password.html", {"errors": errors},
                      status_code=422)
    record_event(session=session, actor=user, action=AuditAction.PASSWORD_CHANGED,
                 organisation_id=user.organisation_id)
    return redirect("/password-changed")
