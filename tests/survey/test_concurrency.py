"""Launch-day bursts on PostgreSQL: real concurrent requests to a real server, none lost or doubled.

Each thread has its own HTTP client, against uvicorn serving the app on a free port, so the
requests race in the database exactly as they would in production.
"""

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import update

from app.lifecycle.models import Round
from app.survey.codes import create_codes
from tests.builders import count_stored, full_ratings, make_survey_round
from tests.databases import postgres_base_url

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(postgres_base_url() is None, reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]


@pytest.fixture
def server(engine):
    from app.main import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, access_log=False,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


def race(count, send):
    """Run `send(i)` from `count` threads released together; return what each returned."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        return send(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def post(base, path, body, key):
    with httpx.Client(base_url=base, timeout=60) as client:
        return client.post(path, json=body, headers={"Idempotency-Key": key}).status_code


def test_fifty_concurrent_submissions_store_fifty_responses_and_every_rating(server, session):
    made = make_survey_round(session)
    tokens = list(made.links.values())

    statuses = race(50, lambda i: post(server, f"/api/v1/survey/{tokens[i % 3]}/responses",
                                       {"ratings": full_ratings(1 + i % 5)}, key=f"person-{i}"))

    assert statuses == [201] * 50
    assert count_stored(session) == (50, 50 * 32, 0)


def test_ten_concurrent_retries_of_one_submission_store_it_once(server, session):
    made = make_survey_round(session)

    statuses = race(10, lambda i: post(server, f"/api/v1/survey/{made.token}/responses",
                                       {"ratings": full_ratings()}, key="one-double-click"))

    assert statuses == [201] * 10
    assert count_stored(session) == (1, 32, 0)


def test_ten_concurrent_uses_of_one_code_store_exactly_one_response(server, session):
    made = make_survey_round(session)
    [code] = create_codes(session=session, round_id=made.round.id, respondent_type="nqsw", count=1)

    statuses = race(10, lambda i: post(server, "/api/v1/survey/code/responses",
                                       {"code": code, "ratings": full_ratings()}, key=f"p{i}"))

    assert sorted(statuses) == [201] + [409] * 9
    assert count_stored(session) == (1, 32, 1)


def test_submissions_racing_a_close_wait_for_it_and_then_store_nothing(server, session, engine):
    made = make_survey_round(session)

    with engine.connect() as closer, ThreadPoolExecutor(max_workers=5) as pool:
        # The employer's close has updated the round but not yet committed.
        closer.execute(update(Round).where(Round.id == made.round.id).values(status="closed"))
        futures = [
            pool.submit(post, server, f"/api/v1/survey/{made.token}/responses",
                        {"ratings": full_ratings()}, f"late-{i}")
            for i in range(5)
        ]
        time.sleep(1)
        assert not any(f.done() for f in futures), "submissions did not wait for the close"
        closer.commit()
        statuses = [f.result(timeout=30) for f in futures]

    assert statuses == [409] * 5
    assert count_stored(session) == (0, 0, 0)
