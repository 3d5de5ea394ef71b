"""The previous year's national means come from SQL sums over `round_statement` (grouped by
statement and n); they must be exactly the means of the cohort's organisation averages, as
`cohort_rounds` lists them, whichever rounds qualify or withhold statements."""

import itertools
import random
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.benchmarks.queries import cohort_rounds
from app.config import get_settings
from app.national.queries import cohort_means
from tests.builders import make_closed_round, make_organisation, random_answers

_years = (f"{y}-{(y + 1) % 100:02d}" for y in itertools.count(2140))


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), organisations=st.integers(0, 6))
def test_cohort_means_are_the_means_of_the_cohorts_averages(session, seed, organisations):
    rng = random.Random(seed)
    year = next(_years)
    for _ in range(organisations):
        # Some miss the minimum criteria (no line manager), some withhold statements.
        make_closed_round(
            session, organisation=make_organisation(session), year=year,
            answers=random_answers(rng, nqsw=rng.randint(3, 5), line_manager=rng.randint(0, 3),
                                   other=rng.randint(0, 2), dont_know=0.4))
    query = {"year": year, "programme": "child_and_family",
             "statement_set": "child-and-family-2019", "settings": get_settings()}

    rounds, means = cohort_means(session=session, **query)

    # The oracle: each organisation's averages one by one, summed with Python's own sum.
    cohort = cohort_rounds(session=session, **query)
    averages: dict[int, list[Fraction]] = {}
    for cohort_round in cohort:
        for number, mean in cohort_round.means.items():
            averages.setdefault(number, []).append(mean)
    minimum = get_settings().minimum_organisations
    assert rounds == len(cohort)
    assert means == {number: sum(values) / len(values) for number, values in averages.items()
                     if len(values) >= minimum}
