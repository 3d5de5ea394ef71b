"""The disclosure audit of rule 7, against the attacks of issue 12 and an independent oracle.

The oracle below knows nothing of the production module: it takes the published organisation sets,
and for every reader (each organisation, and an outsider) and every set S of fewer than `minimum`
other organisations, decides with a separate Fraction elimination whether some combination of the
published totals and the reader's own figure involves only S (and the reader) and is non-zero on S.
"""

import functools
from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from app.benchmarks.audit import Audit, Disclosure, Withheld, audit, smallest_isolated

OUTSIDER = "an outsider"


# -- the oracle -----------------------------------------------------------------------------------


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """The rank of a small matrix, by plain Gaussian elimination over Fractions."""
    matrix = [list(row) for row in rows if any(row)]
    found = 0
    columns = len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((i for i in range(found, len(matrix)) if matrix[i][column]), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        for i in range(len(matrix)):
            if i != found and matrix[i][column]:
                factor = matrix[i][column] / matrix[found][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[found], strict=True)]
        found += 1
    return found


def dimension_within(
    rows: Sequence[Sequence[Fraction]], inside: set[int], *, full: int | None = None
) -> int:
    """The dimension of the combinations of `rows` that are zero outside the columns `inside`:
    the rank of the rows (`full`, if known) minus the rank of their columns outside."""
    outside = [[row[c] for c in range(len(row)) if c not in inside] for row in rows]
    return (rank(rows) if full is None else full) - rank(outside)


def indicator(group: Iterable, universe: Sequence) -> list[Fraction]:
    members = set(group)
    return [Fraction(int(o in members)) for o in universe]


def isolations(
    groups: Sequence[frozenset], universe: Sequence, minimum: int
) -> set[tuple[object, frozenset]]:
    """Every (reader, S) such that the reader can work out a combination involving only S, S a set
    of fewer than `minimum` organisations other than the reader."""
    found = set()
    published = [indicator(group, universe) for group in groups]
    for reader in [*universe, OUTSIDER]:
        own = [] if reader == OUTSIDER else [indicator([reader], universe)]
        rows = published + own
        full = rank(rows)
        others = [o for o in universe if o != reader]
        # The reader's own figure is always isolated; anything beyond it is a leak.
        floor = len(own)
        for size in range(1, minimum):
            for subset in combinations(others, size):
                inside = {universe.index(o) for o in subset}
                if reader != OUTSIDER:
                    inside.add(universe.index(reader))
                if dimension_within(rows, inside, full=full) > floor:
                    found.add((reader, frozenset(subset)))
    return found


def small_supports(
    groups: Sequence[frozenset], universe: Sequence, minimum: int
) -> list[frozenset]:
    """Every set T of at most `minimum` organisations holding a non-zero combination of the
    published totals (the reader-independent criterion), by brute force."""
    rows = [indicator(group, universe) for group in groups]
    full = rank(rows)
    return [
        frozenset(subset)
        for size in range(1, minimum + 1)
        for subset in combinations(universe, size)
        if dimension_within(rows, {universe.index(o) for o in subset}, full=full) > 0
    ]


def new_supports(before, after, universe, minimum) -> list[frozenset]:
    """Sets of at most `minimum` organisations holding a combination of `after` not in `before`."""
    old = [indicator(group, universe) for group in before]
    new = [indicator(group, universe) for group in after]
    old_rank, new_rank = rank(old), rank(new)
    found = []
    for size in range(1, minimum + 1):
        for subset in combinations(universe, size):
            inside = {universe.index(o) for o in subset}
            if dimension_within(new, inside, full=new_rank) > dimension_within(
                old, inside, full=old_rank
            ):
                found.append(frozenset(subset))
    return found


