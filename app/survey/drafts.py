"""Answers in progress, kept only in the respondent's browser as an encrypted cookie.

Nothing about a draft is stored by the service: the cookie carries the ratings so far, a random
submission key (so a double click on "Send your answers" stores once) and, for a code-bound
survey, the code. On what may be a shared work computer, none of that may be readable, so the
cookie is encrypted and authenticated (AES-256-GCM, an AEAD, from the maintained `cryptography`
library) under a key derived from SECRET_KEY with HKDF, not merely signed (rule 10): without the
secret it is random bytes, and a changed byte makes it worthless. It expires with its round:
sealed inside it are the time it was written and the moment it expires, the sooner of
DRAFT_MAX_AGE_SECONDS later and the round's closing moment (the end of `closes_on`, UK time,
app.lifecycle.closing); its Max-Age and Expires say the same moment, and one presented after it
is dropped even if timed work has not closed the round yet. It is scoped to one survey's path,
HttpOnly, SameSite=Lax, and deleted when the answers are sent. Once the round closes its pages
refuse every draft, so the answers in it can never be sent. A second
cookie, holding nothing but "1", lets the start page say that this browser has already sent
answers; it never stops anyone answering.
"""

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response

from app.config import get_settings
from app.lifecycle.closing import closing_moment
from app.statements.loader import StatementSet

DRAFT_COOKIE = "asye360_answers"
SENT_COOKIE = "asye360_sent"
# A draft older than this is dropped: long enough to come back after a break, short enough that
# a shared computer does not keep someone's answers for days.
DRAFT_MAX_AGE_SECONDS = 24 * 60 * 60
SENT_MAX_AGE_SECONDS = 365 * 24 * 60 * 60
_CONTEXT = b"asye360.survey.draft"
_NONCE_BYTES = 12  # what GCM is made for; random, so never repeated under one key in practice


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
    """The draft this browser sent for this path, or None (none, forged, too old, or past its
    round's closing moment)."""
    raw = request.cookies.get(DRAFT_COOKIE)
    if not raw:
        return None
    try:
        data = _open(raw)
        now = _now()
        if not 0 <= now - data["t"] <= DRAFT_MAX_AGE_SECONDS or now >= data.get("e", now + 1):
            return None
        ratings = {
            int(number): score
            for number, score in data["r"].items()
            if score is None or (type(score) is int and 1 <= score <= 5)
        }
        return Draft(ratings=ratings, submission_key=str(data["k"]), code=data.get("c"))
    except (InvalidTag, KeyError, TypeError, ValueError, AttributeError):
        return None


def write_draft(response: Response, draft: Draft, *, path: str,
                closes_on: date | None = None) -> None:
    """Set the draft's cookie, to expire after a day or at the round's closing moment (when it
    has a closing date), whichever comes first."""
    now = _now()
    expires = now + DRAFT_MAX_AGE_SECONDS
    if closes_on is not None:
        expires = min(expires, closing_moment(closes_on).timestamp())
    expires = int(expires)  # whole seconds, rounded down: never after the closing moment
    data = {"r": draft.public_ratings(), "k": draft.submission_key, "t": int(now), "e": expires}
    if draft.code is not None:
        data["c"] = draft.code
    response.set_cookie(DRAFT_COOKIE, _seal(data), path=path, max_age=max(0, int(expires - now)),
                        expires=datetime.fromtimestamp(expires, UTC), **_cookie_flags())


def clear_draft(response: Response, *, path: str) -> None:
    response.delete_cookie(DRAFT_COOKIE, path=path, **_cookie_flags())


def has_sent(request: Request) -> bool:
    return request.cookies.get(SENT_COOKIE) == "1"


def mark_sent(response: Response, *, path: str) -> None:
    response.set_cookie(
        SENT_COOKIE, "1", max_age=SENT_MAX_AGE_SECONDS, path=path, **_cookie_flags()
    )


def _now() -> float:
    """The clock drafts are dated by (a function of its own, so tests can move it)."""
    return time.time()


def _seal(data: dict) -> str:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _cipher(get_settings().secret_key).encrypt(
        nonce, json.dumps(data, separators=(",", ":")).encode(), _CONTEXT)
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def _open(raw: str) -> dict:
    """The draft's data; InvalidTag when it was not sealed under this secret, or was changed."""
    blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    if len(blob) <= _NONCE_BYTES:
        raise ValueError("too short to be a draft")
    plain = _cipher(get_settings().secret_key).decrypt(
        blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _CONTEXT)
    return json.loads(plain)


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> AESGCM:
    """AES-256-GCM under a key of its own, derived from SECRET_KEY (HKDF-SHA256), so the draft
    key is never the key that signs sessions or hashes codes."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(
        secret_key.encode())
    return AESGCM(key)


def _cookie_flags() -> dict:
    secure = get_settings().environment == "production"
    return {"httponly": True, "samesite": "lax", "secure": secure}
