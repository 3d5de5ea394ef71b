"""CSRF protection for every page form: a cookie token that each POST form must echo."""

import hmac

from fastapi import Request

from app.errors import Forbidden

CSRF_COOKIE = "asye360_csrf"
CSRF_FIELD = "csrf_token"


async def csrf_protect(request: Request) -> None:
    """Refuse a form POST whose `csrf_token` field does not match the visitor's cookie token.

    Every page router has it (app.core.routing.page_router). The token comes from
    SecurityMiddleware; a cross-site form cannot read it, so it cannot forge the field. FastAPI
    caches the parsed form on the request, so the route can read it again.
    """
    if request.method != "POST":
        return
    expected = getattr(request.state, "csrf_token", "")
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie_sent = bool(request.cookies.get(CSRF_COOKIE))
    if (
        not expected
        or not cookie_sent
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, expected)
    ):
        raise Forbidden("This form has expired or was not sent from this service. Go back, "
                        "reload the page and try again.")
