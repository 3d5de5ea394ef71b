"""JSON routes for passwords: ask for a reset link, use it, change a password."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, status
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, bearer_token
from app.accounts.messages import send_password_reset
from app.accounts.passwords import (
    TokenPurpose,
    change_password,
    request_password_reset,
    set_password_by_link,
)
from app.accounts.schemas import ErrorDetail, PasswordChange, PasswordResetRequest, PasswordSet
from app.audit.models import AuditAction
from app.audit.service import record_event
from app.db import SessionDep

router = APIRouter(prefix="/auth", tags=["accounts"])

LinkToken = Annotated[str, Path(description="The token at the end of the emailed link",
                                max_length=100)]


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED,
             responses={422: {"model": ErrorDetail, "description": "Not an email address"}})
def ask_for_a_reset(
    body: PasswordResetRequest, session: SessionDep, background_tasks: BackgroundTasks
) -> Response:
    """Email a link to `/reset-password/{token}` (single use, 1 hour) if the address has an
    account. The answer is the same whether or not it has: 202 and no body."""
    emailed = request_password_reset(session=session, email=body.email)
    if emailed is not None:
        send_password_reset(background_tasks, emailed)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/password-reset/{token}", status_code=status.HTTP_204_NO_CONTENT,
             responses={404: {"model": ErrorDetail, "description": "Unknown, used or expired"},
                        422: {"model": ErrorDetail, "description": "Password too short"}})
def reset(token: LinkToken, body: PasswordSet, session: SessionDep) -> Response:
    """Set a new password with an emailed link; every session and token of the user ends."""
    user = set_password_by_link(session=session, token=token, purpose=TokenPurpose.RESET,
                                password=body.password)
    record_event(session=session, actor=user, action=AuditAction.PASSWORD_RESET,
                 organisation_id=user.organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT,
             responses={401: {"model": ErrorDetail, "description": "Not signed in"},
                        422: {"model": ErrorDetail,
                              "description": "Wrong current password, or new one too short"}})
def change(
    body: PasswordChange, user: CurrentUser, session: SessionDep,
    token: Annotated[str | None, Depends(bearer_token)],
) -> Response:
    """Change your password. Every other session and token ends; this token keeps working."""
    change_password(session=session, user=user, current_password=body.current_password,
                    new_password=body.new_password, keep_token=token or "")
    record_event(session=session, actor=user, action=AuditAction.PASSWORD_CHANGED,
                 organisation_id=user.organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
