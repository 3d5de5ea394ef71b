"""Who is asking: the signed-in user of a page (cookie) or of the API (bearer token).

Use these `Annotated` aliases as route parameters; their names are stable, other domains rely
on them:

    OptionalUser   User | None: whoever is signed in, or None.
    CurrentUser    User: anyone signed in. Otherwise 401 (JSON, with WWW-Authenticate: Bearer)
                   under /api/, or a redirect to /sign-in?next=… on a page.
    EmployerUser   User: an employer account (it always has an organisation_id). National → 403.
    NationalUser   User: a national account. Employer → 403.

Pages read the session cookie only and the API the bearer token only: a cookie never
authorises an API call, so the API needs no CSRF protection, and a token in a page request
is ignored.

Page routers add `ShowsPageUser` so the layout's navigation knows who is signed in, on every
page they serve, including pages that do not require anyone to be (it stores a `PageUser` copy
in `request.state.user`):

    router = page_router(ShowsPageUser)
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from app.accounts.models import User
from app.accounts.service import ACCESS_TOKEN, SESSION_TOKEN, user_for_token
from app.core.routing import is_api_request
from app.db import SessionDep
from app.vocabulary import Role

SESSION_COOKIE = "asye360_session"
TOKEN_URL = "/api/v1/auth/token"

# auto_error=False: a missing token is decided below (401 for the API, redirect for pages).
bearer_token = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def get_optional_user(
    request: Request,
    session: SessionDep,
    bearer: Annotated[str | None, Depends(bearer_token)],
) -> User | None:
    if is_api_request(request):
        token, kind = bearer, ACCESS_TOKEN
    else:
        token, kind = request.cookies.get(SESSION_COOKIE), SESSION_TOKEN
    if not token:
        return None
    return user_for_token(session=session, token=token, kind=kind)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


@dataclass(frozen=True)
class PageUser:
    """What a page knows of the signed-in user (`request.state.user`, `current_user` in
    templates): a plain copy, so an error page rendered after the request's database session
    has closed (or rolled back) can still read it."""

    id: int
    email: str
    role: str
    organisation_id: int | None

    @property
    def is_national(self) -> bool:
        return self.role == Role.NATIONAL


def set_page_user(request: Request, user: OptionalUser) -> None:
    """Page-router dependency: lets the layout show the signed-in user's navigation."""
    request.state.user = (
        None if user is None
        else PageUser(id=user.id, email=user.email, role=user.role,
                      organisation_id=user.organisation_id)
    )


ShowsPageUser = Depends(set_page_user)


def sign_in_url(request: Request) -> str:
    """/sign-in, remembering the page to come back to."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/sign-in?next={quote(here, safe='/')}"


def get_current_user(request: Request, user: OptionalUser) -> User:
    if user is not None:
        return user
    if is_api_request(request):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not signed in: send a bearer token from POST /api/v1/auth/token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    # Pages send people to sign in and then back (the error handler keeps the Location header).
    raise HTTPException(
        status_code=status.HTTP_303_SEE_OTHER,
        detail="Sign in to continue",
        headers={"Location": sign_in_url(request)},
    )


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_employer_user(user: CurrentUser) -> User:
    if user.role != Role.EMPLOYER or user.organisation_id is None:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="Only an employer account of the organisation can do this",
        )
    return user


EmployerUser = Annotated[User, Depends(get_employer_user)]


def get_national_user(user: CurrentUser) -> User:
    if not user.is_national:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="Only a national account can do this",
        )
    return user


NationalUser = Annotated[User, Depends(get_national_user)]
