"""The first line against bad input: control characters, oversized bodies, and bugs.

Plain ASGI, in front of every route (issue 13, items 1 and 9):

- a path, query string or body holding a control character (NUL and the rest of Unicode's
  `Cc`; tab, line feed and carriage return are allowed in bodies) is refused with 422, before
  any route sees it: PostgreSQL cannot store a NUL, and no field of this service needs one;
- a body larger than MAX_BODY_BYTES is refused with 413 (by its Content-Length, or while it
  is read when it has none), and nothing of it is stored;
- an unexpected error answers 500 and is logged as a reference id, the exception's type and
  where it was raised, never its message or values (which may carry an email address); the
  same reference is shown to the person, so a report can be matched to the log.

Refusals answer JSON `{"detail": …}` under /api/ and a GOV.UK error page elsewhere.
"""

import json
import logging
import re
import secrets
import traceback
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.core.errors import error_response, server_error_response
from app.core.forms import ascii_digits

log = logging.getLogger("asye360")

CONTROL_CHARACTERS = (
    "What you sent contains a control character (such as a NUL byte), which this service "
    "never accepts. Remove it and try again."
)
_ALLOWED_IN_TEXT = frozenset("\t\n\r")


def has_control_character(text: str, *, multiline: bool = False) -> bool:
    """True when `text` holds a Unicode control character (`multiline`: bar tab and newlines)."""
    return any(
        unicodedata.category(char) == "Cc" and not (multiline and char in _ALLOWED_IN_TEXT)
        for char in text
    )


def _strings_in(value: Any) -> Iterable[str]:
    """Every string in a parsed JSON value, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


# In UTF-8 bytes, a control character is one byte (C0 and DEL; tab, line feed and carriage
# return are allowed in bodies) or C2 followed by 80-9F (C1).
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def _body_has_control_character(body: bytes, content_type: str) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False  # not text: the route refuses what it cannot read
    if content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(text, keep_blank_values=True)
        return any(has_control_character(part, multiline=True) for pair in pairs for part in pair)
    if "json" in content_type:
        if b"\\" not in body and not _RAW_CONTROL.search(body):
            # No escape and no raw control character: none can be in any of its strings, so
            # there is no need to parse it here (the route parses it anyway).
            return False
        try:
            parsed = json.loads(text)
        except ValueError:
            return False  # malformed JSON: FastAPI answers it (400)
        return any(has_control_character(s, multiline=True) for s in _strings_in(parsed))
    return has_control_character(text, multiline=True)


def _query_has_control_character(query_string: bytes) -> bool:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return any(has_control_character(part) for pair in pairs for part in pair)


def _refuse_control_character(request: Request, where: str) -> Response:
    errors = [{"loc": [where], "msg": CONTROL_CHARACTERS, "type": "control_character"}]
    return error_response(request, 422, CONTROL_CHARACTERS, errors=errors)


def log_unexpected_error(error: BaseException) -> str:
    """Log an unexpected error as a new reference, its type and where it was raised; return the
    reference (the person is shown it). Never str(error): messages can hold personal data."""
    reference = secrets.token_hex(6)
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected error, reference %s: %s\n%s", reference, type(error).__name__, frames)
    return reference


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the application `body` (already read) whole, then waits for the
    disconnect as Starlette does."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _TooLarge(Exception):
    pass


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if has_control_character(scope["path"]):
            await _refuse_control_character(request, "path")(scope, receive, send)
            return
        if _query_has_control_character(scope.get("query_string", b"")):
            await _refuse_control_character(request, "query")(scope, receive, send)
            return
        limit = get_settings().max_body_bytes
        try:
            body = await self._read_body(request, receive, limit)
        except _TooLarge:
            message = f"What you sent is larger than {limit // 1024} kB, the most this accepts."
            await error_response(request, 413, message)(scope, receive, send)
            return
        if body and _body_has_control_character(body, request.headers.get("content-type", "")):
            await _refuse_control_character(request, "body")(scope, receive, send)
            return
        await self._call_app(scope, replay_body(body, receive), send)

    @staticmethod
    async def _read_body(request: Request, receive: Receive, limit: int) -> bytes:
        declared = request.headers.get("content-length", "")
        if ascii_digits(declared) and int(declared) > limit:
            raise _TooLarge
        if request.method in ("GET", "HEAD", "OPTIONS") and not declared:
            return b""
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the route sees an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def _call_app(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:  # noqa: BLE001 - the last line: log safely, answer 500
            reference = log_unexpected_error(error)
            if not started:
                response: Response = server_error_response(Request(scope), reference)
                await response(scope, receive, send)