def oracle_audit(published, candidates, universe, minimum):
    """The greedy of rule 7 decided by the oracle: largest first, ties by key; a candidate is
    accepted when no reader can isolate anything new."""
    current = list(published)
    before = isolations(current, universe, minimum)
    accepted, withheld = [], []
    for key, group in sorted(candidates, key=lambda c: (-len(c[1]), c[0])):
        after = isolations([*current, group], universe, minimum)
        if after == before:
            accepted.append(key)
            current.append(group)
        else:
            withheld.append(key)
    return accepted, withheld


# -- the attacks of issue 12, verdicts derived by hand ---------------------------------------------


def letters(text: str) -> frozenset[str]:
    return frozenset(text)


def test_region_minus_partnership_isolates_the_one_outside_so_the_partnership_is_withheld():
    region, partnership = letters("abcd"), letters("abc")
    # Published together, region − partnership = d alone, for anyone.
    assert (OUTSIDER, letters("d")) in isolations([region, partnership], "abcd", 3)

    result = audit([], [("region", region), ("partnership", partnership)])

    assert result == Audit(accepted=("region",), withheld=(
        Withheld("partnership", letters("d"), with_accepted=("region",)),))


def test_a_region_and_partnership_differing_by_four_are_both_shown():
    # αR + βT is R (8), T (4) or R − T (4 organisations): nobody is left with fewer than 3 others.
    region, partnership = letters("abcdefgh"), letters("abcd")
    assert isolations([region, partnership], "abcdefgh", 3) == set()
    assert audit([], [("region", region), ("partnership", partnership)]).withheld == ()


@pytest.mark.parametrize(
    ("joined", "isolated"),
    [
        ("f", "f"),  # new − old = f
        ("fg", "fg"),  # f + g: an outsider learns the pair
        ("fgh", "fgh"),  # f + g + h: f learns g + h
        ("fghi", None),  # four newcomers: each reader inside still has three others
    ],
)
def test_a_group_re_read_after_new_organisations_needs_four_more(joined, isolated):
    before = letters("abcde")
    after = before | letters(joined)

    result = audit([before], [("national", after)])

    assert result.isolates("national") == (None if isolated is None else letters(isolated))
    assert (result.accepted == ("national",)) is (isolated is None)


def test_national_minus_the_regions_shown_would_give_a_hidden_one_organisation_region():
    national = letters("abcdefghij")
    regions = {"r1": letters("abcd"), "r2": letters("efghi"), "r3": letters("j")}
    # National first (10); r2 (5) leaves N − r2 = 5 and r2 = 5; r1 (4) would make
    # N − r1 − r2 = j; r3 = j itself.
    result = audit([], [("national", national), *regions.items()])

    assert result.accepted == ("national", "r2")
    assert result.isolates("r1") == letters("j")
    assert result.isolates("r3") == letters("j")


def test_a_three_organisation_group_is_withheld_because_a_reader_inside_learns_the_other_two():
    group = letters("abc")
    assert ("a", letters("bc")) in isolations([group], "abc", 3)
    assert (OUTSIDER, letters("ab")) not in isolations([group], "abc", 3)

    assert audit([], [("partnership", group)]).isolates("partnership") == group


def test_two_throw_away_registrations_beside_a_single_member_do_not_unlock_its_partnership():
    # The two fakes are one reader's organisations: a group of 3 leaves each reader 2 others.
    partnership = frozenset({"member", "fake 1", "fake 2"})
    assert audit([], [("partnership", partnership)]).accepted == ()


def test_nested_groups_are_shown_when_each_step_has_four_and_withheld_when_it_has_three():
    national, region = frozenset(range(12)), frozenset(range(8))
    shown = audit([], [("n", national), ("r", region), ("p", frozenset(range(4)))])
    assert shown.accepted == ("n", "r", "p")

    short = audit([], [("n", national), ("r", region), ("p", frozenset(range(5)))])
    assert short.accepted == ("n", "r")
    assert short.isolates("p") == frozenset({5, 6, 7})  # region − partnership


