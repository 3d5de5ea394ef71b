"""HTML routes of the accounts domain: register, sign in, sign out."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import SESSION_COOKIE, OptionalUser, ShowsPageUser
from app.accounts.models import User
from app.accounts.schemas import NO_PARTNERSHIP, RegisterForm, SignInForm
from app.accounts.service import (
    SESSION_TOKEN,
    TooManySignIns,
    end_sessions,
    issue_token,
    register_organisation,
    sign_in,
)
from app.audit.models import AuditAction
from app.audit.service import record_event
from app.config import get_settings
from app.core.csrf import rotate_csrf_token
from app.core.forms import read_form
from app.core.routing import FormDep, client_address, page_router, redirect
from app.core.templating import render
from app.db import SessionDep
from app.errors import DomainError
from app.partnerships.service import list_partnerships
from app.statements.reference import get_reference

router = page_router(ShowsPageUser)

WRONG_DETAILS = "The email address or password you entered is not right"


def home_for(user: User) -> str:
    return "/national" if user.is_national else "/dashboard"


def safe_next(value: Any) -> str | None:
    """A path on this service to return to after signing in; never another site."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 32 for c in value):
        return None
    return value


def start_session(response: Response, user: User) -> Response:
    """Put a session token in an HttpOnly, SameSite=Lax cookie (Secure in production)."""
    issued = issue_token(user=user, kind=SESSION_TOKEN)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=issued.expires_in,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().environment == "production",
    )
    rotate_csrf_token(response)
    return response


def _items(list_name: str) -> list[dict[str, str]]:
    return [{"value": item.key, "text": item.label} for item in getattr(get_reference(), list_name)]


def organisation_choices() -> dict[str, list[dict[str, str]]]:
    """The choices of the organisation's fields (accounts/_organisation_fields.html)."""
    partnerships = [{"value": NO_PARTNERSHIP, "text": "Not in a Teaching Partnership"}]
    partnerships += [{"value": p.key, "text": p.name}
                     for p in list_partnerships(include_retired=False)]
    return {
        "employer_types": _items("employer_types"),
        "regions": _items("regions"),
        "teaching_partnerships": partnerships,
        "programmes": _items("programmes"),
    }


def _register_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status_code: int = 200,
    context: dict[str, Any] | None = None,
) -> HTMLResponse:
    page = {
        "values": {**values, "password": ""},  # never send a password back
        "errors": errors,
        **organisation_choices(),
        "join_url": None, "existing": None, **(context or {}),
    }
    return render(request, "accounts/register.html", page, status_code=status_code)


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return redirect(home_for(user))
    return _register_page(request, {"programmes": []}, {})


@router.post("/register", response_class=HTMLResponse)
def register(request: Request, session: SessionDep, data: FormDep) -> Response:
    form, errors, values = read_form(data, RegisterForm, lists=("programmes",))
    if form is None:
        return _register_page(request, values, errors, status_code=422)
    try:
        _, user = register_organisation(session=session, **form.model_dump(),
                                        address=client_address(request))
    except DomainError as error:
        return _register_page(
            request, values, {error.field or "email": error.message}, status_code=error.status,
            context=error.context,
        )
    return start_session(redirect("/dashboard?registered=yes"), user)


def _sign_in_page(
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    next_url: str | None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {"values": {**values, "password": ""}, "errors": errors, "next_url": next_url}
    return render(request, "accounts/sign_in.html", context, status_code=status_code,
                  headers=headers)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    next_url = safe_next(next)
    if user is not None:
        return redirect(next_url or home_for(user))
    return _sign_in_page(request, values={}, errors={}, next_url=next_url)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(request: Request, session: SessionDep, data: FormDep) -> Response:
    next_url = safe_next(data.get("next"))
    form, errors, values = read_form(data, SignInForm)
    errors = errors or form.problems()
    if errors:
        return _sign_in_page(request, values=values, errors=errors, next_url=next_url,
                             status_code=422)
    try:
        user = sign_in(session=session, email=form.email, password=form.password,
                       address=client_address(request))
    except TooManySignIns as error:
        minutes = max(1, -(-error.retry_after // 60))
        message = (
            "You have tried to sign in too many times. "
            f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."
        )
        return _sign_in_page(request, values=values, errors={"email": message},
                             next_url=next_url, status_code=429,
                             headers={"Retry-After": str(error.retry_after)})
    if user is None:
        return _sign_in_page(request, values=values, errors={"email": WRONG_DETAILS},
                             next_url=next_url, status_code=401)
    record_event(session=session, actor=user, action=AuditAction.SIGNED_IN,
                 organisation_id=user.organisation_id)
    return start_session(redirect(next_url or home_for(user)), user)


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep) -> Response:
    user = getattr(request.state, "user", None)
    if user is not None:
        end_sessions(session=session, user_id=user.id)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=get_settings().environment == "production")
    return response
