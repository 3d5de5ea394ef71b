"""Issue 17's submission path: one round trip on PostgreSQL, the same outcomes on both.

The outcomes (rule 3, idempotency, codes, a round not open) are those of the transaction in
Python that SQLite keeps; the tests below run on both databases unless marked.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text
from sqlmodel import select

from app.config import get_settings
from app.db import get_autocommit_engine, get_engine
from app.survey.codes import create_codes
from app.survey.models import IdempotencyRecord
from app.survey.submit import async_calls_sent
from tests.builders import (
    close_and_read_ratings,
    count_stored,
    full_ratings,
    make_survey_round,
    packed_and_rated,
    set_status,
    statement_set,
)
from tests.databases import postgres_base_url

on_postgres = pytest.mark.skipif(postgres_base_url() is None,
                                 reason="needs PostgreSQL (TEST_DATABASE_URL)")


def post(client, token, ratings, **headers):
    return client.post(f"/api/v1/survey/{token}/responses", json={"ratings": ratings},
                       headers=headers)


@on_postgres
def test_a_submission_with_a_known_link_is_one_statement_and_no_other_connection(
        client, session, monkeypatch):
    # With rate limits on, the per-link count is one more statement, on the limiter's own
    # connections of the event loop (the next test); this is the path of RATE_LIMITS=off.
    monkeypatch.setattr(get_settings(), "rate_limits", "off")
    made = make_survey_round(session)
    assert post(client, made.token, full_ratings()).status_code == 201  # the link is learnt
    statements, checkouts = [], []
    fast = get_autocommit_engine()
    sent = async_calls_sent()

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def checkout(*_args):
        checkouts.append(1)

    event.listen(fast, "before_cursor_execute", count)
    event.listen(get_engine().pool, "checkout", checkout)
    try:
        response = post(client, made.token, full_ratings(2), **{"Idempotency-Key": "k1"})
    finally:
        event.remove(fast, "before_cursor_execute", count)
        event.remove(get_engine().pool, "checkout", checkout)

    assert response.status_code == 201
    assert async_calls_sent() == sent + 1  # one call on the event loop's own connection
    assert statements == [] and checkouts == []  # nothing else: no lookup, BEGIN, COMMIT, ping
    assert count_stored(session) == (2, 64, 0)


@on_postgres
def test_with_rate_limits_on_a_known_links_count_and_call_are_awaited_on_the_event_loop(
        client, session, monkeypatch):
    # Production's path: the link's count (app.ratelimit) and then the call, both on the event
    # loop's own connections; no thread's pool is touched, and the count is what it was.
    from app import ratelimit

    assert get_settings().rate_limits_on
    made = make_survey_round(session)
    assert post(client, made.token, full_ratings()).status_code == 201  # the link is learnt
    checkouts = []

    def checkout(*_args):
        checkouts.append(1)

    pools = (get_engine().pool, get_autocommit_engine().pool, ratelimit.get_engine().pool)
    for pool in pools:
        event.listen(pool, "checkout", checkout)
    sent = async_calls_sent()
    try:
        statuses = [post(client, made.token, full_ratings(n)).status_code for n in (2, 3)]
    finally:
        for pool in pools:
            event.remove(pool, "checkout", checkout)

    assert statuses == [201, 201] and async_calls_sent() == sent + 2
    assert checkouts == []
    link = f"survey-submissions:{made.round.id}:nqsw"
    assert ratelimit.peek(link, window_seconds=60).count == 3
    assert count_stored(session) == (3, 96, 0)


@on_postgres
def test_a_refusal_on_the_event_loop_gives_the_link_its_count_back_and_counts_the_address(
        client, session, monkeypatch):
    from app import ratelimit

    made = make_survey_round(session)
    assert post(client, made.token, full_ratings()).status_code == 201  # the link is learnt
    set_status(session, made, "closed")

    refused = post(client, made.token, full_ratings(2))

    assert refused.status_code == 409
    link = f"survey-submissions:{made.round.id}:nqsw"
    assert ratelimit.peek(link, window_seconds=60).count == 1  # the stored one only
    assert ratelimit.peek("survey-refused:testclient", window_seconds=60).count == 1
    assert count_stored(session) == (1, 32, 0)


@on_postgres
def test_the_one_statement_commits_durably(session):
    import asyncio

    from app.dbloop import close_loop_pools
    from app.survey.submit import async_pool_if_ready

    with get_autocommit_engine().connect() as connection:
        assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
        assert connection.execute(text("SHOW transaction_isolation")).scalar() == "read committed"

    async def on_the_event_loops_pool():  # the connections submissions go through (asyncpg)
        pool = async_pool_if_ready()
        shown = [(await pool.fetch_one(f"SHOW {name}"))._record[0]
                 for name in ("synchronous_commit", "transaction_isolation")]
        await close_loop_pools()
        return shown

    assert asyncio.run(on_the_event_loops_pool()) == ["on", "read committed"]


def test_a_remembered_link_whose_round_is_gone_is_a_404(client, session):
    made = make_survey_round(session)
    assert post(client, made.token, full_ratings()).status_code == 201
    session.delete(made.round)
    session.commit()

    response = post(client, made.token, full_ratings())

    assert response.status_code == 404 and "link" in response.json()["detail"]


def test_a_used_code_keeps_no_key_of_the_refused_submission(client, session):
    made = make_survey_round(session)
    [code] = create_codes(session=session, round_id=made.round.id, respondent_type="nqsw",
                          count=1)
    body = {"code": code, "ratings": full_ratings()}

    first = client.post("/api/v1/survey/code/responses", json=body,
                        headers={"Idempotency-Key": "first"})
    again = client.post("/api/v1/survey/code/responses", json=body,
                        headers={"Idempotency-Key": "first"})
    other = client.post("/api/v1/survey/code/responses", json=body,
                        headers={"Idempotency-Key": "second"})

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json() == first.json()
    assert count_stored(session) == (1, 32, 1)
    assert len(session.exec(select(IdempotencyRecord)).all()) == 1


def test_a_draft_or_closed_round_refuses_a_remembered_link_and_stores_nothing(client, session):
    made = make_survey_round(session)
    assert post(client, made.token, full_ratings()).status_code == 201
    for status, word in (("draft", "not open yet"), ("closed", "has closed")):
        made.round.status = status
        session.add(made.round)
        session.commit()
        response = post(client, made.token, full_ratings(), **{"Idempotency-Key": status})
        assert response.status_code == 409 and word in response.json()["detail"]
    assert count_stored(session) == (1, 32, 0)
    assert session.exec(select(IdempotencyRecord)).all() == []


_NUMBERS = [str(n) for n in statement_set().numbers]
_score = st.one_of(st.none(), st.integers(-1, 7), st.sampled_from(["4", 3.5, True]))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ratings=st.dictionaries(st.sampled_from([*_NUMBERS, "0", "33", "x"]), _score,
                               min_size=30, max_size=35)
       | st.fixed_dictionaries({n: st.one_of(st.none(), st.integers(1, 5)) for n in _NUMBERS}))
def test_rule_3_a_response_is_stored_whole_exactly_when_every_statement_is_answered(
        client, session, ratings):
    made = make_survey_round(session)

    response = post(client, made.token, ratings)

    # The oracle, written from rule 3 alone: every statement of the set, each 1-5 or null.
    valid = set(ratings) == set(_NUMBERS) and all(
        v is None or (type(v) is int and 1 <= v <= 5) for v in ratings.values())
    answers, rated = packed_and_rated(session, made.round.id)
    assert rated == 0  # while the round is open, answers are packed in the response row
    if valid:
        assert response.status_code == 201
        assert len(answers) == 1 and answers[0] is not None
        [stored] = close_and_read_ratings(session, made.round.id)
        assert {str(n): s for n, s in stored.items()} == ratings
        assert packed_and_rated(session, made.round.id) == ([None], len(_NUMBERS))
    else:
        assert response.status_code == 422 and response.json()["errors"]
        assert answers == []


def test_a_submission_is_one_row_with_its_answers_until_the_round_closes(client, session):
    """By the function on PostgreSQL, by the transaction in Python on SQLite: one response row,
    answers packed, no rating rows; closing turns them into exactly the ratings sent."""
    made = make_survey_round(session)
    sent = [full_ratings(5, s1=1, s9=None), full_ratings(None, s32=3), full_ratings(2)]

    for ratings, token in zip(sent, made.links.values(), strict=True):
        assert post(client, token, ratings).status_code == 201

    answers, rated = packed_and_rated(session, made.round.id)
    assert rated == 0 and len(answers) == 3
    assert all(a is not None and len(a) == len(_NUMBERS) for a in answers)
    closed = close_and_read_ratings(session, made.round.id)
    assert sorted(({str(n): s for n, s in r.items()} for r in closed), key=str) == \
        sorted(sent, key=str)
    assert packed_and_rated(session, made.round.id) == ([None] * 3, 3 * len(_NUMBERS))


def _a_link_sent_through_the_pool(client, session, monkeypatch):
    """A round whose link has been learnt and then used through the event loop's own pool."""
    monkeypatch.setattr(get_settings(), "rate_limits", "off")  # the event loop's own pool
    made = make_survey_round(session)
    assert post(client, made.token, full_ratings()).status_code == 201  # the link is learnt
    assert post(client, made.token, full_ratings()).status_code == 201  # through the pool
    return made


