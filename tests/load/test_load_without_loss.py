"""Launch day, briefly: 50 clients at once through the real server, then every response counted.

A short version of `python -m bench.load` (which runs for as long as you ask): each submission
spells a serial number in its ratings, so the database can be checked submission by submission.
"""

import asyncio
import random

import psycopg
import pytest

from bench import load
from bench.data import open_round_with_links
from bench.generate import libpq_url
from bench.server import throwaway_postgres

CONCURRENCY = 50


def _run(service, *, seconds: float, kills: int):
    round_id, links = open_round_with_links(service.url)
    outcome = asyncio.run(load.submit_for(
        base_url=service.base_url, admin_url=service.url, database=service.database,
        links=links, seconds=seconds, concurrency=CONCURRENCY, kills=kills,
    ))
    return outcome, load.check_database(service.url, round_id)


@pytest.mark.postgres_only
def test_every_submission_answered_2xx_is_stored_once_whole_and_nothing_else(launch_service):
    outcome, stored = _run(launch_service, seconds=3, kills=0)

    assert load.problems(outcome, stored) == []
    assert set(outcome.statuses) == {201}
    # Half were sent with an Idempotency-Key, twice at once and once more: none stored twice.
    assert outcome.keyed and outcome.keyed <= outcome.stored
    assert stored.responses == len(outcome.stored) and stored.partial == 0


@pytest.mark.postgres_only
def test_killed_database_connections_leave_no_partial_response_and_the_service_recovers(
    launch_service,
):
    outcome, stored = _run(launch_service, seconds=4, kills=3)

    assert outcome.terminated > 0, "the kills reached no connection"
    assert stored.partial == 0
    # Failures are 503s with JSON and Retry-After (checked per response), never a 500 storm.
    assert set(outcome.statuses) <= {201, 503}
    assert outcome.bad_errors == [] and not outcome.transport_errors
    # Recovered by itself: submissions kept succeeding after the last kill.
    assert outcome.successes_after_last_kill > 0
    assert load.problems(outcome, stored, kills=3) == []


def test_a_refused_submission_is_never_counted_as_stored():
    """The checker itself: a stored signature nobody was told about is reported."""
    outcome = load.Outcome(stored={1, 2}, refused={3})
    stored = load.Stored(responses=3, partial=0, by_serial=load.Counter({1: 1, 2: 1, 3: 1}),
                         unknown=0)

    assert any("refused but stored" in p for p in load.problems(outcome, stored))


def _packed(ratings: dict[str, int | None]) -> str:
    return "".join("-" if ratings[str(n)] is None else str(ratings[str(n)])
                   for n in range(1, 33))


@pytest.mark.postgres_only
def test_the_checker_reads_packed_answers_of_an_open_round_and_rating_rows_alike():
    """The checker on rows written by hand: whole packed responses spell their serial; a short
    packed string is partial; a signature with "I do not know" is unknown; a response in rating
    rows (a closed round, or one stored before packing) still counts."""
    rng = random.Random(1)
    with throwaway_postgres("test_checker") as url:
        round_id, _ = open_round_with_links(url)
        rows = {"a": _packed(load.ratings_for(7, rng)),
                "b": _packed(load.ratings_for(8, rng))[:-1],
                "c": "-" + _packed(load.ratings_for(9, rng))[1:],
                "d": None}
        with psycopg.connect(libpq_url(url)) as conn:
            for response_id, answers in rows.items():
                conn.execute("INSERT INTO response (id, round_id, respondent_type, answers) "
                             "VALUES (%s, %s, 'nqsw', %s)", (response_id, round_id, answers))
            for number, score in load.ratings_for(10, rng).items():
                conn.execute("INSERT INTO rating (response_id, statement_number, score) "
                             "VALUES ('d', %s, %s)", (int(number), score))

        stored = load.check_database(url, round_id)

    assert stored.responses == 4 and stored.partial == 1 and stored.unknown == 1
    assert stored.by_serial == load.Counter({7: 1, 8: 1, 10: 1})
