"""National pages to manage the Teaching Partnerships: the list with a form to add one, and
each one's page to rename, retire or bring it back. No JavaScript; errors in a summary."""

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import NationalUser, ShowsPageUser
from app.core.routing import FormDep, page_router, redirect
from app.core.templating import render
from app.db import SessionDep
from app.errors import DomainError
from app.national.partnerships import add_and_record, change_and_record
from app.partnerships.models import MAX_KEY_LENGTH
from app.partnerships.service import get_partnership, list_partnerships

router = page_router(ShowsPageUser)

Key = Annotated[str, Path(max_length=MAX_KEY_LENGTH)]
LIST = "/national/teaching-partnerships"


def _typed_name(data) -> str:
    value = data.get("name", "")
    return value if isinstance(value, str) else ""


def _list_page(request: Request, session: SessionDep, name: str = "",
               errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "national/partnerships.html", {
        "partnerships": list_partnerships(session=session), "values": {"name": name},
        "errors": errors or {}}, status_code=status_code)


def _partnership_page(request: Request, session: SessionDep, key: str, name: str | None = None,
                      errors: dict[str, str] | None = None,
                      status_code: int = 200) -> HTMLResponse:
    partnership = get_partnership(session=session, key=key)
    return render(request, "national/partnership.html", {
        "partnership": partnership, "values": {"name": partnership.name if name is None else name},
        "errors": errors or {}}, status_code=status_code)


@router.get(LIST, response_class=HTMLResponse)
def partnerships_page(request: Request, _user: NationalUser,
                      session: SessionDep) -> HTMLResponse:
    return _list_page(request, session)


@router.post(LIST, response_class=HTMLResponse)
def add(request: Request, user: NationalUser, session: SessionDep, data: FormDep) -> Response:
    name = _typed_name(data)
    try:
        add_and_record(session=session, actor=user, name=name)
    except DomainError as error:
        return _list_page(request, session, name, {error.field or "name": error.message},
                          status_code=error.status)
    return redirect(LIST)


@router.get(LIST + "/{key}", response_class=HTMLResponse)
def partnership_page(request: Request, _user: NationalUser, session: SessionDep,
                     key: Key) -> HTMLResponse:
    return _partnership_page(request, session, key)


@router.post(LIST + "/{key}", response_class=HTMLResponse)
def rename(request: Request, user: NationalUser, session: SessionDep, data: FormDep,
           key: Key) -> Response:
    name = _typed_name(data)
    try:
        change_and_record(session=session, actor=user, key=key, name=name)
    except DomainError as error:
        if error.field is None:
            raise
        return _partnership_page(request, session, key, name, {error.field: error.message},
                                 status_code=error.status)
    return redirect(LIST)


@router.post(LIST + "/{key}/retire", response_class=HTMLResponse)
def retire(user: NationalUser, session: SessionDep, key: Key) -> Response:
    change_and_record(session=session, actor=user, key=key, retired=True)
    return redirect(LIST)


@router.post(LIST + "/{key}/restore", response_class=HTMLResponse)
def restore(user: NationalUser, session: SessionDep, key: Key) -> Response:
    change_and_record(session=session, actor=user, key=key, retired=False)
    return redirect(LIST)
