"""HTML routes of the employer's self-assessment: the respondents' theme journey, for the employer.

The theme pages, check answers, their form parser and the draft cookie are the survey's
(app.survey.journey), so the self-assessment asks exactly what respondents are asked. Answers
in progress live in an encrypted cookie scoped to this round's self-assessment pages; "Save"
replaces the stored self-assessment whole (app.survey.service.save_self_assessment). Only while
the round is a draft or open.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.core.routing import FormDep
from app.core.templating import render
from app.db import SessionDep
from app.lifecycle.deps import EmployerRound
from app.lifecycle.models import Round
from app.lifecycle.service import ensure_not_closed
from app.statements.loader import get_statement_sets
from app.survey.drafts import Draft, read_draft
from app.survey.journey import Journey, ReturnTo
from app.survey.service import get_self_assessment, save_self_assessment

router = APIRouter()
ACTION = "complete the self-assessment"


def _journey(request: Request, session: Session, round_: Round) -> Journey:
    ensure_not_closed(round_.status, action=ACTION)
    base = f"/rounds/{round_.id}/self-assessment"
    draft = read_draft(request) or Draft(
        ratings=get_self_assessment(session=session, round_id=round_.id) or {})
    return Journey(
        statement_set=get_statement_sets()[round_.statement_set], draft=draft, base=base,
        first_back=base, closes_on=round_.closes_on,
        caption="Self-assessment: theme {number} of {count}",
        part_caption="Self-assessment: theme {number}, part {part} of {parts}",
        theme_template="rounds/self_assessment_theme.html",
        check_template="rounds/self_assessment_check.html",
        check={"heading": "Check your self-assessment",
               "submit_text": "Save your self-assessment"},
    )


@router.get("/rounds/{round_id}/self-assessment", response_class=HTMLResponse)
def start(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    journey = _journey(request, session, round_)
    return render(request, "rounds/self_assessment_start.html", {
        "round": round_,
        "statement_set": journey.statement_set,
        "complete": journey.first_unanswered_theme() is None,
        "start_url": journey.start_url,
        "check_url": journey.check_url,
    })


@router.get("/rounds/{round_id}/self-assessment/theme/{number}", response_class=HTMLResponse)
@router.get("/rounds/{round_id}/self-assessment/theme/{number}/part/{part}",
            response_class=HTMLResponse)
def show_theme(request: Request, round_: EmployerRound, session: SessionDep, number: int,
               return_to: ReturnTo = None, part: int = 1) -> HTMLResponse:
    return _journey(request, session, round_).show_theme(request, number, return_to, part)


@router.post("/rounds/{round_id}/self-assessment/theme/{number}", response_class=HTMLResponse)
@router.post("/rounds/{round_id}/self-assessment/theme/{number}/part/{part}",
             response_class=HTMLResponse)
def save_theme(request: Request, round_: EmployerRound, session: SessionDep, number: int,
               form: FormDep, return_to: ReturnTo = None, part: int = 1) -> Response:
    return _journey(request, session, round_).save_theme(request, number, form, return_to, part)


@router.get("/rounds/{round_id}/self-assessment/check", response_class=HTMLResponse)
def check(request: Request, round_: EmployerRound, session: SessionDep) -> Response:
    return _journey(request, session, round_).check_answers(request)


@router.post("/rounds/{round_id}/self-assessment/check", response_class=HTMLResponse)
def save(request: Request, round_: EmployerRound, session: SessionDep) -> Response:
    journey = _journey(request, session, round_)
    if gap := journey.unanswered():
        return gap
    save_self_assessment(session=session, round_id=round_.id,
                         ratings=journey.draft.public_ratings())
    return journey.finish(f"/rounds/{round_.id}?saved=self-assessment")