def test_disjoint_groups_stand_alone():
    a, b, c = frozenset(range(4)), frozenset(range(4, 9)), frozenset(range(9, 12))
    result = audit([], [("a", a), ("b", b), ("c", c)])
    assert result.accepted == ("b", "a")
    assert result.isolates("c") == c


def test_a_group_already_in_the_span_adds_nothing_and_is_shown():
    east, west = frozenset(range(4)), frozenset(range(4, 8))
    state = Disclosure([east, west])
    assert state.offer(east | west) is None  # national = east + west
    assert state.offer(east) is None  # the same figures again
    assert state.rank == 2


def test_groups_of_two_kinds_overlapping_in_all_but_three_are_withheld():
    # region − type = f + g − e: three organisations, so e, f or g learns the other two.
    region, employer_type = letters("abcdfg"), letters("abcde")
    result = audit([], [("region", region), ("type", employer_type)])
    assert result.isolates("type") == letters("efg")


def test_a_weighted_combination_is_found_not_only_differences():
    # (A + B − C) / 2 is the total of 1, 2, 3: no difference of two groups shows it.
    a = frozenset({1, 2, 3, 4, 5, 6})
    b = frozenset({1, 2, 3, 7, 8, 9})
    c = frozenset({4, 5, 6, 7, 8, 9})
    assert frozenset({1, 2, 3}) in small_supports([a, b, c], range(1, 10), 3)

    result = audit([], [("a", a), ("b", b), ("c", c)])

    assert result.accepted == ("a", "b")
    assert result.isolates("c") in ({1, 2, 3}, {4, 5, 6}, {7, 8, 9})


def test_a_combination_is_found_when_the_first_row_tried_cancels_every_column_but_wrongly():
    # Found against an earlier row-by-row search that stopped once its rows covered every column:
    # the rows covering the candidate cannot cancel it with any weights, and only a further row
    # brings the combination down to three organisations.
    published = [
        frozenset({0, 1, 3, 4, 5, 6, 8, 9}),
        frozenset({2, 3, 4, 5, 7, 8}),
        frozenset({0, 1, 2, 3, 4, 9}),
    ]
    candidate = frozenset({0, 1, 2, 4, 6})
    universe = list(range(10))
    new = new_supports(published, [*published, candidate], universe, 3)
    assert min(map(len, new)) == 3

    isolated = Disclosure(published).witness(candidate)

    assert isolated in new
    assert len(isolated) == 3


# Each found by breaking one step of the search and looking for a case where the broken copy
# answers differently (small random cases rarely reach these steps); the expected answers come
# from the oracle.
SEARCH_PATHS = {
    "a partner changed by an earlier quotient": (
        3,
        [
            {0, 2, 5, 6, 7, 8, 10, 11, 12},
            {3, 4, 5, 6, 7, 12},
            {0, 2, 6, 7},
            {1, 2, 3, 5, 6, 7, 8, 10},
            {0, 1, 2, 5, 6, 7, 9, 11, 12},
        ],
        {4, 8, 10, 11},
    ),
    "two rows touching the same column": (
        3,
        [{0, 1, 7, 8, 10}, {0, 1, 4, 8, 9, 10}, {0, 4, 5}, {1, 6, 9, 10}, {4, 5, 6, 10}, {5, 8, 9}],
        {0, 4, 5, 7, 9},
    ),
    "the second of the rows touching a column": (
        4,
        [{2, 5, 8, 11}, {4, 9, 11}, {1, 2, 6}],
        {1, 4, 5, 8, 11},
    ),
    "rows changed by an earlier quotient": (
        4,
        [
            {0, 2, 3, 8, 9, 12, 13},
            {3, 8, 11, 12, 13},
            {3, 4, 6, 7, 12, 13},
            {6, 8, 12},
            {0, 3, 8, 9, 11, 12, 13},
        ],
        {0, 2, 3, 4, 7, 8, 11, 12},
    ),
    "a changed row touching the column": (
        4,
        [{3, 5, 9, 10}, {5, 8}, {1, 2, 3, 5, 9}, {0, 1, 3, 8, 9, 10}],
        {0, 1, 2, 5, 9, 10},
    ),
    "a basis row whose pivot is not 1": (
        3,
        [{6, 7, 9}, {4, 7, 9, 10}, {6, 8, 9}, {4, 6, 7, 10}],
        {4, 7, 8, 9, 10},
    ),
}


