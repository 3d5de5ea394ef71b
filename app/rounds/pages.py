"""HTML routes of the rounds domain: dashboard, create, run, codes, close, self-assessment."""

import csv
import io
from datetime import timedelta
from itertools import groupby
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser, EmployerUser, ShowsPageUser
from app.accounts.service import get_organisation
from app.audit.models import AuditAction
from app.audit.service import codes_issued, deleted_round, record_round_event, round_changes
from app.core.forms import read_form
from app.core.routing import FormDep, page_router, redirect
from app.core.templating import render
from app.db import SessionDep
from app.errors import DomainError, NotFound
from app.lifecycle.closing import DEFAULT_OPEN_DAYS, uk_today
from app.lifecycle.deps import AccessibleRound, EmployerRound, LeadRound
from app.lifecycle.models import Round
from app.lifecycle.service import ensure_status
from app.lifecycle.years import academic_year_of
from app.rounds import action_plan, preview, self_assessment
from app.rounds.schemas import (
    CodesForm,
    ExpectedForm,
    RoundForm,
    date_values,
    read_date,
)
from app.rounds.service import (
    close_round,
    create_round,
    delete_round,
    describe_round,
    ensure_expected_changeable,
    list_rounds,
    open_round,
    update_round,
)
from app.rounds.sharing import OTHER_GUIDANCE, code_slips_pdf, poster_pdf, share_texts
from app.rounds.views import link_cards, round_title, round_view
from app.statements.loader import get_statement_sets
from app.statements.reference import get_reference
from app.survey.codes import issue_codes
from app.survey.links import survey_url
from app.vocabulary import ANONYMOUS_TYPES, RoundStatus

router = page_router(ShowsPageUser)


def _labels(list_name: str) -> dict[str, str]:
    return {item.key: item.label for item in getattr(get_reference(), list_name)}


SAVED_BANNERS = {
    "self-assessment": ("Your self-assessment has been saved",
                        "You can change it until the round closes."),
    "preview": ("You have seen the survey as respondents see it",
                "Nothing you entered in the preview was stored."),
}

# Dashboard


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, user: CurrentUser, session: SessionDep,
              registered: str | None = None) -> Response:
    if user.is_national:
        return redirect("/national")
    overviews = list_rounds(session=session, organisation_id=user.organisation_id)
    by_year = [(year, [(overview, round_title(overview)) for overview in rounds])
               for year, rounds in groupby(overviews, key=lambda overview: overview.round.year)]
    organisation = get_organisation(session=session, organisation_id=user.organisation_id)
    return render(request, "rounds/dashboard.html", {
        "organisation": organisation,
        "by_year": by_year,
        "programmes": _labels("programmes"),
        "just_registered": registered == "yes",
    })


# Create a round


def _new_round_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    programmes = _labels("programmes")
    sets = [
        {"value": s.key, "text": f"{s.title} ({', '.join(programmes[p] for p in s.programmes)})"}
        for s in sorted(get_statement_sets().values(), key=lambda s: (-s.year, s.key))
    ]
    return render(request, "rounds/new.html", {
        "values": values,
        "errors": errors,
        "programmes": [{"value": key, "text": label} for key, label in programmes.items()],
        "statement_sets": sets,
    }, status_code=status_code)


@router.get("/rounds/new", response_class=HTMLResponse)
def new_round_page(request: Request, user: EmployerUser) -> HTMLResponse:
    today = uk_today()
    defaults = {"year": academic_year_of(today), "statement_set": "",
                **date_values("closes_on", today + timedelta(days=DEFAULT_OPEN_DAYS))}
    return _new_round_page(request, defaults, {})


