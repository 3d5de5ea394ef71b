"""CSRF protection for every page form: a cookie token that each POST form must echo."""

import hmac

from fastapi import HTTPException, Request

CSRF_FIELD = "csrf_token"


async def csrf_protect(request: Request) -> None:
    """Refuse a form POST whose `csrf_token` field does not match the visitor's cookie token.

    Attach to page routers (`APIRouter(dependencies=[Depends(csrf_protect)])`). The token comes
    from SecurityMiddleware; a cross-site form cannot read it, so it cannot forge the field.
    FastAPI caches the parsed form on the request, so the route can read it again.
    """
    if request.method != "POST":
        return
    expected = getattr(request.state, "csrf_token", "")
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie_sent = bool(request.cookies.get("asye360_csrf"))
    if (
        not expected
        or not cookie_sent
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, expected)
    ):
        raise HTTPException(
            status_code=403,
            detail="This form has expired or was not sent from this service. Go back, "
            "reload the page and try again.",
        )