@pytest.mark.parametrize(
    ("minimum", "published", "candidate"), SEARCH_PATHS.values(), ids=list(SEARCH_PATHS)
)
def test_each_step_of_the_search_is_needed_and_right(minimum, published, candidate):
    published, candidate = [frozenset(g) for g in published], frozenset(candidate)
    universe = sorted(set().union(candidate, *published))
    new = new_supports(published, [*published, candidate], universe, minimum)
    old = small_supports(published, universe, minimum)
    state = Disclosure(published, minimum=minimum)

    isolated = state.witness(candidate)
    already = state.smallest_isolated()

    assert (isolated is None) == (not new)
    if new:
        assert isolated in new and len(isolated) == min(map(len, new))
    assert (already is None) == (not old)
    if old:
        assert already in old and len(already) == min(map(len, old))


def test_an_unsafe_base_is_not_a_reason_to_withhold_what_adds_nothing_new():
    # A 3-organisation group shown under an older setting stays public; a 7-organisation group
    # over it adds only combinations on 4 or 7 organisations, but 4 with it adds d alone.
    shown = letters("abc")
    assert smallest_isolated([shown]) == shown

    result = audit([shown], [("wide", letters("abcdefg")), ("narrow", letters("abcd"))])

    assert result.accepted == ("wide",)
    assert result.isolates("narrow") == letters("d")


def test_the_smallest_isolated_set_is_reported():
    assert smallest_isolated([letters("abcdefgh"), letters("abcd")]) is None
    assert smallest_isolated([letters("abcdefgh"), letters("abcdefg")]) == letters("h")
    assert smallest_isolated([letters("abcde"), letters("abc")]) == letters("de")
    assert smallest_isolated([letters("abcde"), letters("abc")], minimum=1 + 1) == letters("de")
    assert smallest_isolated([letters("abcdef"), letters("abc")], minimum=2) is None


def test_larger_groups_are_considered_first_and_ties_by_key():
    big, small = letters("abcdefgh"), letters("abcdefg")  # each alone is fine, not both
    assert audit([], [("z", small), ("a", big)]).accepted == ("a",)
    first, second = letters("abcdefg"), letters("abcdefh")  # same size: the key decides
    assert audit([], [("b", first), ("a", second)]).accepted == ("a",)
    assert audit([], [("a", first), ("b", second)]).accepted == ("a",)


def test_witness_records_nothing_and_offer_records_only_what_is_safe():
    state = Disclosure([letters("abcdefgh")])
    assert state.witness(letters("abcdefg")) == letters("h")
    assert state.rank == 1
    assert state.offer(letters("abcdefg")) == letters("h")
    assert state.rank == 1
    assert state.offer(letters("abcd")) is None
    assert state.rank == 2
    # The rejected offer split no class for good: the same question gets the same answer.
    assert state.witness(letters("abcdefg")) == letters("h")


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="minimum"):
        audit([], [], minimum=1)
    with pytest.raises(ValueError, match="unique"):
        audit([], [("a", letters("abcd")), ("a", letters("efgh"))])


def test_families_are_hashable_so_statements_counting_the_same_organisations_share_one_audit():
    cached = functools.lru_cache(maxsize=8)(audit)
    candidates = (("region", letters("abcd")), ("partnership", letters("abc")))
    first = cached((), candidates)
    again = cached((), tuple(candidates))
    assert again is first
    assert cached.cache_info().hits == 1
    assert hash(first) == hash(audit((), candidates))


