"""Security headers and the CSRF cookie, as plain ASGI so the survey API stays fast."""

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.core.csrf import CSRF_COOKIE, csrf_cookie, new_csrf_token
from app.core.routing import is_api_path

_PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    # The hash allows GOV.UK Frontend's one inline script (it marks the body as JS-capable).
    "script-src 'self' 'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def security_headers(*, production: bool, asset: bool = False) -> list[tuple[str, str]]:
    """The headers every response carries unless it sets them itself."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # No page needs to tell another site where its visitor came from; survey links carry
        # their token in the path, so this keeps it out of any Referer header.
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        # Every response, the API docs page too (issue 13, item 10).
        ("Content-Security-Policy", _PAGE_POLICY),
    ]
    if production:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    if not asset:
        # Nothing the service says is cached unless it says so (national results).
        headers.append(("Cache-Control", "no-store"))
    return headers


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        is_asset = path.startswith("/assets/")
        is_page = not is_api_path(path) and not is_asset
        new_csrf = None
        if is_page:
            existing = HTTPConnection(scope).cookies.get(CSRF_COOKIE)
            if not existing or len(existing) > 64:
                existing = new_csrf = new_csrf_token()
            scope.setdefault("state", {})["csrf_token"] = existing
        production = get_settings().environment == "production"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(production=production, asset=is_asset):
                    headers.setdefault(name, value)
                if new_csrf:
                    headers.append("Set-Cookie", csrf_cookie(new_csrf))
            await send(message)

        await self.app(scope, receive, send_with_headers)
