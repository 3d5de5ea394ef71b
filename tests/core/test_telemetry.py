"""FastAPI's own OpenTelemetry is on only where a provider is: a request never asks for nothing.

FastAPI (0.165+) asks on every request whether a tracer, meter or logger provider has been
set. The service decides once, when the application is made (app.main._telemetry).
"""

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace


@pytest.fixture
def provider_asked(monkeypatch):
    """Counts the calls of opentelemetry's tracer-provider getter; `configured` makes it
    answer a real (no-op) provider instead of the placeholder."""
    asked = {"calls": 0, "configured": False}
    placeholder = trace.get_tracer_provider()

    def counting():
        asked["calls"] += 1
        return trace.NoOpTracerProvider() if asked["configured"] else placeholder

    monkeypatch.setattr(trace, "get_tracer_provider", counting)
    return asked


def test_with_no_provider_a_request_does_not_ask_for_one(engine, provider_asked):
    from app.main import create_app

    with TestClient(create_app()) as client:
        before = provider_asked["calls"]
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/reference").status_code == 200

    assert provider_asked["calls"] == before


def test_with_a_provider_when_the_app_is_made_fastapis_telemetry_stays_on(
        engine, provider_asked):
    from app.main import create_app

    provider_asked["configured"] = True
    with TestClient(create_app()) as client:
        before = provider_asked["calls"]
        assert client.get("/api/v1/reference").status_code == 200

    assert provider_asked["calls"] > before  # FastAPI's per-request check, as it ships