# -- properties against the oracle ---------------------------------------------------------------


@st.composite
def instances(draw, *, most: int = 9, candidates: int = 6, published: int = 4):
    size = draw(st.integers(min_value=1, max_value=most))
    universe = list(range(size))
    groups = st.frozensets(st.sampled_from(universe), min_size=1)
    # Half the groups nest or partition, as real versions and regions do; half are arbitrary.
    structured = st.builds(
        lambda cut, low: frozenset(range(low, max(low + 1, cut))),
        st.integers(0, size),
        st.integers(0, size - 1),
    )
    group = st.one_of(groups, structured)
    return (
        universe,
        draw(st.lists(group, max_size=published)),
        draw(st.lists(group, max_size=candidates)),
        draw(st.sampled_from([2, 3, 3, 3, 4])),
    )


def keyed(groups: Sequence[frozenset]) -> list[tuple[str, frozenset]]:
    return [(f"group {i:02}", group) for i, group in enumerate(groups)]


@settings(max_examples=150, deadline=None)
@given(instances(published=0, candidates=8), st.integers(min_value=0, max_value=8))
def test_after_the_audit_no_reader_can_isolate_fewer_than_minimum_others(instance, cut):
    """Two publications in a year: what the first showed stays shown, the second adds to it."""
    universe, _, candidates, minimum = instance
    first, later = keyed(candidates)[:cut], keyed(candidates)[cut:]

    shown_first = audit([], first, minimum=minimum)
    published = [group for key, group in first if key in shown_first.accepted]
    shown_later = audit(published, later, minimum=minimum)

    shown = published + [group for key, group in later if key in shown_later.accepted]
    assert isolations(shown, universe, minimum) == set()
    for item in (*shown_first.withheld, *shown_later.withheld):
        assert 1 <= len(item.isolates) <= minimum


@settings(max_examples=150, deadline=None)
@given(instances())
def test_the_audit_makes_the_greedy_choices_the_oracle_makes(instance):
    universe, published, candidates, minimum = instance

    result = audit(published, keyed(candidates), minimum=minimum)

    accepted, withheld = oracle_audit(published, keyed(candidates), universe, minimum)
    assert list(result.accepted) == accepted
    assert [item.key for item in result.withheld] == withheld
    # Each reason is a smallest set on which the candidate would have added a combination,
    # given what was shown when it was considered.
    groups = dict(keyed(candidates))
    for item in result.withheld:
        earlier = [groups[key] for key in accepted if len(groups[key]) > len(groups[item.key])]
        earlier += [
            groups[key]
            for key in accepted
            if len(groups[key]) == len(groups[item.key]) and key < item.key
        ]
        base = [*published, *earlier]
        new = new_supports(base, [*base, groups[item.key]], universe, minimum)
        assert item.isolates in new
        assert len(item.isolates) == min(len(found) for found in new)


@settings(max_examples=100, deadline=None)
@given(instances(most=12, candidates=1, published=7))
def test_one_offer_against_a_longer_history_agrees_with_brute_force(instance):
    universe, published, candidates, minimum = instance
    state = Disclosure(published, minimum=minimum)
    for candidate in candidates:
        new = new_supports(published, [*published, candidate], universe, minimum)

        isolated = state.witness(candidate)

        if not new:
            assert isolated is None
        else:
            assert isolated in new
            assert len(isolated) == min(map(len, new))


def test_the_oracle_does_find_leaks_when_everything_is_shown():
    """Without the audit the property fails: the oracle is not blind."""

    def leaks_when_all_shown(instance) -> bool:
        universe, _, candidates, minimum = instance
        return bool(isolations(candidates, universe, minimum)) and not audit(
            [], keyed(candidates), minimum=minimum
        ).accepted == tuple(key for key, _ in keyed(candidates))

    universe, _, candidates, minimum = find(
        instances(published=0), leaks_when_all_shown, settings=settings(database=None)
    )
    result = audit([], keyed(candidates), minimum=minimum)
    assert result.withheld
    shown = [group for key, group in keyed(candidates) if key in result.accepted]
    assert isolations(shown, universe, minimum) == set()


