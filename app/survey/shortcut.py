"""The launch-day submission without the framework: plain ASGI for the one hot request.

`POST /api/v1/survey/{token}/responses` is nearly every request on launch day (bench/README.md,
benchmark 1). Through the application it spends most of its CPU outside the work itself: five
middleware layers, matching ~150 routes, solving dependencies, validating the body into a model
and serialising the answer. For a link this process already knows, on PostgreSQL, this handles
the plain case itself: a JSON body that is exactly `{"ratings": {...}}`, no credentials, at most
one Idempotency-Key. It makes the same one call of `asye_submit_response` as the route
(`app.survey.submit`), so what is stored and what is answered are the same bytes.

It sits in front of the whole application (`app.main`), so it does for the plain case what the
layers it skips do: the body limit (a declared length within MAX_BODY_BYTES and 8 kB); the
control-character refusal, which cannot apply (the token is URL-safe characters, there is no
query string, and a body that is exactly `{"ratings": …}` and passes rule 3 holds no string but
statement numbers); the security headers (`app.core.middleware.security_headers`); and an
unexpected error logged and answered as the guard does (`app.core.guard`).

With rate limits on (production), the link's count is made here first, as the route makes it,
on the limiter's own event-loop connections (`service.count_plain_submission_async`).

Everything else is handed on untouched, body included, to the application and its route:
ratings that break rule 3, an unknown link, a round that is not open, a used code, a link over
its ceiling, anything with a cookie or a bearer token (rule 11 looks at them). Handing on is
safe after the call too, because a refusal writes nothing, and whatever this counted is taken
back first: the route then counts and checks everything again and answers in its own words, so
the counts end as if the route alone had seen the request. A stored answer is never handed on
(the route would store it again); it is answered with bytes made once per link. A lost database
connection is answered 503 here, as the route answers it, and never retried: the call may have
committed.
"""

import json
import re
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app import ratelimit
from app.config import get_settings
from app.core.errors import handle_database_unavailable, server_error_response
from app.core.guard import log_unexpected_error, replay_body
from app.core.middleware import security_headers
from app.core.routing import API_PREFIX
from app.survey.ratings import RatingsError
from app.survey.schemas import ResponseStored
from app.survey.submit import (
    STORED,
    async_pool_if_ready,
    call_async,
    count_plain_async,
    link_known,
    submission_params,
)
from app.vocabulary import RoundStatus

# Tokens are URL-safe base64 (app.survey.links); anything else goes the long way.
_PATH = re.compile(rf"^{re.escape(API_PREFIX)}/survey/([A-Za-z0-9_-]{{1,128}})/responses$")
_MAX_BODY = 8 * 1024  # a complete response is about 300 bytes; anything larger goes the long way
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


class SubmissionShortcut:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plain = _plain_submission(scope) if scope["type"] == "http" else None
        if plain is None:
            await self.app(scope, receive, send)
            return
        token, key = plain
        body = await _read_body(receive)
        try:
            answer = await _submit(token, key, body) if body is not None else None
        except Exception as error:  # noqa: BLE001 - as the guard: log safely, answer 500
            answer = server_error_response(_API_REQUEST, log_unexpected_error(error))
        if answer is None:  # not the plain case, or refused: the route decides and answers
            await self.app(scope, replay_body(body or b"", receive), send)
            return
        global _answered
        _answered += 1
        if isinstance(answer, _Stored):
            await send({"type": "http.response.start", "status": 201, "headers": answer.headers})
            await send({"type": "http.response.body", "body": answer.body})
            return
        for name, value in _security_headers(_production()):
            answer.headers.setdefault(name, value)
        await answer(scope, receive, send)


_answered = 0


def shortcut_answers() -> int:
    """Submissions this process answered here (tests tell the two paths apart by it)."""
    return _answered


def _plain_submission(scope: Scope) -> tuple[str, str | None] | None:
    """(token, Idempotency-Key) when the request may be the plain case, else None."""
    if scope["method"] != "POST" or scope.get("query_string"):
        return None
    match = _PATH.match(scope["path"])
    if match is None or not link_known(match.group(1)):
        return None
    key, json_body, length = None, False, None
    for name, value in scope["headers"]:
        if name in (b"authorization", b"cookie"):
            return None
        if name == b"idempotency-key":
            if key is not None:
                return None
            key = value.decode("latin-1")
            if not _IDEMPOTENCY_KEY.match(key):
                return None
        elif name == b"content-type":
            json_body = value.split(b";")[0].strip().lower() == b"application/json"
        elif name == b"content-length":
            length = int(value) if value.isdigit() else None
    if not json_body or length is None or length > min(_MAX_BODY, get_settings().max_body_bytes):
        return None
    return match.group(1), key


async def _read_body(receive: Receive) -> bytes | None:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None  # the client went away
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _submit(token: str, key: str | None, body: bytes) -> "_Stored | Response | None":
    """The answer to a plain submission once stored (or repeated), a 503 when the database is
    out of reach, else None (the route's to answer)."""
    pool = async_pool_if_ready()
    try:
        sent = json.loads(body)
    except ValueError:
        return None
    if pool is None or not isinstance(sent, dict) or sent.keys() != {"ratings"}:
        return None
    try:
        params = submission_params(token, sent["ratings"], key)
        # With rate limits on, the link's count comes first, as the route counts it.
        counted = await count_plain_async(token) if get_settings().rate_limits_on else ""
        if counted is None:
            return None  # over the ceiling, counted back: the route counts again and refuses
        row = await call_async(pool, params)
        if row.outcome not in STORED:
            if counted:
                await ratelimit.forgive_async(counted)
            return None  # a refusal wrote nothing: the route runs the whole check again
    except (RatingsError, KeyError):  # before anything is counted or stored (KeyError: the
        return None  # link was forgotten meanwhile)
    except OperationalError as error:
        return await handle_database_unavailable(_API_REQUEST, error)
    # Stored (or stored before, under this key) is answered here whatever else happens: handing
    # it on now would store it a second time.
    return _stored(row.organisation_name, row.programme, row.year, row.respondent_type,
                   _production())


class _Stored(NamedTuple):
    body: bytes
    headers: list[tuple[bytes, bytes]]


@lru_cache(maxsize=4096)
def _stored(organisation: str, programme: str, year: str, respondent_type: str,
            production: bool) -> _Stored:
    """The route's 201 to a stored submission, body and headers (the security headers
    included), made once per link as the route makes it: an open round's answer depends on
    nothing else (its status is "open")."""
    stored = ResponseStored(round={"organisation": organisation, "programme": programme,
                                   "year": year, "status": RoundStatus.OPEN},
                            respondent_type=respondent_type)
    answer = JSONResponse(stored.model_dump(mode="json"), status_code=201)
    for name, value in _security_headers(production):
        answer.headers.setdefault(name, value)
    return _Stored(answer.body, answer.raw_headers)


def _production() -> bool:
    return get_settings().environment == "production"


@lru_cache(maxsize=2)
def _security_headers(production: bool) -> tuple[tuple[str, str], ...]:
    return tuple(security_headers(production=production))


# What the 503 handler reads of a request: only that it is one of the API's.
_API_REQUEST = Request({"type": "http", "path": f"{API_PREFIX}/survey", "headers": []})
