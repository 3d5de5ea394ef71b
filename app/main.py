"""The FastAPI application: routers, middleware, error handling and static assets."""

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session
from starlette.types import ASGIApp

from app import ratelimit
from app.accounts import api as accounts_api
from app.accounts import organisation_api, organisation_pages, passwords_api, passwords_pages
from app.accounts import pages as accounts_pages
from app.config import get_settings
from app.core import health
from app.core.errors import install_error_handlers
from app.core.guard import RequestGuardMiddleware
from app.core.middleware import SecurityMiddleware
from app.core.pages import router as core_router
from app.core.routing import API_PREFIX
from app.db import get_engine
from app.dbloop import close_loop_pools
from app.evidence import api as evidence_api
from app.evidence import pages as evidence_pages
from app.national import admin_api as national_admin_api
from app.national import admin_pages as national_admin_pages
from app.national import api as national_api
from app.national import pages as national_pages
from app.national import partnerships_api, partnerships_pages
from app.plans import api as plans_api
from app.reports import api as reports_api
from app.reports import pages as reports_pages
from app.reports.pdf import shutdown_render_pool
from app.rounds import api as rounds_api
from app.rounds import pages as rounds_pages
from app.statements import api as statements_api
from app.statements.loader import get_statement_sets
from app.statements.reference import get_reference
from app.statements.service import verify_used_sets
from app.survey import api as survey_api
from app.survey import pages as survey_pages
from app.survey.shortcut import SubmissionShortcut

__all__ = ["API_PREFIX", "create_app"]

_STALE_COUNT_SECONDS = 24 * 60 * 60


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Fail at start, with the file named, rather than on the first respondent's page.
    get_reference()
    sets = get_statement_sets()
    with Session(get_engine()) as session:
        verify_used_sets(session=session, sets=sets)
    # Counts older than any window are worth nothing; clearing them at start keeps the table
    # small without a job of its own.
    ratelimit.forget_expired(older_than_seconds=_STALE_COUNT_SECONDS)
    yield
    await close_loop_pools()
    shutdown_render_pool()


class _Service(FastAPI):
    """The application with the plain submission answered in front of everything else
    (app.survey.shortcut): Starlette builds the middleware stack on the first request, and the
    shortcut wraps the whole of it, so anything it hands on meets every layer as before."""

    def build_middleware_stack(self) -> ASGIApp:
        return SubmissionShortcut(super().build_middleware_stack())


# What opentelemetry's getters return until a provider is set (FastAPI checks the same names).
_PLACEHOLDER_PROVIDERS = frozenset({"ProxyTracerProvider", "_ProxyMeterProvider",
                                    "ProxyLoggerProvider"})


def _telemetry() -> dict[str, bool] | None:
    """FastAPI's own OpenTelemetry, with its defaults, when this process has a tracer, meter or
    logger provider (or asks FastAPI to set them up: FASTAPI_OTEL_AUTO_CONFIGURE); otherwise off.

    Left on, FastAPI asks on every request whether a provider has been set since: three
    environment lookups and three provider checks, for nothing when none ever is. Set-ups such
    as `opentelemetry-instrument` install their providers before the application is made, so
    asking once, here, still finds them.
    """
    from opentelemetry import _logs, metrics, trace

    providers = (trace.get_tracer_provider(), metrics.get_meter_provider(),
                 _logs.get_logger_provider())
    if (os.environ.get("FASTAPI_OTEL_AUTO_CONFIGURE", "").lower() == "true"
            or any(type(p).__name__ not in _PLACEHOLDER_PROVIDERS for p in providers)):
        return None
    return {"tracing": False, "metrics": False, "logs": False}


def create_app() -> FastAPI:
    settings = get_settings()
    app = _Service(
        telemetry=_telemetry(),
        title="ASYE 360",
        summary="The annual 360-degree organisational evaluation of ASYE programmes.",
        version="1.0.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by app.core.pages from frontend/dist, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    # Added before SecurityMiddleware, so it runs inside it: its refusals get the headers too.
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(SecurityMiddleware)
    install_error_handlers(app)
    # The respondent pages first: a request is matched against the routes in order, one by one,
    # and on launch day nearly every request is one of these (about a fifth of a survey page's
    # CPU went on trying the 150-odd routes before them). Nothing else lives under /survey or /s.
    # The same for the survey API: a submission is matched before the other API routes.
    app.include_router(survey_pages.router)
    app.include_router(survey_pages.short_router)
    app.include_router(survey_api.router, prefix=API_PREFIX)
    app.include_router(health.router)
    for module in (
        statements_api,
        accounts_api,
        passwords_api,
        organisation_api,
        rounds_api,
        reports_api,
        national_admin_api,  # before national_api: /national/organisations is not a /{year}
        partnerships_api,
        national_api,
        plans_api,
        evidence_api,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (accounts_pages, passwords_pages, organisation_pages, rounds_pages,
                   reports_pages,
                   national_admin_pages,  # before national_pages: not a /national/{year}.csv
                   partnerships_pages,
                   national_pages, evidence_pages):
        app.include_router(module.router)
    app.include_router(core_router)
    app.mount("/assets", StaticFiles(directory=settings.assets_dir, check_dir=False), name="assets")
    return app
