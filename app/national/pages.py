"""The national results page and its CSV download, for national users."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, field_validator

from app.accounts.deps import NationalUser, set_page_user
from app.csrf import csrf_protect
from app.db import SessionDep
from app.national.exports import national_csv
from app.national.service import (
    NationalQueryError,
    build_national_results,
    check_group_by,
    check_programme,
    check_year,
    default_programme,
    default_year,
    list_years,
)
from app.national.views import filter_choices, national_view
from app.templating import render

router = APIRouter(include_in_schema=False,
                   dependencies=[Depends(csrf_protect), Depends(set_page_user)])

# Field id → message, for a filter someone edited in the address bar.
FILTER_ERRORS = {
    "year": "Select a year from the list",
    "programme": "Select a programme from the list",
    "group-by": "Select a breakdown from the list",
    "statement-set": "Select a statement set from the list",
}


class NationalFilterForm(BaseModel):
    """The page's GET form; an empty choice means "the default"."""

    year: str | None = None
    programme: str | None = None
    group_by: str | None = None
    statement_set: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def empty_is_none(cls, value):
        return value or None


def _checked(form: NationalFilterForm) -> dict[str, str]:
    """Field id → error message for each choice that is not one of the page's own."""
    errors = {}
    for field_id, field, check in (("year", form.year, check_year),
                                   ("programme", form.programme, check_programme),
                                   ("group-by", form.group_by, check_group_by)):
        if field is not None:
            try:
                check(field)
            except NationalQueryError:
                errors[field_id] = FILTER_ERRORS[field_id]
    return errors


@router.get("/national", response_class=HTMLResponse)
def national_results_page(
    request: Request, _user: NationalUser, session: SessionDep,
    form: Annotated[NationalFilterForm, Query()],
) -> HTMLResponse:
    errors = _checked(form)
    programme = (None if "programme" in errors else form.programme) or default_programme(
        session=session)
    year = (None if "year" in errors else form.year) or default_year(
        session=session, programme=programme)
    group_by = None if "group-by" in errors else form.group_by
    results = None
    if not errors:
        try:
            results = build_national_results(session=session, year=year, programme=programme,
                                             group_by=group_by, statement_set=form.statement_set)
        except NationalQueryError:
            errors["statement-set"] = FILTER_ERRORS["statement-set"]
    choices = filter_choices(
        years=list_years(session=session), year=year, programme=programme, group_by=group_by,
        statement_sets=results["statement_sets"] if results else [],
        statement_set=results["statement_set"] if results else None,
    )
    context = {"errors": errors, "choices": choices, "year": year, "results": None}
    if results is not None:
        context |= national_view(results)
    return render(request, "national/results.html", context)


@router.get("/national/{year}.csv", response_class=Response)
def download_national_csv(
    _user: NationalUser, session: SessionDep, year: str, programme: str,
    group_by: str | None = None, statement_set: str | None = None,
) -> Response:
    try:
        results = build_national_results(session=session, year=year, programme=programme,
                                         group_by=group_by or None,
                                         statement_set=statement_set or None)
    except NationalQueryError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from error
    name = "-".join(filter(None, ("asye360-national", year, programme, group_by)))
    return Response(
        national_csv(results), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
