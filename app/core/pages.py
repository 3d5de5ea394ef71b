"""HTML routes of the service itself: the start page and the accessibility statement."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return render(request, "core/start.html")


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request) -> HTMLResponse:
    return render(request, "core/accessibility.html")
