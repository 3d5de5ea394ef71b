"""The theme-by-theme steps shared by the respondents' survey and the employer's self-assessment.

Both ask one theme per page, keep answers in a draft cookie, and end on check answers; only
their addresses and wording differ, so the navigation lives here once.
"""

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException

from app.statements.loader import StatementSet, Theme
from app.survey.drafts import Draft
from app.survey.forms import ThemeForm


def theme_or_404(statement_set: StatementSet, number: int) -> Theme:
    themes = statement_set.themes
    if not 1 <= number <= len(themes):
        raise HTTPException(status_code=404)
    return themes[number - 1]


def first_theme_missing(statement_set: StatementSet, draft: Draft) -> int | None:
    """The first theme with an unanswered statement, or None when every one is answered."""
    missing = set(draft.missing(statement_set))
    return next(
        (t.number for t in statement_set.themes if any(s.number in missing for s in t.statements)),
        None,
    )


def record_theme(*, form: Mapping[str, Any], theme: Theme, draft: Draft) -> ThemeForm:
    """Parse a theme page into the draft. Answers are kept even when some are missing, so
    going back does not lose what was answered."""
    answers = ThemeForm.parse(form, theme=theme)
    draft.ratings.update(answers.ratings)
    return answers


def next_step(*, number: int, theme_count: int, returning: bool) -> str:
    """Where a complete theme page goes: the next theme, or check answers (`?return=check`)."""
    return "check" if returning or number == theme_count else f"theme/{number + 1}"


def theme_links(*, base: str, number: int, returning: bool, first_back: str) -> tuple[str, str]:
    """The theme page's form action and back link."""
    action = f"{base}/theme/{number}" + ("?return=check" if returning else "")
    if returning:
        back = f"{base}/check"
    elif number == 1:
        back = first_back
    else:
        back = f"{base}/theme/{number - 1}"
    return action, back
