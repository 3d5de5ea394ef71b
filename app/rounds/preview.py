"""HTML routes of the survey preview: the lead walks through the respondents' pages, with the
respondents' own theme journey (app.survey.journey), and nothing is ever stored.

Answers in progress live only in a cookie scoped to the preview's pages, as a respondent's do;
"Finish the preview" deletes it and goes back to the round. No route here writes a table.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.models import Organisation
from app.core.routing import FormDep
from app.core.templating import render
from app.db import SessionDep
from app.lifecycle.closing import long_date
from app.lifecycle.deps import EmployerRound
from app.lifecycle.models import Round
from app.statements.loader import get_statement_sets
from app.survey.drafts import Draft, read_draft
from app.survey.journey import Journey, ReturnTo
from app.survey.service import Survey
from app.vocabulary import RespondentType

router = APIRouter()


def _preview(request: Request, session, round_: Round) -> tuple[Survey, Journey]:
    organisation = session.get(Organisation, round_.organisation_id)
    statement_set = get_statement_sets()[round_.statement_set]
    survey = Survey(round_id=round_.id, status=round_.status, organisation_id=organisation.id,
                    organisation_name=organisation.name,
                    programme=round_.programme, year=round_.year,
                    respondent_type=RespondentType.NQSW, statement_set=statement_set,
                    secret="", closes_on=round_.closes_on)
    notice = "Preview: this is what respondents see. Nothing you enter is stored."
    if round_.closes_on:
        notice += f" They are told: “This evaluation closes on {long_date(round_.closes_on)}.”"
    base = f"/rounds/{round_.id}/preview"
    journey = Journey(
        statement_set=statement_set, draft=read_draft(request) or Draft(), base=base,
        first_back=base, notice=notice,
        check={"submit_text": "Finish the preview (nothing is sent)"})
    return survey, journey


@router.get("/rounds/{round_id}/preview", response_class=HTMLResponse)
def start(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    survey, journey = _preview(request, session, round_)
    return render(request, "survey/start.html", {
        "survey": survey, "start_url": journey.start_url, "already_sent": False,
        "notice": journey.notice})


@router.get("/rounds/{round_id}/preview/theme/{number}", response_class=HTMLResponse)
@router.get("/rounds/{round_id}/preview/theme/{number}/part/{part}",
            response_class=HTMLResponse)
def show_theme(request: Request, round_: EmployerRound, session: SessionDep, number: int,
               return_to: ReturnTo = None, part: int = 1) -> HTMLResponse:
    return _preview(request, session, round_)[1].show_theme(request, number, return_to, part)


@router.post("/rounds/{round_id}/preview/theme/{number}", response_class=HTMLResponse)
@router.post("/rounds/{round_id}/preview/theme/{number}/part/{part}",
             response_class=HTMLResponse)
def save_theme(request: Request, round_: EmployerRound, session: SessionDep, number: int,
               form: FormDep, return_to: ReturnTo = None, part: int = 1) -> Response:
    return _preview(request, session, round_)[1].save_theme(request, number, form, return_to, part)


@router.get("/rounds/{round_id}/preview/check", response_class=HTMLResponse)
def check(request: Request, round_: EmployerRound, session: SessionDep) -> Response:
    return _preview(request, session, round_)[1].check_answers(request)


@router.post("/rounds/{round_id}/preview/check")
def finish(request: Request, round_: EmployerRound, session: SessionDep) -> Response:
    """Nothing is stored: the preview's answers are deleted with its cookie."""
    _, journey = _preview(request, session, round_)
    return journey.finish(f"/rounds/{round_.id}?saved=preview")
