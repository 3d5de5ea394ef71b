"""HTML routes of the respondent journey: start, one page per theme, check answers, done.

The same routes serve a link (`/survey/{token}/…`) and a single-use code (`/survey/code/…`, the
code held in the signed draft cookie after it is entered on `/survey/code`). Answers in progress
live only in that cookie (app.survey.drafts); nothing is stored until "Send your answers".
"""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.csrf import csrf_protect
from app.db import SessionDep
from app.statements.loader import Theme
from app.survey.drafts import (
    Draft,
    clear_draft,
    has_sent,
    mark_sent,
    read_draft,
    write_draft,
)
from app.survey.forms import CodeForm, answer_value, statement_field
from app.survey.service import (
    CodeAlreadyUsed,
    Survey,
    SurveyClosed,
    SurveyNotFound,
    SurveyNotOpen,
    TooManyAttempts,
    count_code_attempt,
    ensure_answerable,
    find_survey,
    find_survey_by_code,
    submit_response,
)
from app.survey.steps import (
    first_theme_missing,
    next_step,
    record_theme,
    theme_links,
    theme_or_404,
)
from app.templating import render

CODE = "code"  # /survey/code/…: link tokens are 32 characters, so never this word

# Each refusal's own plain page. Closed and used are gone for good (410); a draft round's link
# will work later (409, as the API says).
_REFUSAL_PAGES: dict[type[Exception], tuple[str, int]] = {
    SurveyNotFound: ("errors/404.html", 404),
    SurveyClosed: ("survey/closed.html", 410),
    SurveyNotOpen: ("survey/not_open.html", 409),
    CodeAlreadyUsed: ("survey/code_used.html", 410),
}


class _CodeNeeded(Exception):
    """A code-bound page was asked for without a code in the draft cookie."""


class SurveyPageRoute(APIRoute):
    """Turns the survey's refusals into their own pages, so routes stay a few lines long."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except _CodeNeeded:
                return RedirectResponse(f"/survey/{CODE}", status_code=303)
            except TooManyAttempts as error:
                context = {
                    "status_code": 429,
                    "heading": "There have been too many attempts",
                    "message": error.message,
                }
                return render(request, "errors/error.html", context, status_code=429,
                              headers={"Retry-After": str(error.retry_after)})
            except tuple(_REFUSAL_PAGES) as error:
                template, status = _REFUSAL_PAGES[type(error)]
                return render(request, template, status_code=status)

        return handle


router = APIRouter(
    prefix="/survey",
    include_in_schema=False,
    dependencies=[Depends(csrf_protect)],
    route_class=SurveyPageRoute,
)


async def _form(request: Request) -> FormData:
    return await request.form()  # already parsed by csrf_protect; cached on the request


FormDep = Annotated[FormData, Depends(_form)]
# `?return=check`: a Change link from check answers, which goes back there once saved.
ReturnTo = Annotated[str | None, Query(alias="return")]


@dataclass
class _Page:
    """One survey as a respondent's browser sees it: the survey, its draft and its base URL."""

    survey: Survey
    draft: Draft
    base: str

    def theme(self, number: int) -> Theme:
        return theme_or_404(self.survey.statement_set, number)

    def first_theme_missing(self) -> int | None:
        return first_theme_missing(self.survey.statement_set, self.draft)


def _page(request: Request, session: Session, token: str, *, answerable: bool = True) -> _Page:
    draft = read_draft(request)
    if token == CODE:
        if draft is None or draft.code is None:
            raise _CodeNeeded
        survey = find_survey_by_code(session=session, code=draft.code)
    else:
        survey = find_survey(session=session, token=token)
        draft = draft or Draft()
        draft.code = None  # a link's draft never carries a code, whatever cookie was sent
    if answerable:
        ensure_answerable(survey)
    numbers = set(survey.statement_set.numbers)
    draft.ratings = {n: score for n, score in draft.ratings.items() if n in numbers}
    return _Page(survey=survey, draft=draft, base=f"/survey/{token}")


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# Declared before /{token} so that "code" is never taken for a link token.
@router.get("/code", response_class=HTMLResponse)
def enter_code(request: Request) -> HTMLResponse:
    return render(request, "survey/code.html", {"code": "", "errors": {}})


@router.post("/code", response_class=HTMLResponse)
def check_code(request: Request, session: SessionDep, form: FormDep) -> Response:
    count_code_attempt(address=request.client.host if request.client else "unknown")
    typed = str(form.get("code") or "")
    try:
        code = CodeForm(code=typed).code
        survey = ensure_answerable(find_survey_by_code(session=session, code=code))
    except ValidationError as error:
        return _code_error(request, typed, str(error.errors()[0]["ctx"]["error"]))
    except SurveyNotFound:
        return _code_error(request, typed, "There is no evaluation with this code. "
                                           "Check you typed it as it was given to you")
    draft = read_draft(request)
    if draft is None or draft.code != survey.code:
        draft = Draft(code=survey.code)
    response = _redirect(f"/survey/{CODE}/start")
    write_draft(response, draft, path=f"/survey/{CODE}")
    return response


