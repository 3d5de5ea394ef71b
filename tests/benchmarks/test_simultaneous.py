"""Two readers publishing the same year's benchmarks for the first time, at the same moment,
each in its own session: one publication is stored, and both show its figures. On PostgreSQL
an advisory lock serialises them; on SQLite the publisher takes the write lock before reading
what was published (in a file database, as deployed)."""

import contextlib
import threading
from dataclasses import astuple
from fractions import Fraction

from sqlmodel import Session, select

from app.benchmarks import service
from app.benchmarks.cohorts import NATIONAL, GroupKey
from app.benchmarks.models import PublishedBenchmark
from app.benchmarks.service import Scope, publish_benchmarks
from tests.benchmarks.test_publishing import DAY, NUMBERS, SCOPE, Org

ALONE = Scope("2024-25", SCOPE.programme, SCOPE.statement_set)  # the oracle's own year
COHORT = [Org(i, "london" if i <= 4 else "eastern", None, "nhs",
              {1: Fraction(1 + i % 5), 2: Fraction(i % 4 + 2, 2)}) for i in range(1, 9)]
GROUPS = [GroupKey(NATIONAL), GroupKey("region", "london"), GroupKey("employer_type", "nhs")]
WAIT_SECONDS = 3  # long enough for both to have read, far below SQLite's busy timeout (30 s)


def publish(session, scope):
    return publish_benchmarks(session=session, scope=scope, cohort=COHORT, groups=GROUPS,
                              numbers=NUMBERS, minimum=3, today=DAY)


def stored(session, scope) -> list[tuple]:
    rows = session.exec(select(PublishedBenchmark).where(PublishedBenchmark.year == scope.year))
    return sorted((row.kind, row.group_key, row.statement_number, tuple(row.organisations),
                   row.mean, row.minimum, row.maximum) for row in rows)


def test_two_first_publications_at_once_store_one_and_show_the_same(engine, monkeypatch):
    # Each reader, having read what was published, waits for the other to have read it too
    # (at most WAIT_SECONDS: where the second is held back before reading, it never comes).
    read_both = threading.Barrier(2)
    read_history = service._history

    def history_then_wait(session, scope):
        history = read_history(session, scope)
        with contextlib.suppress(threading.BrokenBarrierError):
            read_both.wait(timeout=WAIT_SECONDS)
        return history

    monkeypatch.setattr(service, "_history", history_then_wait)
    results, failures = [None, None], []

    def reader(index: int) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                results[index] = publish(session, SCOPE)
        except Exception as error:  # noqa: BLE001 - reported below, with the other reader's
            failures.append(error)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    monkeypatch.setattr(service, "_history", read_history)
    with Session(engine) as session:
        publish(session, ALONE)  # the oracle: one publication, alone, of the same cohort
        once = stored(session, ALONE)
        twice = stored(session, SCOPE)
    assert once, "the cohort is large enough for something to be published"
    assert twice == once
    first, second = results
    assert {g: {n: astuple(v) for n, v in by.items()} for g, by in first.items()} == {
        g: {n: astuple(v) for n, v in by.items()} for g, by in second.items()}
