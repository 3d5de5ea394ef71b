"""Launch day, briefly: 50 clients at once through the real server, then every response counted.

A short version of `python -m bench.load` (which runs for as long as you ask): each submission
spells a serial number in its ratings, so the database can be checked submission by submission.
"""

import asyncio

import pytest

from bench import load
from bench.data import open_round_with_links

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