def _code_error(request: Request, typed: str, message: str) -> HTMLResponse:
    return render(
        request, "survey/code.html", {"code": typed, "errors": {"code": message}}, status_code=422
    )


@router.get("/code/start", response_class=HTMLResponse)
def start_with_code(request: Request, session: SessionDep) -> HTMLResponse:
    return _start(request, _page(request, session, CODE))


@router.get("/{token}", response_class=HTMLResponse)
def start(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    return _start(request, _page(request, session, token))


def _start(request: Request, page: _Page) -> HTMLResponse:
    return render(
        request,
        "survey/start.html",
        {
            "survey": page.survey,
            "start_url": f"{page.base}/theme/1",
            "already_sent": page.survey.code is None and has_sent(request),
        },
    )


@router.get("/{token}/theme/{number}", response_class=HTMLResponse)
def show_theme(
    token: str, number: int, request: Request, session: SessionDep, return_to: ReturnTo = None
) -> HTMLResponse:
    page = _page(request, session, token)
    theme = page.theme(number)
    returning = return_to == "check"
    selected = {
        statement_field(s.number): answer_value(page.draft.ratings[s.number])
        for s in theme.statements
        if s.number in page.draft.ratings
    }
    return _render_theme(request, page, theme, selected=selected, errors={}, returning=returning)


@router.post("/{token}/theme/{number}", response_class=HTMLResponse)
def save_theme(
    token: str,
    number: int,
    request: Request,
    session: SessionDep,
    form: FormDep,
    return_to: ReturnTo = None,
) -> Response:
    page = _page(request, session, token)
    theme = page.theme(number)
    returning = return_to == "check"
    answers = record_theme(form=form, theme=theme, draft=page.draft)
    if answers.errors:
        response = _render_theme(request, page, theme, selected=answers.selected,
                                 errors=answers.errors, returning=returning, status_code=422)
    else:
        count = len(page.survey.statement_set.themes)
        step = next_step(number=number, theme_count=count, returning=returning)
        response = _redirect(f"{page.base}/{step}")
    write_draft(response, page.draft, path=page.base)
    return response


def _render_theme(
    request: Request,
    page: _Page,
    theme: Theme,
    *,
    selected: dict[str, str],
    errors: dict[str, str],
    returning: bool,
    status_code: int = 200,
) -> HTMLResponse:
    count = len(page.survey.statement_set.themes)
    action, back = theme_links(
        base=page.base, number=theme.number, returning=returning,
        first_back=f"{page.base}/start" if page.survey.code else page.base,
    )
    return render(
        request,
        "survey/theme.html",
        {
            "statement_set": page.survey.statement_set,
            "theme": theme,
            "caption": f"Theme {theme.number} of {count}",
            "selected": selected,
            "errors": errors,
            "form_action": action,
            "back_link": back,
        },
        status_code=status_code,
    )


@router.get("/{token}/check", response_class=HTMLResponse)
def check_answers(token: str, request: Request, session: SessionDep) -> Response:
    page = _page(request, session, token)
    missing = page.first_theme_missing()
    if missing is not None:
        return _redirect(f"{page.base}/theme/{missing}")
    return render(
        request,
        "survey/check.html",
        {
            "statement_set": page.survey.statement_set,
            "ratings": page.draft.ratings,
            "change_url": page.base + "/theme/{theme}?return=check#statement-{statement}",
            "form_action": f"{page.base}/check",
            "back_link": f"{page.base}/theme/{len(page.survey.statement_set.themes)}",
        },
    )


@router.post("/{token}/check", response_class=HTMLResponse)
def send_answers(token: str, request: Request, session: SessionDep) -> Response:
    # Not checked for "answerable" first: a double click's second request must find the first
    # one's idempotency record (and go to "done"), even though the code is now used.
    page = _page(request, session, token, answerable=False)
    missing = page.first_theme_missing()
    if missing is not None:
        return _redirect(f"{page.base}/theme/{missing}")
    submit_response(
        session=session,
        survey=page.survey,
        ratings=page.draft.public_ratings(),
        idempotency_key=page.draft.submission_key,
    )
    response = _redirect(f"{page.base}/done")
    clear_draft(response, path=page.base)
    mark_sent(response, path=page.base)
    return response


@router.get("/{token}/done", response_class=HTMLResponse)
def done(token: str, request: Request) -> Response:
    if not has_sent(request):
        return _redirect(f"/survey/{token}")
    return render(request, "survey/done.html")
