"""The plain-ASGI submission (app.survey.shortcut) answers exactly what the route answers.

A plain submission (a remembered link, PostgreSQL, rate limits off, JSON `{"ratings": …}`, no
credentials) is answered before routing; everything else must reach the route with its body
untouched and get the route's answer. Each test tells the two paths apart by
`shortcut_answers()`, and compares with the route's own answer to the same request (a request
that carries a cookie always goes to the route: rule 11 may need it).
"""

import pytest

from app.config import get_settings
from app.survey.shortcut import shortcut_answers
from tests.builders import api_headers, count_stored, full_ratings, make_survey_round, make_user
from tests.databases import postgres_base_url

on_postgres = pytest.mark.skipif(postgres_base_url() is None,
                                 reason="needs PostgreSQL (TEST_DATABASE_URL)")
ROUTE = {"Cookie": "not-a-session=1"}  # any cookie: the request goes to the route


@pytest.fixture
def limits_off(monkeypatch):
    monkeypatch.setattr(get_settings(), "rate_limits", "off")


def post(client, token, body, **headers):
    return client.post(f"/api/v1/survey/{token}/responses", json=body, headers=headers)


def _learnt(client, session):
    """A round whose NQSW link this process remembers (its first submission goes the long way)."""
    made = make_survey_round(session)
    token = made.links["nqsw"]
    assert post(client, token, {"ratings": full_ratings()}, **ROUTE).status_code == 201
    return made, token


def _comparable(response):
    headers = {k: v for k, v in response.headers.items() if k not in ("date",)}
    return response.status_code, headers, response.content


@on_postgres
def test_a_plain_submission_is_answered_before_routing_with_the_routes_exact_answer(
        client, session, limits_off):
    made, token = _learnt(client, session)
    answered = shortcut_answers()

    short = post(client, token, {"ratings": full_ratings(5)})
    long = post(client, token, {"ratings": full_ratings(5)}, **ROUTE)

    assert shortcut_answers() == answered + 1
    assert _comparable(short) == _comparable(long)
    assert short.status_code == 201 and short.json()["status"] == "stored"
    assert short.headers["content-security-policy"] and short.headers["cache-control"] == "no-store"
    assert count_stored(session).responses == 3


@on_postgres
def test_an_idempotency_key_is_kept_on_the_shortcut_too(client, session, limits_off):
    made, token = _learnt(client, session)
    answered = shortcut_answers()

    first = post(client, token, {"ratings": full_ratings(2)}, **{"Idempotency-Key": "abc-1"})
    again = post(client, token, {"ratings": full_ratings(2)}, **{"Idempotency-Key": "abc-1"})
    by_route = post(client, token, {"ratings": full_ratings(2)},
                    **{"Idempotency-Key": "abc-1"}, **ROUTE)

    assert shortcut_answers() == answered + 2
    assert first.status_code == again.status_code == by_route.status_code == 201
    assert first.content == again.content == by_route.content
    assert count_stored(session).responses == 2  # the learning one and "abc-1", once


def _refusals(made, token, own_token):
    """(what is sent, headers): each must reach the route."""
    missing = {k: v for k, v in full_ratings().items() if k != "7"}
    return [
        ({"ratings": missing}, {}),  # rule 3
        ({"ratings": {**full_ratings(), "7": 6}}, {}),
        ({"ratings": full_ratings(), "extra": 1}, {}),  # not exactly {"ratings": …}: stored
        ({"ratings": full_ratings()}, {"Idempotency-Key": "has space"}),  # stored, by the route
        ({"ratings": full_ratings()}, {"Idempotency-Key": "k" * 256}),  # the route's 422
        ({"ratings": full_ratings(), "note": "\u0000"}, {}),  # the guard's 422
        ({"ratings": full_ratings()}, {"Authorization": f"Bearer {own_token}"}),  # rule 11: 403
        ([1, 2], {}),
    ]


@on_postgres
def test_whatever_is_not_plain_reaches_the_route_and_gets_its_answer(
        client, session, limits_off):
    made, token = _learnt(client, session)
    lead = make_user(session, organisation=made.organisation)
    own_token = api_headers(lead)["Authorization"].removeprefix("Bearer ")
    answered = shortcut_answers()
    statuses = []
    for body, headers in _refusals(made, token, own_token):
        stored_before = count_stored(session).responses
        response = post(client, token, body, **headers)
        stored = count_stored(session).responses - stored_before
        route = post(client, token, body, **headers, **ROUTE)
        assert (response.status_code, response.json()) == (route.status_code, route.json())
        statuses.append((response.status_code, stored))

    assert statuses == [(422, 0), (422, 0), (201, 1), (201, 1), (422, 0), (422, 0), (403, 0),
                        (422, 0)]
    assert shortcut_answers() == answered  # none of them on the shortcut


@on_postgres
def test_a_round_that_closed_a_query_string_or_an_unseen_link_get_the_routes_answer(
        client, session, limits_off):
    from tests.builders import set_status

    made, token = _learnt(client, session)
    unseen = made.links["line_manager"]
    answered = shortcut_answers()

    first_of_link = post(client, unseen, {"ratings": full_ratings()})
    with_query = client.post(f"/api/v1/survey/{token}/responses?x=1",
                             json={"ratings": full_ratings()})
    set_status(session, made, "closed")
    closed = post(client, token, {"ratings": full_ratings()})

    assert (first_of_link.status_code, with_query.status_code) == (201, 201)
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    assert shortcut_answers() == answered
    assert count_stored(session).responses == 3


