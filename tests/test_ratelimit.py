"""Rate limits counted in the database: atomic, shared by every process, fixed windows."""

import threading

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from app import ratelimit


def test_counts_from_many_threads_at_once_are_each_counted_exactly_once(database_url):
    # Each thread takes connections of its own, as separate server processes would.
    threads, hits = 8, 25
    seen: list[int] = []
    lock = threading.Lock()

    def count() -> None:
        for _ in range(hits):
            counted = ratelimit.record("shared", window_seconds=600).count
            with lock:
                seen.append(counted)

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(seen) == list(range(1, threads * hits + 1))
    assert ratelimit.peek("shared", window_seconds=600).count == threads * hits


def test_a_count_is_seen_by_another_engine_on_the_same_database(database_url):
    ratelimit.record("elsewhere", window_seconds=60)
    ratelimit.record("elsewhere", window_seconds=60)
    ratelimit._engine_for.cache_clear()  # as a second process would: a pool of its own

    assert ratelimit.record("elsewhere", window_seconds=60).count == 3


def test_the_table_holds_no_key_in_the_clear(database_url, session):
    ratelimit.record("sign-in:address:198.51.100.7", window_seconds=60)

    [key] = session.exec(select(ratelimit.RateCount.key)).all()
    assert "198.51.100.7" not in key and len(key) == 64


def test_hit_refuses_past_the_limit_and_rate_limits_off_refuses_nothing(database_url,
                                                                        monkeypatch):
    verdicts = [ratelimit.hit("k", limit=2, window_seconds=60) for _ in range(3)]
    assert verdicts[:2] == [None, None] and verdicts[2].count == 3

    from app.config import get_settings
    monkeypatch.setattr(get_settings(), "rate_limits", "off")
    assert ratelimit.hit("k", limit=2, window_seconds=60) is None
    assert ratelimit.peek("k", window_seconds=60).count == 3  # not even counted


def test_forgive_takes_one_hit_back_and_reset_forgets_the_key(database_url):
    for _ in range(3):
        ratelimit.record("k", window_seconds=60)
    ratelimit.forgive("k")
    assert ratelimit.peek("k", window_seconds=60).count == 2
    ratelimit.reset("k")
    assert ratelimit.peek("k", window_seconds=60).count == 0


def test_forget_expired_clears_only_counts_older_than_asked(database_url, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000.0)
    ratelimit.record("old", window_seconds=60)
    monkeypatch.setattr(ratelimit, "clock", lambda: 5_000.0)
    ratelimit.record("new", window_seconds=60)

    assert ratelimit.forget_expired(older_than_seconds=3_600) == 1
    assert ratelimit.peek("new", window_seconds=60).count == 1


@given(gaps=st.lists(st.floats(min_value=0, max_value=50, allow_nan=False), max_size=30),
       window=st.integers(min_value=1, max_value=60))
def test_counts_follow_fixed_windows_that_start_at_a_keys_first_hit(database_url, gaps, window):
    ratelimit.reset_all()
    now, start, expected_count = 10_000.0, None, 0
    for gap in gaps:
        now += gap
        # The oracle: a window opens at a hit when none is open, and lasts `window` seconds.
        if start is None or now - start >= window:
            start, expected_count = now, 0
        expected_count += 1
        real_clock, ratelimit.clock = ratelimit.clock, lambda now=now: now
        try:
            assert ratelimit.record("p", window_seconds=window).count == expected_count
        finally:
            ratelimit.clock = real_clock
