"""Sending after the response: a page never waits on SMTP and never fails because of it."""

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import BackgroundTasks, FastAPI
from fastapi.testclient import TestClient

from app.core.middleware import SecurityMiddleware
from app.email.service import send_email_later

RECIPIENT = "lead@riverside.example.org"


def page_that_sends_an_email() -> FastAPI:
    """The shape of any page that emails: do the work, send later, answer at once."""
    app = FastAPI()
    app.add_middleware(SecurityMiddleware)

    @app.post("/invite")
    def invite(background_tasks: BackgroundTasks) -> dict[str, str]:
        reference = send_email_later(
            background_tasks,
            to=RECIPIENT,
            template="test_message",
            context={"name": "Ann", "organisation": "Riverside", "link": "https://x.test/i/1"},
        )
        return {"reference": reference}

    return app


def test_an_email_sent_later_arrives_once(smtp_server):
    with TestClient(page_that_sends_an_email()) as client:
        response = client.post("/invite")
    assert response.status_code == 200
    [message] = smtp_server.wait_for(1)
    assert message["To"] == RECIPIENT
    assert f".{response.json()['reference']}@" in message["Message-ID"]


@pytest.mark.parametrize("trouble", ["down", "refusing"])
def test_a_failed_send_is_logged_and_the_page_still_answers(smtp_server, caplog, trouble):
    if trouble == "down":
        smtp_server.down()
    else:
        smtp_server.fail_next(1, "554 5.7.1 Rejected")
    # TestClient re-raises any exception from the app, background tasks included.
    with TestClient(page_that_sends_an_email()) as client:
        response = client.post("/invite")
    assert response.status_code == 200
    reference = response.json()["reference"]
    assert any(
        "not delivered" in r.getMessage() and reference in r.getMessage() for r in caplog.records
    )


@pytest.fixture
def live_page():
    """The page served by uvicorn on a free local port, in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(page_that_sends_an_email(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_response_does_not_wait_for_a_slow_smtp_server(smtp_server, live_page):
    smtp_server.slow_down(2.0)

    started = time.monotonic()
    response = httpx.post(f"{live_page}/invite", timeout=10)
    answered_in = time.monotonic() - started

    assert response.status_code == 200
    assert answered_in < 1.0
    assert smtp_server.messages == []  # still being accepted by the slow server
    [message] = smtp_server.wait_for(1, timeout=10)
    assert message["To"] == RECIPIENT