def test_on_sqlite_the_route_answers(client, session):
    """SQLite has no event-loop pool: nothing is answered before routing, and the submission
    is stored as usual. (On PostgreSQL, rate limits on or off, the shortcut answers.)"""
    made, token = _learnt(client, session)
    answered = shortcut_answers()

    response = post(client, token, {"ratings": full_ratings(3)})

    assert response.status_code == 201
    assert shortcut_answers() == answered + (1 if postgres_base_url() else 0)
    assert count_stored(session).responses == 2


def _counts(made, respondent_type="nqsw"):
    from app import ratelimit

    return (ratelimit.peek(f"survey-submissions:{made.round.id}:{respondent_type}",
                           window_seconds=60).count,
            ratelimit.peek("survey-refused:testclient", window_seconds=60).count)


@on_postgres
def test_with_rate_limits_on_a_plain_submission_is_answered_here_and_counted_once(
        client, session):
    made, token = _learnt(client, session)
    answered = shortcut_answers()

    response = post(client, token, {"ratings": full_ratings(2)})

    assert response.status_code == 201 and shortcut_answers() == answered + 1
    assert _counts(made) == (2, 0)  # the learning one and this one; nothing refused
    assert count_stored(session).responses == 2


@on_postgres
@pytest.mark.parametrize("refusal", ["ceiling", "closed", "rule 3"])
def test_with_rate_limits_on_a_refusal_counts_as_if_the_route_alone_had_seen_it(
        client, session, monkeypatch, refusal):
    """The oracle is the route itself: the same requests, sent with a cookie so that the
    shortcut never sees them, must end with the same answers and the same counts."""
    from app import ratelimit

    monkeypatch.setattr(get_settings(), "submissions_per_link_per_minute", 3)

    def run(**headers):
        made, token = _learnt(client, session)
        before = _counts(made)
        if refusal == "closed":
            from tests.builders import set_status

            set_status(session, made, "closed")
        body = {"ratings": {"1": 9} if refusal == "rule 3" else full_ratings()}
        answers = [post(client, token, body, **headers) for _ in range(4)]
        result = ([(a.status_code, None if a.status_code == 429 else a.json())  # Retry-After
                   for a in answers],  # counts down: two runs may differ by a second
                  tuple(n - b for n, b in zip(_counts(made), before, strict=True)))
        ratelimit.forget_expired(older_than_seconds=0)  # the address's count, for the next run
        return result

    answered = shortcut_answers()
    plain = run()
    handled_here = shortcut_answers() - answered
    by_route = run(**ROUTE)

    assert plain == by_route
    statuses = [status for status, _ in plain[0]]
    assert statuses == {"ceiling": [201, 201, 429, 429], "closed": [409] * 4,
                        "rule 3": [422] * 4}[refusal]
    assert handled_here == statuses.count(201)  # only what is stored is answered here


@on_postgres
def test_a_body_over_max_body_bytes_goes_to_the_guard_even_when_plain(
        client, session, limits_off, monkeypatch):
    """The shortcut sits in front of the guard, so it keeps the guard's limit: a plain body
    padded (JSON whitespace) past MAX_BODY_BYTES is the guard's 413, and nothing is stored."""
    import json

    made, token = _learnt(client, session)
    monkeypatch.setattr(get_settings(), "max_body_bytes", 1024)
    body = json.dumps({"ratings": full_ratings()}) + " " * 1024
    answered = shortcut_answers()

    response = client.post(f"/api/v1/survey/{token}/responses", content=body,
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 413 and "kB" in response.json()["detail"]
    assert shortcut_answers() == answered
    assert count_stored(session).responses == 1


@on_postgres
def test_an_unexpected_error_on_the_shortcut_is_logged_as_the_guard_logs_it(
        client, session, limits_off, monkeypatch, caplog):
    from app.survey import shortcut

    made, token = _learnt(client, session)

    def broken(*_args):
        raise RuntimeError("someone" + "@example.org")  # a message that must never be logged

    monkeypatch.setattr(shortcut, "_stored", broken)
    response = post(client, token, {"ratings": full_ratings()})

    assert response.status_code == 500
    reference = response.json()["reference"]
    assert reference in caplog.text and "RuntimeError" in caplog.text
    assert "someone@example.org" not in caplog.text
    assert response.headers["x-content-type-options"] == "nosniff"


@on_postgres
def test_a_lost_connection_on_the_shortcut_is_a_503_with_the_usual_headers(
        client, session, limits_off):
    from sqlalchemy import text

    from app.db import get_engine
    from app.dbloop import every_pool

    made, token = _learnt(client, session)
    assert post(client, token, {"ratings": full_ratings()}).status_code == 201  # the pool's
    pids = [pid for pool in every_pool() for pid in pool.backend_pids()]
    with get_engine().connect() as admin:
        for pid in pids:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    answered = shortcut_answers()

    response = post(client, token, {"ratings": full_ratings()})

    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["detail"] and response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"]
    assert shortcut_answers() == answered + 1  # answered here, not retried by the route
    assert count_stored(session).responses == 2


@on_postgres
def test_a_stored_submission_is_answered_here_even_if_the_link_is_forgotten_meanwhile(
        client, session, limits_off, monkeypatch):
    """Another request may make this process forget the link (its call found no such link)
    while this one's call is storing: what is stored must be answered, never handed to the
    route, which would store it a second time."""
    from app.survey import shortcut, submit

    made, token = _learnt(client, session)
    real_call = shortcut.call_async

    async def call_then_forget(pool, params):
        row = await real_call(pool, params)
        submit._forget(token)
        return row

    monkeypatch.setattr(shortcut, "call_async", call_then_forget)
    answered = shortcut_answers()

    response = post(client, token, {"ratings": full_ratings(4)})

    assert response.status_code == 201 and response.json()["status"] == "stored"
    assert shortcut_answers() == answered + 1
    assert count_stored(session).responses == 2  # the learning one and this one, once