@settings(max_examples=150, deadline=None)
@given(instances(candidates=0, published=6))
def test_smallest_isolated_agrees_with_brute_force(instance):
    universe, published, _, minimum = instance
    supports = small_supports(published, universe, minimum)

    found = smallest_isolated(published, minimum=minimum)

    if not supports:
        assert found is None
    else:
        assert found in supports
        assert len(found) == min(len(support) for support in supports)


@settings(max_examples=150, deadline=None)
@given(instances(candidates=0, published=6))
def test_every_reader_is_safe_exactly_when_every_combination_spans_minimum_plus_one(instance):
    """The coordinator's analysis: readers inside or outside, the criterion is one."""
    universe, published, _, minimum = instance
    per_reader = isolations(published, universe, minimum)
    supports = small_supports(published, universe, minimum)

    assert bool(per_reader) == bool(supports)
    # An outsider isolates exactly the supports of fewer than `minimum` organisations ...
    outsider = {subset for reader, subset in per_reader if reader == OUTSIDER}
    assert bool(outsider) == any(len(s) < minimum for s in supports)
    # ... and a reader inside the exact support of a combination drops itself from it (a support
    # with no smaller one inside is exact: a combination with a smaller one would be listed).
    exact = [s for s in supports if not any(t < s for t in supports)]
    for support in exact:
        for reader in support:
            rest = support - {reader}
            if rest:
                assert (reader, rest) in per_reader


# -- the certificate: which figures a withheld candidate would combine with ----------------------


def completes(candidate: frozenset, rows: Sequence[frozenset], isolated: frozenset,
              universe: Sequence) -> bool:
    """Whether some combination of the candidate (with a non-zero weight) and `rows` involves only
    the `isolated` organisations: more such combinations with the candidate than without it."""
    inside = {universe.index(o) for o in isolated}
    others = [indicator(row, universe) for row in rows]
    return dimension_within([indicator(candidate, universe), *others], inside) > \
        dimension_within(others, inside)


@settings(max_examples=150, deadline=None)
@given(instances(most=8, candidates=5, published=4))
def test_each_withheld_group_names_figures_that_isolate_its_set_and_none_it_could_do_without(
    instance
):
    universe, published, candidates, minimum = instance
    groups = dict(keyed(candidates))

    result = audit(published, keyed(candidates), minimum=minimum)

    for item in result.withheld:
        # What was shown when it was considered: the published figures, then the candidates
        # accepted before it (largest first, ties by key).
        rank_of = {key: (-len(group), key) for key, group in groups.items()}
        before = [key for key in result.accepted if rank_of[key] < rank_of[item.key]]
        available = [*published, *(groups[key] for key in before)]
        named = {*item.with_published,
                 *(len(published) + before.index(key) for key in item.with_accepted)}
        assert set(item.with_accepted) <= set(before)
        assert len(named) == len(item.with_published) + len(item.with_accepted)
        # Brute force: every set of the available figures that, with the candidate, isolates
        # the reason's organisations; the named set is one of the smallest by inclusion.
        working = [set(chosen) for size in range(len(available) + 1)
                   for chosen in combinations(range(len(available)), size)
                   if completes(groups[item.key], [available[i] for i in chosen],
                                item.isolates, universe)]
        smallest = [chosen for chosen in working if not any(other < chosen for other in working)]
        assert named in smallest


def test_the_certificate_of_region_minus_partnership_is_the_region():
    region, partnership, elsewhere = letters("abcde"), letters("bcde"), letters("abcdefghi")

    result = audit([elsewhere], [("region", region), ("partnership", partnership)])

    assert result.accepted == ("region",)
    assert result.withheld == (Withheld("partnership", letters("a"), with_accepted=("region",)),)
