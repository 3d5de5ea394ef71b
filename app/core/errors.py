"""The one error path: JSON `{"detail": …}` under /api/, a GOV.UK page for people elsewhere.

Every refusal reaches a person the same way, whatever raised it: a domain error
(app.errors.DomainError), an HTTP exception (not signed in, not found…), a request that does not
validate, a busy database (503 with Retry-After), or a bug (500, logged, no internals shown).
"""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.routing import is_api_request
from app.core.templating import render
from app.errors import DomainError

log = logging.getLogger("asye360")

SERVER_ERROR_DETAIL = "Internal server error"
BUSY = "The service is busy. Try again in a few seconds."
MALFORMED_JSON = "The body is not valid JSON"

# Headings for statuses without a page of their own, in GOV.UK's plain style.
ERROR_HEADINGS = {
    400: "There is a problem with the request",
    401: "You need to sign in",
    403: "You do not have permission to see this page",
    405: "This page cannot be used like that",
    409: "This cannot be done now",
    410: "This page is no longer available",
    413: "What you sent is too large",
    422: "There is a problem with what you sent",
    429: "There have been too many attempts",
    503: "Sorry, the service is unavailable",
}

# Served when even the error template cannot be rendered: no template, no stack trace.
_BARE_500_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    "<title>Sorry, there is a problem with the service – ASYE 360</title></head>"
    '<body><main id="main-content"><h1>Sorry, there is a problem with the service</h1>'
    "<p>Try again later.</p></main></body></html>"
)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    # Only a lost, locked or saturated database is "busy"; any other database error is a bug
    # and goes to the 500 handler, so it is not hidden behind a retry.
    for busy in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(busy, handle_database_unavailable)
    app.add_exception_handler(Exception, handle_unexpected_error)
    _document_errors(app)


# What `handle_validation_error` sends, in place of FastAPI's default `{"detail": [...]}`.
_VALIDATION_ERROR = "HTTPValidationError"
_VALIDATION_ERROR_SCHEMA = {
    "title": _VALIDATION_ERROR,
    "description": "The request is not valid: one sentence per problem, and each problem.",
    "type": "object",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string", "title": "Detail",
                   "examples": ["ratings: Field required"]},
        "errors": {"type": "array", "title": "Errors",
                   "items": {"$ref": "#/components/schemas/ValidationError"}},
    },
}
_MALFORMED_BODY = {
    "description": "The body cannot be read (not valid JSON, or not the declared media type)",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["detail"],
        "properties": {"detail": {"type": "string", "title": "Detail"}},
    }}},
}


_TOO_LARGE = {
    "description": "The body is larger than MAX_BODY_BYTES (64 kB unless set otherwise)",
    "content": _MALFORMED_BODY["content"],
}


