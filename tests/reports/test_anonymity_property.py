"""Rule 5 as a property: no published number, sum or difference reveals fewer than k ratings."""

from fractions import Fraction
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.results.arithmetic import (
    Cell,
    Published,
    protect_statement,
)
from app.vocabulary import ANONYMOUS_TYPES, NO_RATINGS, fewer_than

scores = st.lists(st.integers(min_value=1, max_value=5), max_size=8)
statements = st.fixed_dictionaries(
    {
        "self_assessment": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
        "ratings": st.fixed_dictionaries({name: scores for name in ANONYMOUS_TYPES}),
        "k": st.sampled_from([3, 4, 5]),
    }
)


def make_cells(statement: dict) -> dict[str, Cell]:
    own = statement["self_assessment"]
    cells = {
        name: Cell(n=len(group), total=sum(group)) for name, group in statement["ratings"].items()
    }
    cells["self_assessment"] = Cell(n=0, total=0) if own is None else Cell(n=1, total=own)
    return cells


def count_and_sum(published: Published | None) -> tuple[int, Fraction]:
    """What a reader can work out from a published average and its n."""
    if published is None:
        return 0, Fraction(0)
    total = published.mean * published.n
    assert total.denominator == 1
    return published.n, total


def assert_reveals_k_ratings_or_only_the_self_assessment(
    statement: dict, *, n: int, total: Fraction, types: set[str], with_self: bool
) -> None:
    """The derived count and sum are those of the named ratings, of which there are none or k+."""
    own = statement["self_assessment"]
    anonymous = [score for name in types for score in statement["ratings"][name]]
    covered = anonymous + ([own] if with_self and own is not None else [])
    assert (n, total) == (len(covered), sum(covered))
    assert len(anonymous) == 0 or len(anonymous) >= statement["k"]


@settings(max_examples=300, deadline=None)
@given(statements)
def test_no_published_number_or_difference_isolates_fewer_than_k_anonymous_ratings(statement):
    k = statement["k"]
    result = protect_statement(cells=make_cells(statement), k=k)
    own_n, own_total = count_and_sum(result.self_assessment)
    assert_reveals_k_ratings_or_only_the_self_assessment(
        statement, n=own_n, total=own_total, types=set(), with_self=True
    )

    if result.organisation is None:
        assert sum(len(group) for group in statement["ratings"].values()) < k
        assert result.anonymous is None and result.parts == ()
        assert all(each.published is None for each in result.respondent_types.values())
        return

    everyone_n, everyone_total = count_and_sum(result.organisation)
    for size in range(len(result.parts) + 1):
        for chosen in combinations(result.parts, size):
            chosen_types = {name for part in chosen for name in part.types}
            rest_types = set(ANONYMOUS_TYPES) - chosen_types
            chosen_n = sum(count_and_sum(part)[0] for part in chosen)
            chosen_total = sum(count_and_sum(part)[1] for part in chosen)
            # the chosen parts added together
            assert_reveals_k_ratings_or_only_the_self_assessment(
                statement, n=chosen_n, total=chosen_total, types=chosen_types, with_self=False
            )
            # the organisation less the self-assessment less the chosen parts
            assert_reveals_k_ratings_or_only_the_self_assessment(
                statement,
                n=everyone_n - own_n - chosen_n,
                total=everyone_total - own_total - chosen_total,
                types=rest_types,
                with_self=False,
            )
            # the organisation less the chosen parts, the self-assessment left in
            assert_reveals_k_ratings_or_only_the_self_assessment(
                statement,
                n=everyone_n - chosen_n,
                total=everyone_total - chosen_total,
                types=rest_types,
                with_self=True,
            )

    # The other published numbers add nothing: each is one of the parts or all of them.
    parts = {part.types: count_and_sum(part) for part in result.parts}
    assert count_and_sum(result.anonymous) == (
        sum(n for n, _ in parts.values()),
        sum(total for _, total in parts.values()),
    )
    for name, each in result.respondent_types.items():
        if each.published is not None:
            assert count_and_sum(each.published) == parts[(name,)]


@settings(max_examples=300, deadline=None)
@given(statements)
def test_the_published_parts_partition_the_anonymous_ratings(statement):
    k = statement["k"]
    ratings = statement["ratings"]
    result = protect_statement(cells=make_cells(statement), k=k)

    if result.organisation is None:
        assert all(
            each.suppressed == fewer_than(k) and each.combined_with == ()
            for each in result.respondent_types.values()
        )
        return

    covered = [name for part in result.parts for name in part.types]
    assert sorted(covered) == sorted(name for name in ANONYMOUS_TYPES if ratings[name])
    assert sum(part.n for part in result.parts) == result.anonymous.n
    for part in result.parts:
        pooled = [score for name in part.types for score in ratings[name]]
        assert part.n == len(pooled) >= k
        assert part.mean == Fraction(sum(pooled), len(pooled))
        for name in part.types:
            said = result.respondent_types[name]
            if len(part.types) == 1:
                assert said.published.n == len(ratings[name]) and said.suppressed is None
            else:
                assert said.published is None and said.suppressed == fewer_than(k)
                assert set(said.combined_with) == set(part.types) - {name}
    for name in ANONYMOUS_TYPES:
        if not ratings[name]:
            assert result.respondent_types[name].suppressed == NO_RATINGS
