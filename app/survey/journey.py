"""One theme journey, for respondents and for the employer's self-assessment.

Both ask one theme per page, keep the answers in a draft cookie scoped to their pages, let
Change links from check answers come back there (`?return=check`), and end on check answers;
only their addresses, wording and what "send" does differ. A router builds a `Journey` and
hands it each request in a line or two:

    journey.show_theme(request, number, return_to)        GET  {base}/theme/{number}
    journey.save_theme(request, number, form, return_to)  POST {base}/theme/{number}
    journey.check_answers(request)                        GET  {base}/check
    journey.unanswered()                                  before sending: back to a gap, or None
    journey.finish(url)                                   after sending: go on, draft dropped
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.core.routing import redirect
from app.core.templating import render
from app.errors import NotFound
from app.statements.loader import StatementSet, Theme
from app.survey.drafts import Draft, clear_draft, write_draft
from app.survey.forms import ThemeForm, answer_value, statement_field

# `?return=check`: a Change link from check answers, which goes back there once saved.
ReturnTo = Annotated[str | None, Query(alias="return")]
RETURN_TO_CHECK = "check"


@dataclass
class Journey:
    """One person's way through a statement set's themes, under `base`.

    `draft` is what their browser sent (or a new one); answers to statements the set does not
    have are dropped. `first_back` is where the first theme's back link goes; `caption` is a
    format string of `number` and `count`; the templates may extend survey/theme.html and
    survey/check.html, and `check` adds to the check page's context.
    """

    statement_set: StatementSet
    draft: Draft
    base: str
    first_back: str
    caption: str = "Theme {number} of {count}"
    theme_template: str = "survey/theme.html"
    check_template: str = "survey/check.html"
    check: dict[str, Any] = field(default_factory=dict)
    # Shown on every page of the journey, e.g. "This evaluation closes on 14 March 2026".
    notice: str | None = None

    def __post_init__(self) -> None:
        numbers = set(self.statement_set.numbers)
        self.draft.ratings = {n: s for n, s in self.draft.ratings.items() if n in numbers}

    @property
    def start_url(self) -> str:
        return f"{self.base}/theme/1"

    @property
    def check_url(self) -> str:
        return f"{self.base}/check"

    def theme(self, number: int) -> Theme:
        themes = self.statement_set.themes
        if not 1 <= number <= len(themes):
            raise NotFound("No such theme")
        return themes[number - 1]

    def first_unanswered_theme(self) -> int | None:
        """The first theme with an unanswered statement, or None when every one is answered."""
        missing = set(self.draft.missing(self.statement_set))
        return next((t.number for t in self.statement_set.themes
                     if any(s.number in missing for s in t.statements)), None)

    def unanswered(self) -> RedirectResponse | None:
        """A redirect to the first theme with a gap, or None when the answers are complete."""
        missing = self.first_unanswered_theme()
        return None if missing is None else redirect(f"{self.base}/theme/{missing}")

    def show_theme(self, request: Request, number: int, return_to: str | None) -> HTMLResponse:
        theme = self.theme(number)
        selected = {statement_field(s.number): answer_value(self.draft.ratings[s.number])
                    for s in theme.statements if s.number in self.draft.ratings}
        return self._theme_page(request, theme, selected, {}, return_to == RETURN_TO_CHECK)

    def save_theme(self, request: Request, number: int, form: Mapping[str, Any],
                   return_to: str | None) -> Response:
        """Keep the theme's answers in the draft (even when some are missing, so going back
        loses nothing); then the next theme, check answers, or this page with its errors."""
        theme = self.theme(number)
        returning = return_to == RETURN_TO_CHECK
        answers = ThemeForm.parse(form, theme=theme)
        self.draft.ratings.update(answers.ratings)
        if answers.errors:
            response: Response = self._theme_page(request, theme, answers.selected,
                                                  answers.errors, returning, status_code=422)
        elif returning or number == len(self.statement_set.themes):
            response = redirect(self.check_url)
        else:
            response = redirect(f"{self.base}/theme/{number + 1}")
        write_draft(response, self.draft, path=self.base)
        return response

    def check_answers(self, request: Request) -> Response:
        return self.unanswered() or render(request, self.check_template, {
            "statement_set": self.statement_set,
            "ratings": self.draft.ratings,
            "change_url": self.base + "/theme/{theme}?return=check#statement-{statement}-question",
            "form_action": self.check_url,
            "back_link": f"{self.base}/theme/{len(self.statement_set.themes)}",
            "notice": self.notice,
            **self.check,
        })

    def finish(self, url: str) -> RedirectResponse:
        """Where to go once the answers are sent or saved; the draft is deleted."""
        response = redirect(url)
        clear_draft(response, path=self.base)
        return response

    def _theme_page(self, request: Request, theme: Theme, selected: dict[str, str],
                    errors: dict[str, str], returning: bool, status_code: int = 200
                    ) -> HTMLResponse:
        number = theme.number
        if returning:
            back = self.check_url
        elif number == 1:
            back = self.first_back
        else:
            back = f"{self.base}/theme/{number - 1}"
        return render(request, self.theme_template, {
            "statement_set": self.statement_set,
            "theme": theme,
            "caption": self.caption.format(number=number, count=len(self.statement_set.themes)),
            "selected": selected,
            "errors": errors,
            "summary_errors": ThemeForm.summary(errors, theme=theme),
            "form_action": f"{self.base}/theme/{number}" + ("?return=check" if returning else ""),
            "back_link": back,
            "notice": self.notice,
        }, status_code=status_code)
