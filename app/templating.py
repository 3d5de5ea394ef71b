"""The Jinja2 environment for pages: our templates plus the GOV.UK Frontend macros."""

from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2 import StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.config import ROOT

environment = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(ROOT / "frontend" / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
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
    return templates.TemplateResponse(
        request, name, page, status_code=status_code, headers=headers
    )