@router.post("/rounds/new", response_class=HTMLResponse)
def new_round(request: Request, user: EmployerUser, session: SessionDep, form: FormDep) -> Response:
    parsed, errors, values = read_form(form, RoundForm)
    closes_on, date_errors, typed = read_optional_date(form)
    values |= typed
    if parsed is None or date_errors:
        return _new_round_page(request, values, errors | date_errors, status_code=422)
    body = parsed.to_create(closes_on)
    try:
        round_ = create_round(
            session=session, organisation_id=user.organisation_id, programme=body.programme,
            year=body.year, statement_set=body.statement_set,
            expected=body.expected.model_dump(), closes_on=body.closes_on,
        )
    except DomainError as error:
        return _new_round_page(request, values, {error.field or "programme": error.message},
                               status_code=error.status)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_CREATED,
                       round_=round_)
    return redirect(f"/rounds/{round_.id}")


# Run the round


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(request: Request, round_: AccessibleRound, user: CurrentUser,
               session: SessionDep, saved: str | None = None) -> HTMLResponse:
    """`?saved=self-assessment` after saving it: a success banner says so."""
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/round.html", round_view(
        overview, can_change=user.is_lead, links=link_cards(overview),
        saved=SAVED_BANNERS.get(saved or "")))


def _edit_page(request: Request, round_: Round, session: SessionDep, values: dict[str, Any],
               errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/edit.html", round_view(overview, values=values, errors=errors),
                  status_code=status_code)


@router.get("/rounds/{round_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, round_: LeadRound, session: SessionDep) -> HTMLResponse:
    """Change the closing date (draft or open) and the expected numbers (draft)."""
    ensure_changeable(round_)
    values = {f"expected_{key}": str(number) for key, number in round_.expected.items()}
    return _edit_page(request, round_, session, values | date_values("closes_on", round_.closes_on),
                      {})


@router.post("/rounds/{round_id}/edit", response_class=HTMLResponse)
def edit(request: Request, round_: LeadRound, session: SessionDep, form: FormDep,
         user: CurrentUser) -> Response:
    ensure_changeable(round_)
    if any(name.startswith("expected_") for name in form):
        # A form opened while the round was a draft (or made up) is refused whole, with the
        # page that says why, rather than saving its date and dropping its numbers.
        ensure_expected_changeable(round_)
    expected, errors, values = None, {}, {}
    if round_.status == RoundStatus.DRAFT:
        parsed, errors, values = read_form(form, ExpectedForm)
        expected = parsed.to_expected().model_dump() if parsed else None
    if round_.status == RoundStatus.DRAFT:
        closes_on, date_errors, typed = read_optional_date(form)
    else:
        closes_on, date_errors, typed = read_date(form, "closes_on", what="the closing date")
    values |= typed
    errors |= date_errors
    if not errors:
        try:
            update_round(session=session, round_=round_, expected=expected, closes_on=closes_on)
        except DomainError as error:
            errors = {error.field or "closes_on": error.message}
        else:
            record_round_event(session=session, actor=user, action=AuditAction.ROUND_CHANGED,
                               round_=round_,
                               detail=round_changes(expected=expected, closes_on=closes_on))
    if errors:
        return _edit_page(request, round_, session, values, errors, status_code=422)
    return redirect(f"/rounds/{round_.id}")


def read_optional_date(form: Any):
    """The closing date of a draft: all three boxes empty is none yet (opening sets the
    default, 28 days later)."""
    closes_on, errors, typed = read_date(form, "closes_on", what="the closing date")
    return closes_on, ({} if not any(typed.values()) else errors), typed


def ensure_changeable(round_: Round) -> None:
    if round_.status == RoundStatus.CLOSED:
        ensure_status(round_.status, RoundStatus.OPEN)


@router.get("/rounds/{round_id}/delete", response_class=HTMLResponse)
def delete_page(request: Request, round_: LeadRound, session: SessionDep) -> HTMLResponse:
    ensure_status(round_.status, RoundStatus.DRAFT)
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/delete.html", round_view(overview))


@router.post("/rounds/{round_id}/delete")
def delete(round_: LeadRound, session: SessionDep, user: CurrentUser) -> Response:
    gone = deleted_round(round_)
    delete_round(session=session, round_=round_)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_DELETED, round_=gone)
    return redirect("/dashboard")