@on_postgres
def test_a_killed_connection_is_a_503_with_retry_after_and_the_next_submission_is_stored(
        client, session, monkeypatch):
    from app.dbloop import every_pool

    made = _a_link_sent_through_the_pool(client, session, monkeypatch)
    pids = [pid for pool in every_pool() for pid in pool.backend_pids()]
    assert pids
    with get_engine().connect() as admin:
        for pid in pids:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    refused = post(client, made.token, full_ratings(1))
    stored = post(client, made.token, full_ratings(2))

    assert refused.status_code == 503 and refused.headers["retry-after"]
    assert "detail" in refused.json()
    assert stored.status_code == 201
    assert count_stored(session) == (3, 96, 0)


@on_postgres
def test_a_database_refusing_new_connections_is_a_503_with_retry_after_not_a_500(
        client, session, monkeypatch):
    # A real refusal: a role PostgreSQL lets in zero times ("too many connections for role",
    # SQLSTATE 53300, asyncpg's TooManyConnectionsError, as "too many clients already" is).
    from uuid import uuid4

    from app.dbloop import every_pool

    made = _a_link_sent_through_the_pool(client, session, monkeypatch)
    role = f"asye_refused_{uuid4().hex[:12]}"
    with get_autocommit_engine().connect() as admin:
        admin.execute(text(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"))
    pools = every_pool()
    dsns = [pool._dsn for pool in pools]
    try:
        for pool in pools:  # every new connection is refused; none is idle
            for connection in pool._idle:
                connection.terminate()
            pool._idle = []
            pool._dsn = pool._dsn.replace("postgres@", f"{role}@", 1)
        refused = post(client, made.token, full_ratings(1))
    finally:
        for pool, dsn in zip(pools, dsns, strict=True):
            pool._dsn = dsn
        with get_autocommit_engine().connect() as admin:
            admin.execute(text(f"DROP ROLE {role}"))
    stored = post(client, made.token, full_ratings(2))

    assert refused.status_code == 503 and refused.headers["retry-after"]
    assert "detail" in refused.json()
    assert stored.status_code == 201
    assert count_stored(session) == (3, 96, 0)


async def _found(token):
    """find_survey_async on a loop of its own, closing the loop's pool before the loop ends."""
    from app.dbloop import close_loop_pools
    from app.survey.submit import find_survey_async

    try:
        return await find_survey_async(token)
    finally:
        await close_loop_pools()


def test_the_pages_lookup_finds_what_find_survey_finds_read_afresh(session):
    """`find_survey_async` (the survey pages, on the event loop) against `find_survey`: the same
    survey for every link, the round's status and closing date as they are now, none for an
    unknown token."""
    import asyncio
    from datetime import date

    from app.lifecycle.models import Round
    from app.survey.service import SurveyNotFound, find_survey
    from tests.builders import set_status

    made = make_survey_round(session)
    for token in made.links.values():
        assert asyncio.run(_found(token)) == find_survey(session=session, token=token)
    token = next(iter(made.links.values()))
    set_status(session, made, "closed")
    round_ = session.get(Round, made.round.id)
    round_.closes_on = date(2026, 3, 14)
    session.add(round_)
    session.commit()
    survey = asyncio.run(_found(token))
    assert (survey.status, survey.closes_on) == ("closed", date(2026, 3, 14))
    with pytest.raises(SurveyNotFound):
        asyncio.run(_found("x" * 32))


@on_postgres
def test_a_link_page_reads_without_a_session(client, session):
    """A theme page of a link: no connection taken from either SQLAlchemy pool (the survey is
    read on the event loop's own connection)."""
    made = make_survey_round(session)
    token = next(iter(made.links.values()))
    checkouts = []

    def checkout(*_args):
        checkouts.append(1)

    pools = (get_engine().pool, get_autocommit_engine().pool)
    for pool in pools:
        event.listen(pool, "checkout", checkout)
    try:
        assert client.get(f"/survey/{token}/theme/1").status_code == 200
    finally:
        for pool in pools:
            event.remove(pool, "checkout", checkout)
    assert checkouts == []
