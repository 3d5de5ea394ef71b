"""The national results page and its CSV download, for national users."""

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, field_validator

from app.accounts.deps import NationalUser, ShowsPageUser
from app.core.routing import page_router
from app.core.templating import render
from app.db import SessionDep
from app.national.exports import national_csv
from app.national.query import NationalQuery
from app.national.service import (
    build_national_results,
    default_programme,
    default_year,
    list_years,
)
from app.national.views import filter_choices, national_view

router = page_router(ShowsPageUser)

# Query field → (id of its select box, message), for a filter someone edited in the address bar.
FILTER_ERRORS = {
    "year": ("year", "Select a year from the list"),
    "programme": ("programme", "Select a programme from the list"),
    "group_by": ("group-by", "Select a breakdown from the list"),
    "statement_set": ("statement-set", "Select a statement set from the list"),
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


@router.get("/national", response_class=HTMLResponse)
def national_results_page(
    request: Request, _user: NationalUser, session: SessionDep,
    form: Annotated[NationalFilterForm, Query()],
) -> HTMLResponse:
    refused = NationalQuery.problems(**form.model_dump(exclude_none=True))
    # The defaults stand in for what was not chosen, or was not one of the page's own choices.
    programme = (None if "programme" in refused else form.programme) or default_programme(
        session=session)
    year = (None if "year" in refused else form.year) or default_year(
        session=session, programme=programme)
    group_by = None if "group_by" in refused else form.group_by
    errors = dict(FILTER_ERRORS[field] for field in FILTER_ERRORS if field in refused)
    results = None
    if not errors:
        query = NationalQuery(year=year, programme=programme, group_by=group_by,
                              statement_set=form.statement_set)
        results = build_national_results(session=session, query=query)
    choices = filter_choices(
        years=list_years(session=session), year=year, programme=programme, group_by=group_by,
        statement_sets=results.statement_sets if results else [],
        statement_set=results.statement_set if results else None,
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
    query = NationalQuery.checked(year=year, programme=programme, group_by=group_by or None,
                                  statement_set=statement_set or None)
    results = build_national_results(session=session, query=query)
    name = "-".join(filter(None, ("asye360-national", year, programme, group_by)))
    return Response(
        national_csv(results), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
