"""HTML routes of the respondent journey: start, one page per theme (or part of a long one),
check answers, done.

The same routes serve a link (`/survey/{token}/…`) and a single-use code (`/survey/code/…`, the
code held in the encrypted draft cookie after it is entered on `/survey/code`). Answers in progress
live only in that cookie (app.survey.drafts); nothing is stored until "Send your answers". A
refusal (closed, not open, unknown, used) is a domain error with a page of its own.

The pages only read (the survey behind a link or code) until "send", which stores with one
call of its own (app.survey.submit). A link's pages are async: on PostgreSQL the survey is read
with one statement awaited on the event loop (`find_survey_async`), with no session and no
thread hand-off (a sync route with a session hopped to a thread three times a request); the
page is then made on the loop, and "send" is awaited there too. What needs a session (a code,
SQLite) runs in a thread.
"""

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import SignedInOrganisation
from app.core.routing import FormDep, client_address, page_router, redirect
from app.core.templating import render
from app.db import AutocommitSessionDep, session_scope
from app.lifecycle.closing import long_date
from app.survey.drafts import Draft, has_sent, mark_sent, read_draft, write_draft
from app.survey.forms import CodeForm
from app.survey.journey import Journey, ReturnTo
from app.survey.service import (
    Survey,
    SurveyNotFound,
    count_code_attempt,
    ensure_answerable,
    find_survey_by_code,
    follow_short_link,
)
from app.survey.submit import find_survey_async, submit_found_async

CODE = "code"  # /survey/code/…: link tokens are 32 characters, so never this word

router = page_router(prefix="/survey")
short_router = page_router()  # /s/{short}: the short links printed on posters


async def _journey(request: Request, token: str, *,
                   answerable: bool = True) -> tuple[Survey, Journey]:
    draft = read_draft(request)
    if token == CODE:
        if draft is None or draft.code is None:
            # A code-bound page without a code in the draft: enter one first.
            raise HTTPException(status_code=303, headers={"Location": f"/survey/{CODE}"})
        survey = await run_in_threadpool(_find_by_code, draft.code)
    else:
        survey = await find_survey_async(token)
        draft = draft or Draft()
        draft.code = None  # a link's draft never carries a code, whatever cookie was sent
    if answerable:
        ensure_answerable(survey)
    base = f"/survey/{token}"
    return survey, Journey(statement_set=survey.statement_set, draft=draft, base=base,
                           first_back=f"{base}/start" if survey.code else base,
                           notice=closing_notice(survey), closes_on=survey.closes_on)


def _find_by_code(code: str) -> Survey:
    with session_scope() as session:
        return find_survey_by_code(session=session, code=code)


def closing_notice(survey: Survey) -> str | None:
    """Rule 12: every respondent page says when the evaluation closes."""
    if survey.closes_on is None:
        return None
    return f"This evaluation closes on {long_date(survey.closes_on)}."



@short_router.get("/s/{short}")
def follow_short(short: str, request: Request, session: AutocommitSessionDep) -> Response:
    """A short link (any case, hyphens and spaces ignored) leads to its survey's start page."""
    token = follow_short_link(session=session, short=short, address=client_address(request))
    return redirect(f"/survey/{token}")


# Declared before /{token} so that "code" is never taken for a link token.
@router.get("/code", response_class=HTMLResponse)
async def enter_code(request: Request) -> HTMLResponse:
    return render(request, "survey/code.html", {"code": "", "errors": {}})


@router.post("/code", response_class=HTMLResponse)
def check_code(request: Request, session: AutocommitSessionDep, form: FormDep) -> Response:
    count_code_attempt(address=client_address(request))
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
    response = redirect(f"/survey/{CODE}/start")
    write_draft(response, draft, path=f"/survey/{CODE}", closes_on=survey.closes_on)
    return response


def _code_error(request: Request, typed: str, message: str) -> HTMLResponse:
    return render(
        request, "survey/code.html", {"code": typed, "errors": {"code": message}}, status_code=422
    )


@router.get("/code/start", response_class=HTMLResponse)
async def start_with_code(request: Request) -> HTMLResponse:
    return _start(request, *await _journey(request, CODE))


@router.get("/{token}", response_class=HTMLResponse)
async def start(token: str, request: Request) -> HTMLResponse:
    return _start(request, *await _journey(request, token))


def _start(request: Request, survey: Survey, journey: Journey) -> HTMLResponse:
    already_sent = survey.code is None and has_sent(request)
    return render(request, "survey/start.html", {
        "survey": survey,
        # Someone else answering on this device starts afresh (see show_theme).
        "start_url": journey.start_url + ("?again=true" if already_sent else ""),
        "already_sent": already_sent,
        "notice": closing_notice(survey),
    })


@router.get("/{token}/theme/{number}", response_class=HTMLResponse)
@router.get("/{token}/theme/{number}/part/{part}", response_class=HTMLResponse)
async def show_theme(token: str, number: int, request: Request,
                     return_to: ReturnTo = None, again: bool = False, part: int = 1
                     ) -> HTMLResponse:
    _, journey = await _journey(request, token)
    # Back after sending lands here with no answers in progress: say the answers were sent,
    # rather than show a blank theme that invites sending them twice. `again` lets someone
    # else on the same device answer (the cookie never stops anyone).
    if token != CODE and has_sent(request) and not journey.draft.ratings and not again:
        again_url = journey.url(journey.page(number, part))
        return render(request, "survey/already_sent.html", {"again_url": f"{again_url}?again=true"})
    return journey.show_theme(request, number, return_to, part)


@router.post("/{token}/theme/{number}", response_class=HTMLResponse)
@router.post("/{token}/theme/{number}/part/{part}", response_class=HTMLResponse)
async def save_theme(token: str, number: int, request: Request, form: FormDep,
                     return_to: ReturnTo = None, part: int = 1) -> Response:
    _, journey = await _journey(request, token)
    return journey.save_theme(request, number, form, return_to, part)


@router.get("/{token}/check", response_class=HTMLResponse)
async def check_answers(token: str, request: Request) -> Response:
    _, journey = await _journey(request, token)
    return journey.check_answers(request)


@router.post("/{token}/check", response_class=HTMLResponse)
async def send_answers(token: str, request: Request,
                       signed_in: SignedInOrganisation) -> Response:
    # Not checked for "answerable" first: a double click's second request must find the first
    # one's idempotency record (and go to "done"), even though the code is now used.
    survey, journey = await _journey(request, token, answerable=False)
    if gap := journey.unanswered():
        return gap
    await submit_found_async(survey=survey, ratings=journey.draft.public_ratings(),
                             idempotency_key=journey.draft.submission_key,
                             address=client_address(request), signed_in_organisation=signed_in)
    response = journey.finish(f"{journey.base}/done")
    mark_sent(response, path=journey.base)
    return response


@router.get("/{token}/done", response_class=HTMLResponse)
async def done(token: str, request: Request) -> Response:
    if not has_sent(request):
        return redirect(f"/survey/{token}")
    return render(request, "survey/done.html")
