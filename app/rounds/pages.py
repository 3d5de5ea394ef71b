"""HTML routes of the rounds domain: dashboard, create, run, codes, close, self-assessment."""

import csv
import io
from datetime import date
from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.accounts.deps import CurrentUser, EmployerUser, set_page_user
from app.accounts.forms import read_form
from app.accounts.service import get_organisation
from app.config import get_settings
from app.csrf import csrf_protect
from app.db import SessionDep
from app.rounds import self_assessment
from app.rounds.deps import AccessibleRound, EmployerRound
from app.rounds.qr import qr_svg
from app.rounds.schemas import CodesForm, RoundForm
from app.rounds.service import (
    RoundConflict,
    RoundError,
    close_round,
    create_round,
    describe_round,
    issue_codes,
    list_rounds,
    open_round,
)
from app.rounds.years import academic_year_of
from app.statements.loader import get_statement_sets
from app.statements.reference import ANONYMOUS_TYPES, get_reference
from app.templating import render

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(csrf_protect), Depends(set_page_user)]
)


async def _form(request: Request) -> FormData:
    return await request.form()  # parsed once by csrf_protect, cached on the request


FormDep = Annotated[FormData, Depends(_form)]


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def conflict(error: RoundError) -> HTTPException:
    """A lifecycle refusal as the plain 409 page, saying why."""
    return HTTPException(status_code=409, detail=error.message)


def _labels(list_name: str) -> dict[str, str]:
    return {item.key: item.label for item in getattr(get_reference(), list_name)}


# Dashboard


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    if user.is_national:
        return redirect("/national")
    overviews = list_rounds(session=session, organisation_id=user.organisation_id)
    by_year = [(year, list(rounds)) for year, rounds in
               groupby(overviews, key=lambda overview: overview.round.year)]
    organisation = get_organisation(session=session, organisation_id=user.organisation_id)
    return render(request, "rounds/dashboard.html", {
        "organisation": organisation,
        "by_year": by_year,
        "programmes": _labels("programmes"),
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
        "programmes": [{"value": i.key, "text": i.label} for i in get_reference().programmes],
        "statement_sets": sets,
    }, status_code=status_code)


@router.get("/rounds/new", response_class=HTMLResponse)
def new_round_page(request: Request, user: EmployerUser) -> HTMLResponse:
    defaults = {"year": academic_year_of(date.today()), "statement_set": ""}
    return _new_round_page(request, defaults, {})


@router.post("/rounds/new", response_class=HTMLResponse)
def new_round(request: Request, user: EmployerUser, session: SessionDep, form: FormDep) -> Response:
    parsed, errors, values = read_form(form, RoundForm)
    if parsed is None:
        return _new_round_page(request, values, errors, status_code=422)
    body = parsed.to_create()
    try:
        round_ = create_round(
            session=session,
            organisation_id=user.organisation_id,
            programme=body.programme,
            year=body.year,
            statement_set=body.statement_set,
            expected=body.expected.model_dump(),
        )
    except RoundError as error:
        status_code = 409 if isinstance(error, RoundConflict) else 422
        return _new_round_page(request, values, {error.field or "programme": error.message},
                               status_code=status_code)
    return redirect(f"/rounds/{round_.id}")


# Run the round


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(request: Request, round_: AccessibleRound, user: CurrentUser,
               session: SessionDep) -> HTMLResponse:
    overview = describe_round(session=session, round_=round_)
    respondent_types = _labels("respondent_types")
    links = [
        {
            "type": t,
            "label": respondent_types[t],
            "url": overview.links[t],
            "qr": qr_svg(overview.links[t], label=f"QR code of the {respondent_types[t]} link"),
        }
        for t in ANONYMOUS_TYPES
        if t in overview.links
    ]
    return render(request, "rounds/round.html", {
        "overview": overview,
        "round": round_,
        "can_change": not user.is_national,
        "links": links,
        "respondent_types": respondent_types,
        "anonymous_types": ANONYMOUS_TYPES,
        "code_url": f"{get_settings().base_url.rstrip('/')}/survey/code",
    })


@router.post("/rounds/{round_id}/open")
def open_(round_: EmployerRound, session: SessionDep) -> Response:
    try:
        open_round(session=session, round_id=round_.id)
    except RoundError as error:
        raise conflict(error) from error
    return redirect(f"/rounds/{round_.id}")


@router.get("/rounds/{round_id}/close", response_class=HTMLResponse)
def close_page(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    if round_.status != "open":
        raise HTTPException(status_code=409, detail="Only an open round can be closed.")
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/close.html", {"overview": overview, "round": round_})


@router.post("/rounds/{round_id}/close")
def close(round_: EmployerRound, session: SessionDep) -> Response:
    try:
        close_round(session=session, round_id=round_.id)
    except RoundError as error:
        raise conflict(error) from error
    return redirect(f"/rounds/{round_.id}")


# Single-use codes


def _codes_page(
    request: Request, round_, session, values: dict[str, Any], errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    overview = describe_round(session=session, round_=round_)
    return render(request, "rounds/codes.html", {
        "overview": overview,
        "round": round_,
        "values": values,
        "errors": errors,
        "respondent_types": _labels("respondent_types"),
        "anonymous_types": ANONYMOUS_TYPES,
        "code_url": f"{get_settings().base_url.rstrip('/')}/survey/code",
    }, status_code=status_code)


@router.get("/rounds/{round_id}/codes", response_class=HTMLResponse)
def codes_page(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    return _codes_page(request, round_, session, {}, {})


@router.post("/rounds/{round_id}/codes")
def create_codes(request: Request, round_: EmployerRound, session: SessionDep,
                 form: FormDep) -> Response:
    """Answers with the codes as a CSV download: they exist in plain form only in this response.

    Not post/redirect/get on purpose: a redirect would have nothing to show, since only the
    codes' keyed hashes are stored.
    """
    parsed, errors, values = read_form(form, CodesForm)
    if parsed is None:
        return _codes_page(request, round_, session, values, errors, status_code=422)
    try:
        codes = issue_codes(session=session, round_id=round_.id,
                            counts=parsed.to_create().model_dump())
    except RoundConflict as error:
        raise conflict(error) from error
    except RoundError as error:
        return _codes_page(request, round_, session, values,
                           {error.field or "nqsw": error.message}, status_code=422)
    return _codes_csv(round_, codes)


def _codes_csv(round_, codes: dict[str, list[str]]) -> Response:
    labels = _labels("respondent_types")
    where = f"{get_settings().base_url.rstrip('/')}/survey/code"
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
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "no-store"},
    )


# The self-assessment has its own module; its routes are served with this router's checks.
router.include_router(self_assessment.router)
