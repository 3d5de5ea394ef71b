"""CSRF protection for every page form: a cookie token that each POST form must echo."""

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from app.config import get_settings
from app.errors import Forbidden

CSRF_COOKIE = "asye360_csrf"
CSRF_FIELD = "csrf_token"


FORGED = ("This form has expired or was not sent from this service. Go back, reload the page "
          "and try again.")
# Sec-Fetch-Site values a form of this service can send with (browsers send one of the others
# for a form on any other site, subdomains of ours included).
_OWN_SITE = ("same-origin", "none")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_cookie(token: str) -> str:
    """The Set-Cookie value carrying a CSRF token (Secure in production, which serves HTTPS)."""
    secure = "; Secure" if get_settings().environment == "production" else ""
    return f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"


def rotate_csrf_token(response: Response) -> None:
    """Give the browser a new CSRF token (at sign-in), so one known before it is worth nothing."""
    response.headers.append("Set-Cookie", csrf_cookie(new_csrf_token()))


def _origin_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _from_another_site(request: Request) -> bool:
    """The second line: what the browser says about where the form came from, when it says."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in _OWN_SITE:
        return True
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return False  # older browsers and privacy modes: the token decides alone
    ours = {_origin_of(get_settings().base_url), _origin_of(str(request.base_url))}
    return _origin_of(origin) not in ours


async def csrf_protect(request: Request) -> None:
    """Refuse a form POST whose `csrf_token` field does not match the visitor's cookie token.

    Every page router has it (app.core.routing.page_router). The token comes from
    SecurityMiddleware; a cross-site form cannot read it, so it cannot forge the field. FastAPI
    caches the parsed form on the request, so the route can read it again.
    """
    if request.method != "POST":
        return
    if _from_another_site(request):
        raise Forbidden(FORGED)
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
        raise Forbidden(FORGED)
