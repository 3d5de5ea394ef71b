"""What tells a page from the API, the page router every HTML route hangs on, and redirects."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.params import Depends as DependsParam
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from app.core.csrf import csrf_protect

API_PREFIX = "/api/v1"


def is_api_path(path: str) -> bool:
    """JSON lives under /api/ (the OpenAPI docs too); everything else is a page for people."""
    return path.startswith("/api/")


def is_api_request(request: Request) -> bool:
    return is_api_path(request.url.path)


def client_address(request: Request) -> str:
    """The caller's address, as the server sees it.

    Behind a proxy whose address is in FORWARDED_ALLOW_IPS, uvicorn has already put the
    forwarded address here (`asye360 serve`); from anywhere else `X-Forwarded-For` is ignored.
    """
    return request.client.host if request.client else "unknown"


def page_router(*dependencies: DependsParam, prefix: str = "") -> APIRouter:
    """A router for HTML pages: left out of the OpenAPI schema, every form POST CSRF-checked.

    Pages that show who is signed in add `app.accounts.deps.PageUser`.
    """
    return APIRouter(prefix=prefix, include_in_schema=False,
                     dependencies=[Depends(csrf_protect), *dependencies])


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get: a 303, so the browser follows it with a GET."""
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> FormData:
    return await request.form()  # parsed once by csrf_protect, cached on the request


FormDep = Annotated[FormData, Depends(_form)]
