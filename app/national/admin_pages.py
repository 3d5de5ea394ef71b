"""National administration pages: organisations (filters, search, each one's rounds), the
approval queue with approve and reject, the year's completion list, and national users."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import BackgroundTasks, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, field_validator

from app.accounts.approval import approve_organisation, reject_organisation
from app.accounts.colleagues import invite_national_user
from app.accounts.deps import NationalUser, ShowsPageUser
from app.accounts.messages import send_decision, send_invitation
from app.accounts.organisation_pages import labels
from app.accounts.schemas import NationalInviteForm
from app.accounts.service import get_organisation
from app.audit.models import AuditAction
from app.audit.schemas import AuditEventPublic
from app.audit.service import list_events, record_event
from app.core.forms import read_form
from app.core.routing import FormDep, page_router, redirect
from app.core.templating import render
from app.db import SessionDep
from app.errors import DomainError, NotFound
from app.lifecycle.years import academic_year_of
from app.national.admin import (
    ROUND_STATUS_FILTERS,
    OrganisationFilters,
    list_organisations,
    national_users,
    organisation_names,
    pending_organisations,
)
from app.national.admin_exports import completion_csv
from app.national.admin_schemas import NationalUserPublic, OrganisationsQuery
from app.national.service import list_years
from app.partnerships.service import list_partnerships
from app.statements.reference import get_reference

router = page_router(ShowsPageUser)

MAX_ID = 2**31 - 1
OrganisationId = Annotated[int, Path(ge=1, le=MAX_ID)]
ROUND_STATUS_LABELS = {"none": "No round", "draft": "Draft", "open": "Open", "closed": "Closed",
                       "qualifying": "Closed and qualifying",
                       "warnings": "With warnings"}
STATUS_LABELS = {"pending": "Pending", "approved": "Approved", "rejected": "Rejected"}
FILTERS = ("year", "region", "teaching_partnership", "employer_type", "status", "round_status",
           "q")


class OrganisationsForm(BaseModel):
    """The organisations page's GET form; an empty choice means "any"."""

    year: str | None = None
    region: str | None = None
    teaching_partnership: str | None = None
    employer_type: str | None = None
    status: str | None = None
    round_status: str | None = None
    q: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def empty_is_none(cls, value):
        return value or None


def _choices(name: str, items: list[tuple[str, str]], chosen: str | None,
             any_text: str = "Any") -> list[dict]:
    return [{"value": "", "text": any_text, "selected": not chosen},
            *({"value": key, "text": text, "selected": key == chosen} for key, text in items)]


def _reference_items(list_name: str) -> list[tuple[str, str]]:
    return [(item.key, item.label) for item in getattr(get_reference(), list_name)]


@router.get("/national/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, _user: NationalUser, session: SessionDep,
                       form: Annotated[OrganisationsForm, Query()]) -> HTMLResponse:
    values = form.model_dump()
    this_year = academic_year_of(date.today())
    values["year"] = values["year"] or this_year
    refused = OrganisationsQuery.problems(**values)
    errors = {name: "Select a value from the list" if name != "q" else message
              for name, message in refused.items()}
    for name in refused:
        values[name] = None if name != "year" else this_year
    query = OrganisationsQuery(**values)
    lines = list_organisations(session=session, filters=query.filters(), rounds_of_year_only=True)
    years = sorted({this_year, *list_years(session=session)}, reverse=True)
    choices = {
        "year": [{"value": y, "text": y, "selected": y == query.year} for y in years],
        "region": _choices("region", _reference_items("regions"), query.region),
        "teaching_partnership": _choices("teaching_partnership",
                                         [(p.key, f"{p.name} (retired)" if p.retired else p.name)
                                          for p in list_partnerships(session=session)],
                                         query.teaching_partnership),
        "employer_type": _choices("employer_type", _reference_items("employer_types"),
                                  query.employer_type),
        "status": _choices("status", list(STATUS_LABELS.items()), query.status),
        "round_status": _choices("round_status",
                                 [(k, ROUND_STATUS_LABELS[k]) for k in ROUND_STATUS_FILTERS],
                                 query.round_status),
    }
    chosen = {name: value for name, value in query.model_dump().items() if value}
    return render(request, "national/organisations.html", {
        "errors": errors, "choices": choices, "query": query, "lines": lines,
        "labels": labels(), "round_labels": ROUND_STATUS_LABELS, "status_labels": STATUS_LABELS,
        "csv_url": "/national/organisations.csv?" + urlencode(chosen)})


