"""HTML routes of the employer's self-assessment: the respondents' theme pages, for the employer.

The statement pages, their form parser and the draft cookie are the survey's
(survey/theme.html, survey/check.html, app.survey.forms, app.survey.drafts), so the
self-assessment asks exactly what respondents are asked. Answers in progress live in a signed
cookie scoped to this round's self-assessment pages; "Save" replaces the stored self-assessment
whole (app.rounds.service.save_self_assessment). Only while the round is open.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.db import SessionDep
from app.rounds.deps import EmployerRound
from app.rounds.models import Round
from app.rounds.service import RoundError, get_self_assessment, save_self_assessment
from app.statements.loader import StatementSet, Theme, get_statement_sets
from app.survey.drafts import Draft, clear_draft, read_draft, write_draft
from app.survey.forms import answer_value, statement_field
from app.survey.ratings import RatingsError
from app.survey.steps import (
    first_theme_missing,
    next_step,
    record_theme,
    theme_links,
    theme_or_404,
)
from app.templating import render

router = APIRouter()

ReturnTo = Annotated[str | None, Query(alias="return")]


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


class _Page:
    """One round's self-assessment as the employer's browser sees it."""

    def __init__(self, request: Request, session, round_: Round) -> None:
        if round_.status != "open":
            detail = (
                "Open the round before you complete the self-assessment."
                if round_.status == "draft"
                else "This round has closed: the self-assessment can no longer change."
            )
            raise HTTPException(status_code=409, detail=detail)
        self.round = round_
        self.statement_set: StatementSet = get_statement_sets()[round_.statement_set]
        self.base = f"/rounds/{round_.id}/self-assessment"
        draft = read_draft(request)
        if draft is None:
            draft = Draft(ratings=get_self_assessment(session=session, round_id=round_.id) or {})
        numbers = set(self.statement_set.numbers)
        draft.ratings = {n: s for n, s in draft.ratings.items() if n in numbers}
        self.draft = draft

    def theme(self, number: int) -> Theme:
        return theme_or_404(self.statement_set, number)

    def first_theme_missing(self) -> int | None:
        return first_theme_missing(self.statement_set, self.draft)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/rounds/{round_id}/self-assessment", response_class=HTMLResponse)
def start(request: Request, round_: EmployerRound, session: SessionDep) -> HTMLResponse:
    page = _Page(request, session, round_)
    complete = page.first_theme_missing() is None
    return render(request, "rounds/self_assessment_start.html", {
        "round": round_,
        "statement_set": page.statement_set,
        "complete": complete,
        "start_url": f"{page.base}/theme/1",
        "check_url": f"{page.base}/check",
    })


@router.get("/rounds/{round_id}/self-assessment/theme/{number}", response_class=HTMLResponse)
def show_theme(request: Request, round_: EmployerRound, session: SessionDep, number: int,
               return_to: ReturnTo = None) -> HTMLResponse:
    page = _Page(request, session, round_)
    theme = page.theme(number)
    selected = {
        statement_field(s.number): answer_value(page.draft.ratings[s.number])
        for s in theme.statements
        if s.number in page.draft.ratings
    }
    return _render_theme(request, page, theme, selected=selected, errors={},
                         returning=return_to == "check")


@router.post("/rounds/{round_id}/self-assessment/theme/{number}", response_class=HTMLResponse)
def save_theme(request: Request, round_: EmployerRound, session: SessionDep, number: int,
               form: FormDep, return_to: ReturnTo = None) -> Response:
    page = _Page(request, session, round_)
    theme = page.theme(number)
    returning = return_to == "check"
    answers = record_theme(form=form, theme=theme, draft=page.draft)
    if answers.errors:
        response = _render_theme(request, page, theme, selected=answers.selected,
                                 errors=answers.errors, returning=returning, status_code=422)
    else:
        count = len(page.statement_set.themes)
        step = next_step(number=number, theme_count=count, returning=returning)
        response = _redirect(f"{page.base}/{step}")
    write_draft(response, page.draft, path=page.base)
    return response


def _render_theme(request: Request, page: _Page, theme: Theme, *, selected: dict[str, str],
                  errors: dict[str, str], returning: bool, status_code: int = 200
                  ) -> HTMLResponse:
    count = len(page.statement_set.themes)
    action, back = theme_links(base=page.base, number=theme.number, returning=returning,
                               first_back=page.base)
    return render(request, "rounds/self_assessment_theme.html", {
        "statement_set": page.statement_set,
        "theme": theme,
        "caption": f"Self-assessment: theme {theme.number} of {count}",
        "selected": selected,
        "errors": errors,
        "form_action": action,
        "back_link": back,
    }, status_code=status_code)


@router.get("/rounds/{round_id}/self-assessment/check", response_class=HTMLResponse)
def check(request: Request, round_: EmployerRound, session: SessionDep) -> Response:
    page = _Page(request, session, round_)
    missing = page.first_theme_missing()
    if missing is not None:
        return _redirect(f"{page.base}/theme/{missing}")
    return render(request, "rounds/self_assessment_check.html", {
        "round": round_,
        "statement_set": page.statement_set,
        "ratings": page.draft.ratings,
        "change_url": page.base + "/theme/{theme}?return=check#statement-{statement}",
        "form_action": f"{page.base}/check",
        "back_link": f"{page.base}/theme/{len(page.statement_set.themes)}",
        "heading": "Check your self-assessment",
        "submit_text": "Save your self-assessment",
    })


@router.post("/rounds/{round_id}/self-assessment/check", response_class=HTMLResponse)
def save(request: Request, round_: EmployerRound, session: SessionDep) -> Response:
    page = _Page(request, session, round_)
    missing = page.first_theme_missing()
    if missing is not None:
        return _redirect(f"{page.base}/theme/{missing}")
    try:
        save_self_assessment(session=session, round_id=round_.id,
                             ratings=page.draft.public_ratings())
    except RoundError as error:
        raise HTTPException(status_code=409, detail=error.message) from error
    except RatingsError as error:  # the draft is checked above; a forged cookie cannot get here
        raise HTTPException(status_code=422, detail=str(error)) from error
    response = _redirect(f"/rounds/{round_.id}")
    clear_draft(response, path=page.base)
    return response
