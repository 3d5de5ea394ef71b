"""JSON of the Teaching Partnerships list for the national team: list, add, rename, retire."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from app.accounts.deps import NationalUser
from app.accounts.schemas import ErrorDetail
from app.db import SessionDep
from app.national.partnerships import (
    PartnershipChange,
    PartnershipCreate,
    PartnershipPublic,
    add_and_record,
    change_and_record,
)
from app.partnerships.models import MAX_KEY_LENGTH
from app.partnerships.service import list_partnerships

router = APIRouter(prefix="/national/teaching-partnerships", tags=["national"])

Key = Annotated[str, Path(description="The partnership's key", max_length=MAX_KEY_LENGTH)]
_ERRORS = {
    401: {"model": ErrorDetail, "description": "Not signed in"},
    403: {"model": ErrorDetail, "description": "Only a national account can do this"},
}
_CHANGE_ERRORS = {
    **_ERRORS,
    409: {"model": ErrorDetail, "description": "Another partnership has this name"},
    422: {"model": ErrorDetail, "description": "An empty or unusable name"},
}


@router.get("", response_model=list[PartnershipPublic], responses=_ERRORS)
def read_partnerships(_user: NationalUser, session: SessionDep) -> list[PartnershipPublic]:
    """Every partnership, retired ones included, in the order they were added."""
    return [PartnershipPublic.of(p) for p in list_partnerships(session=session)]


@router.post("", response_model=PartnershipPublic, status_code=status.HTTP_201_CREATED,
             responses=_CHANGE_ERRORS)
def create_partnership(body: PartnershipCreate, user: NationalUser,
                       session: SessionDep) -> PartnershipPublic:
    """Add a partnership organisations can choose from now on."""
    return PartnershipPublic.of(add_and_record(session=session, actor=user, name=body.name))


@router.patch("/{key}", response_model=PartnershipPublic, responses={
    **_CHANGE_ERRORS, 404: {"model": ErrorDetail, "description": "No partnership with this key"}})
def update_partnership(key: Key, body: PartnershipChange, user: NationalUser,
                       session: SessionDep) -> PartnershipPublic:
    """Rename (the new name shows everywhere, past rounds included), retire or bring back."""
    return PartnershipPublic.of(change_and_record(session=session, actor=user, key=key,
                                                  name=body.name, retired=body.retired))