@router.get("/national/organisations.csv", response_class=Response)
def completion_list(_user: NationalUser, session: SessionDep,
                    form: Annotated[OrganisationsForm, Query()]) -> Response:
    values = form.model_dump()
    query = OrganisationsQuery.checked(**{**values,
                                          "year": values["year"] or academic_year_of(date.today())})
    lines = list_organisations(session=session, filters=query.filters(), rounds_of_year_only=True)
    return Response(completion_csv(lines, year=query.year), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="asye360-completion-{query.year}.csv"'})


def _organisation_page(request: Request, session: SessionDep, organisation_id: int,
                       errors: dict[str, str] | None = None, reason: str = "",
                       status_code: int = 200, template: str = "national/organisation.html"):
    organisation = get_organisation(session=session, organisation_id=organisation_id)
    if organisation is None:
        raise NotFound("No organisation with this id")
    [line] = list_organisations(session=session, filters=OrganisationFilters(
        year=academic_year_of(date.today()), organisation_id=organisation_id))
    years: dict[str, list] = {}
    for round_ in line.rounds:
        years.setdefault(round_.year, []).append(round_)
    return render(request, template, {
        "organisation": organisation, "years": years, "labels": labels(),
        "round_labels": ROUND_STATUS_LABELS, "status_labels": STATUS_LABELS,
        "errors": errors or {}, "reason": reason}, status_code=status_code)


@router.get("/national/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(request: Request, organisation_id: OrganisationId, _user: NationalUser,
                      session: SessionDep) -> HTMLResponse:
    return _organisation_page(request, session, organisation_id)


@router.post("/national/organisations/{organisation_id}/approve")
def approve(organisation_id: OrganisationId, user: NationalUser, session: SessionDep,
            background_tasks: BackgroundTasks) -> Response:
    decision = approve_organisation(session=session, organisation_id=organisation_id)
    send_decision(background_tasks, decision)
    record_event(session=session, actor=user, action=AuditAction.APPROVED,
                 organisation_id=organisation_id, subject=decision.organisation.name)
    return redirect("/national/approvals")


@router.get("/national/organisations/{organisation_id}/reject", response_class=HTMLResponse)
def reject_page(request: Request, organisation_id: OrganisationId, _user: NationalUser,
                session: SessionDep) -> HTMLResponse:
    return _organisation_page(request, session, organisation_id,
                              template="national/reject.html")


@router.post("/national/organisations/{organisation_id}/reject", response_class=HTMLResponse)
def reject(request: Request, organisation_id: OrganisationId, user: NationalUser,
           session: SessionDep, data: FormDep, background_tasks: BackgroundTasks) -> Response:
    reason = data.get("reason", "")
    reason = reason if isinstance(reason, str) else ""
    try:
        decision = reject_organisation(session=session, organisation_id=organisation_id,
                                       reason=reason)
    except DomainError as error:
        if error.status == 404:
            raise
        return _organisation_page(request, session, organisation_id,
                                  {error.field or "reason": error.message}, reason=reason,
                                  status_code=error.status, template="national/reject.html")
    send_decision(background_tasks, decision)
    record_event(session=session, actor=user, action=AuditAction.REJECTED,
                 organisation_id=organisation_id,
                 subject=f"{decision.organisation.name}: {decision.organisation.rejection_reason}")
    return redirect("/national/approvals")


@router.get("/national/audit-log", response_class=HTMLResponse)
def audit_log_page(request: Request, _user: NationalUser, session: SessionDep) -> HTMLResponse:
    events = list_events(session=session)
    return render(request, "audit/log.html", {
        "heading": "Audit log", "names": organisation_names(session=session),
        "events": [AuditEventPublic.of(e) for e in events]})


@router.get("/national/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, _user: NationalUser, session: SessionDep) -> HTMLResponse:
    return render(request, "national/approvals.html", {
        "organisations": pending_organisations(session=session), "labels": labels()})


def _users_page(request: Request, session: SessionDep, values: dict, errors: dict[str, str],
                status_code: int = 200) -> HTMLResponse:
    return render(request, "national/users.html", {
        "users": [NationalUserPublic.of(u) for u in national_users(session=session)],
        "values": values, "errors": errors}, status_code=status_code)


@router.get("/national/users", response_class=HTMLResponse)
def users_page(request: Request, _user: NationalUser, session: SessionDep) -> HTMLResponse:
    return _users_page(request, session, {"email": ""}, {})


@router.post("/national/users", response_class=HTMLResponse)
def invite(request: Request, user: NationalUser, session: SessionDep, data: FormDep,
           background_tasks: BackgroundTasks) -> Response:
    form, errors, values = read_form(data, NationalInviteForm)
    if form is None:
        return _users_page(request, session, values, errors, status_code=422)
    try:
        invitation = invite_national_user(session=session, email=form.email)
    except DomainError as error:
        return _users_page(request, session, values, {"email": error.message},
                           status_code=error.status)
    send_invitation(background_tasks, invitation.link, inviter=user.email,
                    joining="join the national team", role=None)
    record_event(session=session, actor=user, action=AuditAction.INVITED,
                 organisation_id=None, subject=f"{invitation.user.email} to the national team")
    return redirect("/national/users")

