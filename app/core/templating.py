"""The Jinja2 environment for pages: our templates plus the GOV.UK Frontend macros."""

import re
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Undefined,
)
from jinja2.utils import missing
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.config import ROOT, get_settings
from app.partnerships.service import label_of, partnership_labels
from app.statements.reference import get_reference
from app.vocabulary import ABBREVIATIONS, counted, noun, plural


class GovukStrictUndefined(StrictUndefined):
    """Strict for a name the page was never given; lenient for a missing key of a value it was.

    GOV.UK Frontend's macros test optional parameters with `{% if params.classes %}`, which plain
    StrictUndefined refuses, yet a typo in one of our own variable names should still fail loudly.
    """

    __slots__ = ()

    def _lenient(self) -> bool:
        # GOV.UK's macros also use the bare names `undefined` and `null` as JavaScript would.
        return self._undefined_obj is not missing or self._undefined_name in (
            "caller",
            "undefined",
            "null",
        )

    def __str__(self) -> str:
        return "" if self._lenient() else self._fail_with_undefined_error()

    def __bool__(self) -> bool:
        return False if self._lenient() else self._fail_with_undefined_error()

    def __iter__(self):
        return iter(()) if self._lenient() else self._fail_with_undefined_error()

    def __len__(self) -> int:
        return 0 if self._lenient() else self._fail_with_undefined_error()

    def __contains__(self, item) -> bool:
        return False if self._lenient() else self._fail_with_undefined_error()

    __eq__, __ne__, __hash__ = Undefined.__eq__, Undefined.__ne__, Undefined.__hash__


environment = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(ROOT / "frontend" / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=True,
    undefined=GovukStrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # Templates are read once per process. With reloading on, every include and macro import
    # of every page stats its file (GOV.UK Frontend's macros import each other): a third of a
    # survey page's CPU under load (bench/README.md, benchmark 5). Restart to see an edit.
    auto_reload=False,
)


_ABBREVIATION = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")(s?)\b")


def abbreviations(text: str) -> Markup:
    """Statement text with each abbreviation marked up with its expansion, once per text:
    `<abbr title="Post-qualifying Standards">PQS</abbr>` (the glossary lists them all)."""
    seen: set[str] = set()

    def expand(match: re.Match) -> str:
        short = match.group(1)
        if short in seen:
            return match.group(0)
        seen.add(short)
        return f'<abbr title="{ABBREVIATIONS[short]}">{match.group(0)}</abbr>'

    return Markup(_ABBREVIATION.sub(expand, str(escape(text))))


def signed(value) -> str:
    """A displayed change with its sign, as a reader expects it: +0.3, -0.2, +0.0."""
    return f"{value:+}"


def sentence(text: str) -> str:
    """A phrase opening a sentence: its first letter upper case and the rest as written (Jinja's
    `capitalize` lowers the rest, and a reason may name a region or a Teaching Partnership)."""
    return text[:1].upper() + text[1:]


def label(key: str | None, list_name: str) -> str:
    """A reference key as people read it: `{{ round.programme | label("programmes") }}`."""
    if list_name == "teaching_partnerships":
        return label_of(partnership_labels(), key)
    return get_reference().label(list_name, key)


_MADE_ONCE: dict[tuple, Markup] = {}
_MADE_ONCE_MOST = 4096  # a bound: back links carry a survey's token, so keys keep coming


def once(macro, params: dict[str, Any]) -> Markup:
    """`macro(params)`, made once per process for each `params`: `{{ once(govukButton, {…}) }}`.

    For GOV.UK Frontend's component macros, imported without context, whose HTML depends only on
    their params (the header, the phase banner, buttons, back links on every page). Each is a
    chain of macros, and together they were a large part of a survey page's CPU (bench/README.md,
    benchmark 5); the page template even renders its header twice. Params that are not plain data
    (strings, markup, numbers, lists and dicts of them) are not remembered.
    """
    try:
        key = (macro, _frozen(params))
    except TypeError:
        return macro(params)
    made = _MADE_ONCE.get(key)
    if made is None:
        if len(_MADE_ONCE) >= _MADE_ONCE_MOST:
            _MADE_ONCE.clear()
        made = _MADE_ONCE[key] = Markup(macro(params))
    return made


def _frozen(value: Any) -> Any:
    """A hashable copy of `value` that tells markup from text (they render differently)."""
    if isinstance(value, dict):
        return (dict, tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return (list, tuple(_frozen(item) for item in value))
    if value is None or isinstance(value, str | int | float):
        return (type(value), value)
    raise TypeError(f"not plain data: {type(value).__name__}")


environment.filters["signed"] = signed
environment.filters["label"] = label
environment.filters["sentence"] = sentence
environment.filters["counted"] = counted
environment.filters["abbreviations"] = abbreviations
environment.globals["ABBREVIATIONS"] = ABBREVIATIONS
environment.globals["once"] = once
environment.filters["plural"] = plural
environment.filters["noun"] = noun
# Words that depend on a setting read it: `{{ settings().small_group_k }}`, never a literal.
environment.globals["settings"] = get_settings
templates = Jinja2Templates(env=environment)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page with what every layout needs: the signed-in user and the CSRF token."""
    page = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, page, status_code=status_code, headers=headers)
