"""HTML routes of the service itself: the start page, the accessibility statement and the privacy
notice."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.core.routing import API_PREFIX, page_router
from app.core.templating import render

router = page_router()


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return render(request, "core/start.html")


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for the JSON API, from the pinned swagger-ui-dist package in frontend/dist."""
    return render(request, "core/api_docs.html", {"openapi_url": f"{API_PREFIX}/openapi.json"})


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request) -> HTMLResponse:
    return render(request, "core/accessibility.html")


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request) -> HTMLResponse:
    return render(request, "core/privacy.html")