def _document_errors(app: FastAPI) -> None:
    """Make the OpenAPI schema describe the error bodies the handlers above really send.

    FastAPI documents every 422 as `{"detail": [...]}`, but `handle_validation_error` sends a
    sentence in `detail` and the list in `errors`; a route that documents a 422 model of its own
    (ratings refused) can also fail request validation, so its 422 is either shape; and a body
    that cannot be parsed gets a 400, which no route mentions.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schemas = schema.get("components", {}).get("schemas", {})
        if _VALIDATION_ERROR in schemas:
            schemas[_VALIDATION_ERROR] = _VALIDATION_ERROR_SCHEMA
        validation_ref = {"$ref": f"#/components/schemas/{_VALIDATION_ERROR}"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                refused = responses.get("422", {}).get("content", {}).get("application/json")
                if refused and refused.get("schema") != validation_ref and \
                        _VALIDATION_ERROR in schemas:
                    refused["schema"] = {"anyOf": [refused["schema"], validation_ref]}
                if "requestBody" in operation:
                    responses.setdefault("400", _MALFORMED_BODY)
                    responses.setdefault("413", _TOO_LARGE)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


async def handle_domain_error(request: Request, exc: DomainError) -> Response:
    if is_api_request(request):
        return JSONResponse({"detail": exc.message, **exc.extra}, status_code=exc.status,
                            headers=exc.headers)
    status = exc.page_status or exc.status
    if exc.template:
        return render(request, exc.template, {**_page_context(status, exc.message), **exc.context},
                      status_code=status, headers=exc.headers)
    return _error_page(request, status, exc.message, exc.headers)


async def handle_database_unavailable(request: Request, exc: Exception) -> Response:
    # The service's trouble, not the caller's: say so, and ask for a retry.
    log.warning("database unavailable: %s", type(getattr(exc, "orig", None) or exc).__name__)
    headers = {"Retry-After": "2"}
    if is_api_request(request):
        return JSONResponse({"detail": BUSY}, status_code=503, headers=headers)
    return _error_page(request, 503, BUSY, headers)


async def handle_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    status, headers = exc.status_code, exc.headers
    # A redirect raised as an exception (sign in first) needs no page: browsers never show it.
    if status in (204, 304) or 300 <= status < 400:
        return Response(status_code=status, headers=headers)
    if is_api_request(request):
        return JSONResponse({"detail": exc.detail}, status_code=status, headers=headers)
    if status == 404:
        return render(request, "errors/404.html", status_code=404, headers=headers)
    if status >= 500:
        return render(request, "errors/500.html", {"reference": None}, status_code=status,
                      headers=headers)
    return _error_page(request, status, _message_for_people(status, exc.detail), headers)


async def handle_validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    if is_api_request(request) and any(e.get("type") == "json_invalid" for e in errors):
        # A body that is not JSON at all is a bad request (400), as the schema documents.
        return JSONResponse({"detail": MALFORMED_JSON}, status_code=400)
    if is_api_request(request):
        return JSONResponse(
            {"detail": readable_validation_detail(errors), "errors": _plain_errors(errors)},
            status_code=422,
        )
    # Page forms validate themselves and re-render with an error summary; reaching this means
    # a malformed address or query string, so there is nothing useful to say about a field.
    return _error_page(request, 422, None, None)


async def handle_unexpected_error(request: Request, exc: Exception) -> Response:
    # Only reached for errors raised outside RequestGuardMiddleware (app.core.guard), which
    # catches, logs and answers every other one with a reference.
    return server_error_response(request, None)


def server_error_response(request: Request, reference: str | None) -> Response:
    """The 500 answer: no internals, only the reference the log has (when there is one)."""
    if is_api_request(request):
        body = {"detail": SERVER_ERROR_DETAIL}
        if reference:
            body["reference"] = reference
        return JSONResponse(body, status_code=500)
    try:
        return render(request, "errors/500.html", {"reference": reference}, status_code=500)
    except Exception:  # noqa: BLE001 - the page of last resort must not fail in turn
        return HTMLResponse(_BARE_500_PAGE, status_code=500)


def error_response(
    request: Request, status: int, message: str, *, errors: list[dict[str, Any]] | None = None
) -> Response:
    """A refusal made before any route runs (app.core.guard): JSON or the GOV.UK error page.

    A 422 carries `errors` too, as every other 422 does (the HTTPValidationError schema).
    """
    if is_api_request(request):
        body: dict[str, Any] = {"detail": message}
        if errors is not None:
            body["errors"] = errors
        return JSONResponse(body, status_code=status)
    return _error_page(request, status, message, None)


def readable_validation_detail(errors: Sequence[Any]) -> str:
    """One sentence per problem, e.g. "ratings.7: Input should be less than or equal to 5"."""
    sentences = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location[:1] == ["body"]:
            location = location[1:]
        where = ".".join(location)
        message = error.get("msg", "Invalid value")
        sentences.append(f"{where}: {message}" if where else message)
    return "; ".join(sentences) or "The request is not valid"


def _plain_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Pydantic's own error dicts may hold exception objects in "ctx"; keep the parts JSON can carry.
    return [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


def _message_for_people(status: int, detail: Any) -> str | None:
    """The exception's detail when it is a sentence someone wrote, not the bare status phrase."""
    if not isinstance(detail, str) or not detail.strip():
        return None
    try:
        if detail == HTTPStatus(status).phrase:
            return None
    except ValueError:
        pass
    return detail


def _error_page(
    request: Request, status: int, message: str | None, headers: dict[str, str] | None
) -> HTMLResponse:
    return render(request, "errors/error.html", _page_context(status, message),
                  status_code=status, headers=headers)


def _page_context(status: int, message: str | None) -> dict[str, Any]:
    try:
        fallback_heading = HTTPStatus(status).phrase
    except ValueError:
        fallback_heading = "Sorry, there is a problem"
    return {
        "status_code": status,
        "heading": ERROR_HEADINGS.get(status, fallback_heading),
        "message": message,
    }
