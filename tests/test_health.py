"""The health check says whether the database answers."""

from sqlalchemy.exc import OperationalError


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from sqlmodel import Session

    def broken(*args, **kwargs):
        raise OperationalError("select 1", {}, Exception("connection refused"))

    monkeypatch.setattr(Session, "exec", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def _app_raising(error: Exception):
    from app.main import create_app

    app = create_app()

    @app.get("/api/v1/test-raise")
    def boom():
        raise error

    return app


def test_a_lost_or_saturated_database_is_a_503_with_retry_after(engine):
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    for error in (OperationalError("x", {}, Exception("server closed the connection")),
                  PoolTimeout("QueuePool limit reached")):
        with TestClient(_app_raising(error), raise_server_exceptions=False) as client:
            response = client.get("/api/v1/test-raise")
        assert response.status_code == 503
        assert response.headers["retry-after"] and "busy" in response.json()["detail"]


def test_any_other_database_error_is_a_500_not_a_busy_signal(engine):
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import IntegrityError

    error = IntegrityError("insert", {}, Exception("duplicate key"))
    with TestClient(_app_raising(error), raise_server_exceptions=False) as client:
        response = client.get("/api/v1/test-raise")
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal server error"


def test_a_busy_database_on_a_page_is_a_page_that_asks_for_a_retry_not_json(engine):
    """Found by review: a person on a page got the API's raw JSON when the database was busy."""
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from tests.html import assert_good_page

    app = _app_raising(PoolTimeout("QueuePool limit reached"))

    @app.get("/test-raise")
    def boom_page():
        raise OperationalError("x", {}, Exception("server closed the connection"))

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/test-raise")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"].startswith("text/html")
    soup = assert_good_page(response, title_contains="Sorry, the service is unavailable")
    assert "Try again in a few seconds" in soup.select_one("main").get_text(" ", strip=True)
