"""JSON routes of the accounts domain: register an organisation, get a bearer token."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts.schemas import ErrorDetail, Registration, RegistrationPublic, Token
from app.accounts.service import ACCESS_TOKEN, issue_token, register_organisation, sign_in
from app.core.routing import client_address
from app.db import SessionDep

router = APIRouter(prefix="/auth", tags=["accounts"])

WRONG_DETAILS = "Incorrect email address or password"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationPublic,
    responses={
        409: {"model": ErrorDetail, "description": "An account with this email already exists"},
        422: {"model": ErrorDetail, "description": "A field is missing or not valid"},
        429: {"model": ErrorDetail, "description": "Too many registrations from one address"},
    },
)
def register(body: Registration, session: SessionDep, request: Request) -> RegistrationPublic:
    """Register an organisation with its first employer account."""
    organisation, user = register_organisation(
        session=session, **body.organisation.model_dump(), email=body.email,
        password=body.password, address=client_address(request),
    )
    return RegistrationPublic(organisation_id=organisation.id, user_id=user.id)


@router.post(
    "/token",
    response_model=Token,
    responses={
        401: {"model": ErrorDetail, "description": WRONG_DETAILS},
        429: {"model": ErrorDetail, "description": "Too many attempts; see Retry-After"},
    },
)
def create_access_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
) -> Token:
    """Exchange an email address (`username`) and password for a short-lived bearer token."""
    user = sign_in(session=session, email=form.username, password=form.password,
                   address=client_address(request))
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=WRONG_DETAILS,
            headers={"WWW-Authenticate": "Bearer"},
        )
    issued = issue_token(user=user, kind=ACCESS_TOKEN)
    return Token(access_token=issued.token, expires_in=issued.expires_in)