@router.post("/rounds/{round_id}/open")
def open_(round_: EmployerRound, session: SessionDep, user: CurrentUser) -> Response:
    open_round(session=session, round_id=round_.id)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_OPENED,
                       round_=round_)
    return redirect(f"/rounds/{round_.id}")


@router.get("/rounds/{round_id}/close", response_class=HTMLResponse)
def close_page(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    ensure_status(round_.status, RoundStatus.OPEN)
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/close.html", round_view(overview))


@router.post("/rounds/{round_id}/close")
def close(round_: EmployerRound, session: SessionDep, user: CurrentUser) -> Response:
    close_round(session=session, round_id=round_.id)
    record_round_event(session=session, actor=user, action=AuditAction.ROUND_CLOSED,
                       round_=round_)
    return redirect(f"/rounds/{round_.id}")


# Sharing


@router.get("/rounds/{round_id}/share", response_class=HTMLResponse)
def share_page(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    """Suggested invitation and reminder texts per respondent type, posters, "other"."""
    ensure_changeable(round_)  # a closed round's links no longer work
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/share.html", round_view(
        overview, texts=share_texts(overview), other_guidance=OTHER_GUIDANCE))


@router.get("/rounds/{round_id}/poster.pdf")
def poster(round_: EmployerRound, session: SessionDep, type: str = "nqsw") -> Response:
    """An A4 poster for one respondent type (`?type=nqsw|line_manager|other`)."""
    if type not in ANONYMOUS_TYPES:
        raise NotFound("No such respondent type")
    return poster_pdf(describe_round(session=session, round_=round_), type)


# Single-use codes


def _codes_page(
    request: Request, round_: Round, session: SessionDep, values: dict[str, Any],
    errors: dict[str, str], status_code: int = 200,
) -> HTMLResponse:
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/codes.html", round_view(overview, values=values, errors=errors),
                  status_code=status_code)


@router.get("/rounds/{round_id}/codes", response_class=HTMLResponse)
def codes_page(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    return _codes_page(request, round_, session, {}, {})


@router.post("/rounds/{round_id}/codes")
def create_codes(request: Request, round_: EmployerRound, session: SessionDep,
                 form: FormDep, user: CurrentUser) -> Response:
    """Answers with the codes as a CSV download: they exist in plain form only in this response.

    Not post/redirect/get on purpose: a redirect would have nothing to show, since only the
    codes' keyed hashes are stored. A closed round's refusal is its own error page.
    """
    parsed, errors, values = read_form(form, CodesForm)
    if parsed is None:
        return _codes_page(request, round_, session, values, errors, status_code=422)
    try:
        codes = issue_codes(session=session, round_id=round_.id,
                            counts=parsed.to_create().model_dump())
    except DomainError as error:
        if error.field is None:
            raise
        return _codes_page(request, round_, session, values, {error.field: error.message},
                           status_code=error.status)
    record_round_event(session=session, actor=user, action=AuditAction.CODES_ISSUED,
                       round_=round_, detail=codes_issued(codes))
    if form.get("format") == "pdf":
        return code_slips_pdf(describe_round(session=session, round_=round_), codes)
    return _codes_csv(round_, codes)


def _codes_csv(round_: Round, codes: dict[str, list[str]]) -> Response:
    labels = _labels("respondent_types")
    where = survey_url("code")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Respondent type", "Code", "Where to enter the code"])
    for respondent_type, batch in codes.items():
        for code in batch:
            writer.writerow([labels[respondent_type], code, where])
    filename = f"asye360-codes-{round_.programme}-{round_.year}-round-{round_.id}.csv"
    return Response(
        buffer.getvalue().encode("utf-8-sig"),  # with a BOM, so Excel reads it as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# The self-assessment and the action plan have modules of their own; their routes are served
# with this router's checks.
router.include_router(self_assessment.router)
router.include_router(action_plan.router)
router.include_router(preview.router)
