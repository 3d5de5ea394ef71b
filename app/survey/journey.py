"""One theme journey, for respondents and for the employer's self-assessment.

Both ask one theme per page, a long theme split into parts of at most `STATEMENTS_PER_PAGE`
statements ("Theme 1, part 2 of 3"), keep the answers in a draft cookie scoped to their pages,
let Change links from check answers come back to the statement's part (`?return=check`), and end
on check answers; only their addresses, wording and what "send" does differ. A router builds a
`Journey` and hands it each request in a line or two:

    journey.show_theme(request, number, return_to, part)        GET  a theme page (below)
    journey.save_theme(request, number, form, return_to, part)  POST the same
    journey.check_answers(request)                              GET  {base}/check
    journey.unanswered()                        before sending: back to a gap, or None
    journey.finish(url)                         after sending: go on, draft dropped

A theme page is `{base}/theme/{number}` (its first part) and `{base}/theme/{number}/part/{part}`.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from app.core.routing import redirect
from app.core.templating import environment, render
from app.errors import NotFound
from app.statements.loader import ScalePoint, Statement, StatementSet, Theme
from app.survey.drafts import Draft, clear_draft, write_draft
from app.survey.forms import ThemeForm, answer_value, statement_field

# `?return=check`: a Change link from check answers, which goes back there once saved.
ReturnTo = Annotated[str | None, Query(alias="return")]
RETURN_TO_CHECK = "check"

# The most statements on one page: a longer theme is split into parts (19 → 7, 6, 6).
STATEMENTS_PER_PAGE = 8


def part_sizes(count: int, most: int = STATEMENTS_PER_PAGE) -> list[int]:
    """How many statements each part of a theme of `count` shows: as few parts as fit `most`,
    their sizes as even as can be, the larger ones first (19 → 7, 6, 6; 17 → 6, 6, 5)."""
    parts = -(-count // most)
    size, extra = divmod(count, parts)
    return [size + 1] * extra + [size] * (parts - extra)


@dataclass(frozen=True)
class Page:
    """One page of the journey: part `part` of `parts` of a theme, `index` counting from 1 over
    the whole journey. `theme` holds only this part's statements (the form and its errors are
    this part's); `theme_number` is the theme's number."""

    theme: Theme
    part: int
    parts: int
    index: int

    @property
    def theme_number(self) -> int:
        return self.theme.number

    def path(self) -> str:
        """The page's address under the journey's base; a theme's first part keeps the theme's."""
        suffix = f"/part/{self.part}" if self.part > 1 else ""
        return f"/theme/{self.theme.number}{suffix}"


def journey_pages(statement_set: StatementSet) -> list[Page]:
    """Every page of a statement set's journey, in order: each theme's parts, theme by theme."""
    pages: list[Page] = []
    for theme in statement_set.themes:
        sizes = part_sizes(len(theme.statements))
        start = 0
        for part, size in enumerate(sizes, start=1):
            statements = theme.statements[start:start + size]
            start += size
            pages.append(Page(theme=theme.model_copy(update={"statements": statements}),
                              part=part, parts=len(sizes), index=len(pages) + 1))
    return pages


def statement_radios(statement: Statement, statement_set: StatementSet, value: str | None,
                     error: str | None) -> Markup:
    """One statement's radios fieldset (the `statement_radios` macro of survey/macros.html), made
    once per process for each answer and error it can show.

    GOV.UK Frontend's radios macro (a fieldset, a legend, seven items, a divider, an error
    message, each a macro of its own) was most of a theme page's CPU: about 0.8 ms a statement,
    eight to a page (bench/README.md, benchmark 5). Its output depends only on these arguments,
    of which the set's scale and "I do not know" label are all the macro reads from the set, so
    the same HTML is kept and reused: byte for byte what the macro writes.
    """
    return _statement_radios(statement, statement_set.scale, statement_set.do_not_know, value,
                             error)


@lru_cache(maxsize=4096)  # a few sets × 32 statements × 8 states (7 answers, or an error)
def _statement_radios(statement: Statement, scale: tuple[ScalePoint, ...], do_not_know: str,
                      value: str | None, error: str | None) -> Markup:
    macro = environment.get_template("survey/macros.html").module.statement_radios
    return Markup(macro(statement, {"scale": scale, "do_not_know": do_not_know}, value, error))


def answers_list(theme: Theme, statement_set: StatementSet, ratings: Mapping[int, int | None],
                 change_urls: Mapping[int, str]) -> Markup:
    """One theme's answers on check answers (the `answers_list` macro of survey/macros.html):
    each statement's answer, as its scale label or "I do not know", and its Change link.

    The summary-list macro is a chain of macros per row, and the 32 rows were about a quarter
    of the journey's CPU (bench/README.md, benchmark 5). So the list is made once per process
    for each theme with a placeholder in place of every answer and link, and a page fills in
    its own, escaped as the macro escapes them: byte for byte what the macro writes.
    """
    labels = _scale_labels(statement_set.scale)
    numbers = [statement.number for statement in theme.statements]
    values = {n: statement_set.do_not_know if ratings.get(n) is None else labels[ratings[n]]
              for n in numbers}
    hrefs = {n: change_urls[n] for n in numbers}
    if any(_LINE_BREAK.search(text) for text in (*values.values(), *hrefs.values())):
        # The macro indents a link's lines: the made list holds for one-line texts only (the
        # journey's links and the sets' labels all are).
        return Markup(_answers_list_macro()(theme, values, hrefs))

    def fill(found: re.Match[str]) -> str:
        number = int(found.group(2))
        return escape((hrefs if found.group(1) == "href" else values)[number])

    return Markup(_PLACEHOLDER.sub(fill, _answers_list(theme)))


# "\0value:7\0": no statement text or label holds a NUL, and escaping leaves it as it is.
_PLACEHOLDER = re.compile("\0(value|href):([0-9]+)\0")


# What str.splitlines splits at, and so the `indent` filter of GOV.UK's macro.
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


@lru_cache(maxsize=256)  # a few statement sets × their themes
def _answers_list(theme: Theme) -> str:
    numbers = [statement.number for statement in theme.statements]
    return str(_answers_list_macro()(theme, {n: f"\0value:{n}\0" for n in numbers},
                                     {n: f"\0href:{n}\0" for n in numbers}))


def _answers_list_macro() -> Any:
    return environment.get_template("survey/macros.html").module.answers_list


@lru_cache(maxsize=16)
def _scale_labels(scale: tuple[ScalePoint, ...]) -> dict[int, str]:
    return {point.value: f"{point.value} – {point.label}" for point in scale}


@dataclass
class Journey:
    """One person's way through a statement set's themes, under `base`.

    `draft` is what their browser sent (or a new one); answers to statements the set does not
    have are dropped. `first_back` is where the first theme's back link goes; `caption` is a
    format string of `number` and `count`, and `part_caption` the one of a theme in parts (of
    `number`, `part` and `parts`); the templates may extend survey/theme.html and
    survey/check.html, and `check` adds to the check page's context.
    """

    statement_set: StatementSet
    draft: Draft
    base: str
    first_back: str
    caption: str = "Theme {number} of {count}"
    part_caption: str = "Theme {number}, part {part} of {parts}"
    theme_template: str = "survey/theme.html"
    check_template: str = "survey/check.html"
    check: dict[str, Any] = field(default_factory=dict)
    # Shown on every page of the journey, e.g. "This evaluation closes on 14 March 2026".
    notice: str | None = None
    # The round's closing date: the draft cookie expires at its end, if not sooner.
    closes_on: date | None = None
    pages: list[Page] = field(init=False)

    def __post_init__(self) -> None:
        numbers = set(self.statement_set.numbers)
        self.draft.ratings = {n: s for n, s in self.draft.ratings.items() if n in numbers}
        self.pages = journey_pages(self.statement_set)

    @property
    def start_url(self) -> str:
        return self.url(self.pages[0])

    def url(self, page: Page) -> str:
        return self.base + page.path()

    @property
    def check_url(self) -> str:
        return f"{self.base}/check"

    def page(self, number: int, part: int = 1) -> Page:
        """Part `part` of theme `number`; NotFound for a theme or part there is not."""
        found = next((p for p in self.pages if (p.theme_number, p.part) == (number, part)), None)
        if found is None:
            raise NotFound("No such theme")
        return found

    def first_unanswered_theme(self) -> int | None:
        """The first theme with an unanswered statement, or None when every one is answered."""
        page = self._first_unanswered_page()
        return None if page is None else page.theme_number

    def _first_unanswered_page(self) -> Page | None:
        missing = set(self.draft.missing(self.statement_set))
        return next((p for p in self.pages
                     if any(s.number in missing for s in p.theme.statements)), None)

    def unanswered(self) -> RedirectResponse | None:
        """A redirect to the first page with a gap, or None when the answers are complete."""
        missing = self._first_unanswered_page()
        return None if missing is None else redirect(self.url(missing))

    def show_theme(self, request: Request, number: int, return_to: str | None,
                   part: int = 1) -> HTMLResponse:
        page = self.page(number, part)
        selected = {statement_field(s.number): answer_value(self.draft.ratings[s.number])
                    for s in page.theme.statements if s.number in self.draft.ratings}
        return self._theme_page(request, page, selected, {}, return_to == RETURN_TO_CHECK)

    def save_theme(self, request: Request, number: int, form: Mapping[str, Any],
                   return_to: str | None, part: int = 1) -> Response:
        """Keep the part's answers in the draft (even when some are missing, so going back
        loses nothing); then the next page, check answers, or this page with its errors (only
        this part's statements are asked, so only they can be missing)."""
        page = self.page(number, part)
        returning = return_to == RETURN_TO_CHECK
        answers = ThemeForm.parse(form, theme=page.theme)
        self.draft.ratings.update(answers.ratings)
        if answers.errors:
            response: Response = self._theme_page(request, page, answers.selected,
                                                  answers.errors, returning, status_code=422)
        elif returning or page.index == len(self.pages):
            response = redirect(self.check_url)
        else:
            response = redirect(self.url(self.pages[page.index]))
        write_draft(response, self.draft, path=self.base, closes_on=self.closes_on)
        return response

    def change_urls(self) -> dict[int, str]:
        """Each statement's Change link: its part of its theme, scrolled to its fieldset."""
        return {s.number: f"{self.url(p)}?return=check#statement-{s.number}-question"
                for p in self.pages for s in p.theme.statements}

    def check_answers(self, request: Request) -> Response:
        return self.unanswered() or render(request, self.check_template, {
            "statement_set": self.statement_set,
            "ratings": self.draft.ratings,
            "change_urls": self.change_urls(),
            "form_action": self.check_url,
            "back_link": self.url(self.pages[-1]),
            "notice": self.notice,
            "answers_list": answers_list,
            **self.check,
        })

    def finish(self, url: str) -> RedirectResponse:
        """Where to go once the answers are sent or saved; the draft is deleted."""
        response = redirect(url)
        clear_draft(response, path=self.base)
        return response

    def _theme_page(self, request: Request, page: Page, selected: dict[str, str],
                    errors: dict[str, str], returning: bool, status_code: int = 200
                    ) -> HTMLResponse:
        if returning:
            back = self.check_url
        elif page.index == 1:
            back = self.first_back
        else:
            back = self.url(self.pages[page.index - 2])
        if page.parts > 1:
            caption = self.part_caption.format(number=page.theme_number, part=page.part,
                                               parts=page.parts)
        else:
            caption = self.caption.format(number=page.theme_number,
                                          count=len(self.statement_set.themes))
        return render(request, self.theme_template, {
            "statement_set": self.statement_set,
            "theme": page.theme,
            "caption": caption,
            "progress": f"Page {page.index} of {len(self.pages)}",
            "selected": selected,
            "errors": errors,
            "summary_errors": ThemeForm.summary(errors, theme=page.theme),
            "form_action": self.url(page) + ("?return=check" if returning else ""),
            "back_link": back,
            "notice": self.notice,
            "statement_radios": statement_radios,
        }, status_code=status_code)
