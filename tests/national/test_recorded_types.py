"""National results by respondent type read what closing each round recorded (issue 17).

Closing a round records what its report publishes per statement and respondent type
(`round_type_statement`); the breakdown must then be exactly what protecting every
organisation's cells at request time gives (the way it was figured before, kept for rounds
closed without the record, and itself checked by hand in test_results.py). The recorded rows are
added up in SQL (app.national.by_type): those sums are checked against the rows themselves,
added up here one organisation at a time.
"""

import itertools
import random
from collections import defaultdict
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import delete, func, select

from app.config import get_settings
from app.national.by_type import Tally, recorded_type_tallies
from app.national.groups import protected_by_respondent_type
from app.national.query import NationalQuery
from app.reports import aggregation as agg
from app.results.models import RoundTypeStatement
from app.statements.loader import get_statement_sets
from tests.builders import make_closed_round, make_organisation, national_results, random_answers

_years = (f"{y}-{(y + 1) % 100:02d}" for y in itertools.count(2040))


def _close_rounds(session, rng: random.Random, year: str, organisations: int) -> None:
    for _ in range(organisations):
        make_closed_round(
            session, organisation=make_organisation(session), year=year,
            answers=random_answers(rng, nqsw=rng.randint(3, 5), line_manager=rng.randint(1, 4),
                                   other=rng.randint(0, 4), dont_know=0.3))


def _by_type(session, year: str) -> dict:
    return national_results(session, year=year, programme="child_and_family",
                            group_by="respondent_type")["groups"]


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), organisations=st.integers(3, 6))
def test_the_recorded_breakdown_is_the_breakdown_protected_at_request_time(
        session, seed, organisations):
    year = next(_years)
    _close_rounds(session, random.Random(seed), year, organisations)
    rows = session.exec(select(func.count()).select_from(RoundTypeStatement)).one()
    assert rows > 0

    recorded = _by_type(session, year)
    # The oracle: the same results with every organisation's cells protected now.
    query = NationalQuery(year=year, programme="child_and_family",
                          group_by="respondent_type")
    statement_set = get_statement_sets()["child-and-family-2019"]
    protected = protected_by_respondent_type(session=session, query=query,
                                             statement_set=statement_set,
                                             settings=get_settings())
    for name, group in recorded.items():
        assert group["organisations"] == protected[name][0]

    # The SQL sums against the recorded rows, one organisation average at a time; and those
    # averages are the ones protecting the cells now publishes.
    averages: dict[str, dict[int, list[Fraction]]] = defaultdict(lambda: defaultdict(list))
    publishing: dict[str, set[int]] = defaultdict(set)
    for row in session.exec(select(RoundTypeStatement)):
        if row.n is not None:
            averages[row.respondent_type][row.statement_number].append(
                Fraction(row.total, row.n))
            publishing[row.respondent_type].add(row.round_id)
    tallies = recorded_type_tallies(session=session, year=year, programme="child_and_family",
                                    statement_set=statement_set.key,
                                    numbers=statement_set.numbers, settings=get_settings())
    assert tallies.recorded == set(session.exec(select(RoundTypeStatement.round_id)))
    for name, (organisations, values) in protected.items():
        assert tallies.organisations[name] == organisations == len(publishing[name])
        assert set(tallies.tallies[name]) == set(values) == set(averages[name])
        for number, tally in tallies.tallies[name].items():
            assert sorted(values[number]) == sorted(averages[name][number])
            mine = averages[name][number]
            assert tally == Tally(organisations=len(mine), total=sum(mine),
                                  lowest=min(mine), highest=max(mine))
    session.exec(delete(RoundTypeStatement))
    session.commit()
    assert _by_type(session, year) == recorded


def test_rounds_recorded_with_another_k_are_figured_from_the_summary(session, monkeypatch):
    year = next(_years)
    _close_rounds(session, random.Random(7), year, 4)
    recorded = _by_type(session, year)
    session.exec(RoundTypeStatement.__table__.update().values(k=99))
    session.commit()

    assert _by_type(session, year) == recorded


_cell = st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(n, 5 * n)))


@settings(max_examples=200)
@given(cells=st.lists(_cell, min_size=1, max_size=60), minimum=st.integers(1, 8))
def test_a_tally_by_number_of_scores_benchmarks_as_the_averages_do(cells, minimum):
    """Organisation averages total/n tallied per n (as the SQL groups them) give the figures
    agg.benchmark gives over the averages themselves."""
    by_n: dict[int, list[int]] = defaultdict(list)
    for n, total in cells:
        by_n[n].append(total)
    tally = Tally(organisations=len(cells),
                  total=sum(Fraction(sum(totals), n) for n, totals in by_n.items()),
                  lowest=min(Fraction(min(totals), n) for n, totals in by_n.items()),
                  highest=max(Fraction(max(totals), n) for n, totals in by_n.items()))

    averages = [Fraction(total, n) for n, total in cells]
    assert tally.benchmark(minimum) == agg.benchmark(averages, min_organisations=minimum)
