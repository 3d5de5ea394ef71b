"""Answers in progress, kept only in the respondent's browser as a signed cookie.

Nothing about a draft is stored by the service: the cookie carries the ratings so far, a random
submission key (so a double click on "Send your answers" stores once) and, for a code-bound
survey, the code. It is signed (not encrypted: it holds only what the respondent chose), scoped
to one survey's path, HttpOnly, SameSite=Lax, lasts for the browser session and is deleted when
the answers are sent. A second cookie, holding nothing but "1", lets the start page say that this
browser has already sent answers; it never stops anyone answering.
"""

import secrets
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from app.config import get_settings
from app.statements.loader import StatementSet

DRAFT_COOKIE = "asye360_answers"
SENT_COOKIE = "asye360_sent"
# A draft older than this is dropped: long enough to come back after a break, short enough that
# a shared computer does not keep someone's answers for days.
DRAFT_MAX_AGE_SECONDS = 24 * 60 * 60
SENT_MAX_AGE_SECONDS = 365 * 24 * 60 * 60
_SALT = "asye360.survey.draft"


@dataclass
class Draft:
    """One respondent's answers so far: statement number → score, or None for "I do not know"."""

    ratings: dict[int, int | None] = field(default_factory=dict)
    submission_key: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    code: str | None = None

    def missing(self, statement_set: StatementSet) -> list[int]:
        return [n for n in statement_set.numbers if n not in self.ratings]

    def public_ratings(self) -> dict[str, int | None]:
        """The ratings as the API and `parse_ratings` take them."""
        return {str(n): score for n, score in self.ratings.items()}


def read_draft(request: Request) -> Draft | None:
    """The draft this browser sent for this path, or None (none, forged, or too old)."""
    raw = request.cookies.get(DRAFT_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=DRAFT_MAX_AGE_SECONDS)
        ratings = {
            int(number): score
            for number, score in data["r"].items()
            if score is None or (type(score) is int and 1 <= score <= 5)
        }
        return Draft(ratings=ratings, submission_key=str(data["k"]), code=data.get("c"))
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def write_draft(response: Response, draft: Draft, *, path: str) -> None:
    data = {"r": draft.public_ratings(), "k": draft.submission_key}
    if draft.code is not None:
        data["c"] = draft.code
    response.set_cookie(DRAFT_COOKIE, _serializer().dumps(data), path=path, **_cookie_flags())


def clear_draft(response: Response, *, path: str) -> None:
    response.delete_cookie(DRAFT_COOKIE, path=path, **_cookie_flags())


def has_sent(request: Request) -> bool:
    return request.cookies.get(SENT_COOKIE) == "1"


def mark_sent(response: Response, *, path: str) -> None:
    response.set_cookie(
        SENT_COOKIE, "1", max_age=SENT_MAX_AGE_SECONDS, path=path, **_cookie_flags()
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=_SALT)


def _cookie_flags() -> dict:
    secure = get_settings().environment == "production"
    return {"httponly": True, "samesite": "lax", "secure": secure}
