"""Report arithmetic, and the rounding and protection of app.results.arithmetic, checked against
independent calculations in `decimal`."""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.reports.aggregation import (
    benchmark,
    change,
    exact_min,
    exact_sum,
    expectation_warnings,
    highest_and_lowest,
    self_assessment_gaps,
    theme_average,
)
from app.results.arithmetic import Cell, TypeResult, display, protect_statement, rag
from app.vocabulary import ANONYMOUS_TYPES, NO_RATINGS, NOT_ENOUGH_ORGANISATIONS, fewer_than

# Rule 4 as written: the displayed ranges of each colour.
RAG_RANGES = {
    "red": (Decimal("1.0"), Decimal("1.9")),
    "amber": (Decimal("2.0"), Decimal("3.9")),
    "green": (Decimal("4.0"), Decimal("5.0")),
}


def half_up(numerator: int, denominator: int = 1) -> Decimal:
    """The independent rounding: long division at high precision, then ROUND_HALF_UP."""
    with localcontext() as context:
        context.prec = 80
        exact = Decimal(numerator) / Decimal(denominator)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def colour_of(displayed: Decimal) -> str:
    return next(name for name, (low, high) in RAG_RANGES.items() if low <= displayed <= high)


def make_cell(*scores: int) -> Cell:
    return Cell(n=len(scores), total=sum(scores))


def make_cells(
    *,
    self_assessment: int | None = None,
    nqsw: tuple[int, ...] = (),
    line_manager: tuple[int, ...] = (),
    other: tuple[int, ...] = (),
) -> dict[str, Cell]:
    return {
        "self_assessment": make_cell(*([] if self_assessment is None else [self_assessment])),
        "nqsw": make_cell(*nqsw),
        "line_manager": make_cell(*line_manager),
        "other": make_cell(*other),
    }


# Rounding and RAG


@pytest.mark.parametrize(
    ("total", "n", "shown", "colour"),
    [(39, 20, "2.0", "amber"), (41, 20, "2.1", "amber"), (81, 20, "4.1", "green")],
)
def test_a_mean_ending_in_5_rounds_half_up_never_to_even(total, n, shown, colour):
    displayed = display(Cell(n=n, total=total).mean)

    assert displayed == half_up(total, n)
    assert str(displayed) == shown
    assert rag(displayed) == colour_of(displayed) == colour


def test_3_95_rounds_half_up_to_4_0_and_is_green():
    displayed = display(Cell(n=20, total=79).mean)

    assert str(displayed) == "4.0"
    assert rag(displayed) == "green"


def test_3_94999_rounds_down_to_3_9():
    assert display(Fraction("3.94999")) == half_up(394999, 100000) == Decimal("3.9")


@pytest.mark.parametrize(
    ("mean", "shown", "colour"),
    [
        (Fraction(97, 50), "1.9", "red"),  # 1.94
        (Fraction(39, 20), "2.0", "amber"),  # 1.95
        (Fraction(197, 50), "3.9", "amber"),  # 3.94
        (Fraction(79, 20), "4.0", "green"),  # 3.95
        (Fraction(1), "1.0", "red"),
        (Fraction(5), "5.0", "green"),
    ],
)
def test_rag_follows_the_displayed_value_at_each_boundary(mean, shown, colour):
    displayed = display(mean)

    assert str(displayed) == shown
    assert rag(displayed) == colour_of(displayed) == colour


def test_every_possible_mean_of_up_to_40_scores_displays_and_colours_like_decimal_does():
    for n in range(1, 41):
        for total in range(n, 5 * n + 1):
            displayed = display(Cell(n=n, total=total).mean)
            assert displayed == half_up(total, n), (total, n)
            assert rag(displayed) == colour_of(displayed), (total, n)


@given(st.fractions(max_denominator=10**6))
def test_display_rounds_the_size_half_up_and_keeps_the_sign(value):
    displayed = display(value)

    assert displayed == half_up(value.numerator, value.denominator)
    assert displayed.as_tuple().exponent == -1


def test_rag_refuses_a_value_that_is_not_displayed_or_out_of_range():
    for value in (Decimal("1.95"), Decimal("0.9"), Decimal("5.1")):
        with pytest.raises(ValueError):
            rag(value)


def test_nothing_in_gives_nothing_out():
    assert display(None) is None
    assert rag(None) is None
    assert Cell(n=0, total=0).mean is None


def test_a_cell_whose_total_no_scores_from_1_to_5_could_make_is_refused():
    for n, total in ((2, 1), (2, 11), (-1, 0)):
        with pytest.raises(ValueError):
            Cell(n=n, total=total)


# Small-group protection


def test_the_organisation_average_counts_every_score_including_the_self_assessment():
    scores = {
        "self_assessment": (5,),
        "nqsw": (3, 3, 4),
        "line_manager": (2, 4, 4),
        "other": (1, 5, 5),
    }
    everything = [score for group in scores.values() for score in group]

    result = protect_statement(
        cells={name: make_cell(*group) for name, group in scores.items()}, k=3
    )

    assert result.organisation.n == len(everything) == 10
    assert result.organisation.average == half_up(sum(everything), len(everything))
    assert result.organisation.rag == colour_of(result.organisation.average)
    assert result.self_assessment.mean == 5 and result.self_assessment.n == 1
    anonymous = everything[1:]
    assert result.anonymous.average == half_up(sum(anonymous), len(anonymous))
    for name in ANONYMOUS_TYPES:
        assert result.respondent_types[name].published.average == half_up(sum(scores[name]), 3)


def test_two_small_cells_are_pooled_together_and_the_large_one_stands_alone():
    cells = make_cells(nqsw=(4, 4, 3, 5, 2), line_manager=(2, 3), other=(5,))

    result = protect_statement(cells=cells, k=3)

    nqsw, pool = result.parts
    assert nqsw.types == ("nqsw",) and nqsw.n == 5
    assert pool.types == ("line_manager", "other") and pool.n == 3
    assert pool.average == half_up(2 + 3 + 5, 3)
    assert result.respondent_types["nqsw"].published.average == half_up(18, 5)
    line_manager, other = result.respondent_types["line_manager"], result.respondent_types["other"]
    assert (line_manager.published, line_manager.suppressed) == (None, "fewer than 3 ratings")
    assert line_manager.combined_with == ("other",)
    assert (other.published, other.suppressed) == (None, "fewer than 3 ratings")
    assert other.combined_with == ("line_manager",)


def test_a_small_cell_is_pooled_with_the_next_smallest_even_when_that_is_large():
    cells = make_cells(nqsw=(4,) * 10, line_manager=(1,))

    result = protect_statement(cells=cells, k=3)

    (pool,) = result.parts
    assert pool.types == ("nqsw", "line_manager") and pool.n == 11
    assert pool.average == half_up(41, 11)
    assert result.respondent_types["nqsw"].combined_with == ("line_manager",)
    assert result.respondent_types["line_manager"].combined_with == ("nqsw",)
    assert result.respondent_types["other"].suppressed == NO_RATINGS


def test_a_small_cell_joins_the_next_smallest_not_the_largest():
    cells = make_cells(nqsw=(5,) * 6, line_manager=(1,), other=(3, 3, 3, 3))

    result = protect_statement(cells=cells, k=3)

    assert [part.types for part in result.parts] == [("nqsw",), ("line_manager", "other")]
    assert result.parts[1].average == half_up(13, 5)


def test_pooling_repeats_until_every_part_has_k():
    cells = make_cells(nqsw=(2, 3, 4, 5), line_manager=(1,), other=(5,))

    result = protect_statement(cells=cells, k=5)

    (pool,) = result.parts
    assert pool.types == ANONYMOUS_TYPES and pool.n == 6
    for name in ANONYMOUS_TYPES:
        assert result.respondent_types[name].suppressed == "fewer than 5 ratings"
        assert set(result.respondent_types[name].combined_with) == set(ANONYMOUS_TYPES) - {name}


def test_k_of_5_pools_cells_that_k_of_3_publishes():
    cells = make_cells(nqsw=(4,) * 5, line_manager=(3,) * 4, other=(2,) * 3)

    with_3 = protect_statement(cells=cells, k=3)
    with_5 = protect_statement(cells=cells, k=5)

    assert [part.types for part in with_3.parts] == [(name,) for name in ANONYMOUS_TYPES]
    assert [part.types for part in with_5.parts] == [("nqsw",), ("line_manager", "other")]
    assert with_5.parts[1].average == half_up(3 * 4 + 2 * 3, 7)
    assert with_5.respondent_types["other"].suppressed == "fewer than 5 ratings"


def test_only_the_self_assessment_is_shown_when_fewer_than_k_anonymous_ratings():
    result = protect_statement(
        cells=make_cells(self_assessment=5, nqsw=(3,), line_manager=(4,)), k=3
    )

    assert result.organisation is None and result.anonymous is None and result.parts == ()
    assert result.suppressed == "fewer than 3 ratings"
    assert result.self_assessment.mean == 5 and result.self_assessment.average == Decimal("5.0")
    for name in ANONYMOUS_TYPES:
        assert result.respondent_types[name].published is None
        assert result.respondent_types[name].suppressed == "fewer than 3 ratings"


def test_the_reason_names_the_configured_k():
    result = protect_statement(cells=make_cells(nqsw=(3, 4, 5, 5)), k=5)

    assert result.suppressed == "fewer than 5 ratings"


def test_empty_and_missing_cells_are_reported_as_no_ratings():
    result = protect_statement(
        cells={"nqsw": make_cell(3, 4, 5), "line_manager": Cell(n=0, total=0)}
    )

    assert result.respondent_types["line_manager"].suppressed == NO_RATINGS
    assert result.respondent_types["other"].suppressed == NO_RATINGS
    assert result.self_assessment is None
    assert result.organisation.n == 3


@pytest.mark.parametrize(
    ("cells", "k"),
    [
        ({"nqsw": make_cell(3, 4, 5)}, 2),
        ({"employer": make_cell(3)}, 3),
        ({"self_assessment": make_cell(3, 4)}, 3),
    ],
)
def test_protection_refuses_k_below_3_unknown_types_and_two_self_assessments(cells, k):
    with pytest.raises(ValueError):
        protect_statement(cells=cells, k=k)


# Themes, highest and lowest


def test_theme_average_is_the_mean_of_the_displayed_statement_averages():
    # 2.14, 2.14 and 2.17 display as 2.1, 2.1 and 2.2: a reader averaging those gets 2.133…,
    # shown 2.1, although the unrounded means average 2.15 (shown 2.2). Rule 4 takes the former.
    displayed = [Decimal("2.1"), None, Decimal("2.1"), Decimal("2.2")]

    theme = theme_average(displayed)

    assert theme.mean == Fraction(21 + 21 + 22, 30)
    assert theme.average == half_up(21 + 21 + 22, 30) == Decimal("2.1")
    assert theme.rag == "amber"
    assert theme_average([None, None]) is None


def test_theme_average_refuses_an_unrounded_value():
    with pytest.raises(ValueError):
        theme_average([Decimal("3.95")])


@given(st.lists(st.one_of(st.none(), st.integers(10, 50)), max_size=20))
def test_theme_average_agrees_with_a_reader_averaging_the_printed_figures(tenths):
    printed = [None if t is None else Decimal(t) / 10 for t in tenths]
    shown = [t for t in tenths if t is not None]

    theme = theme_average(printed)

    if not shown:
        assert theme is None
    else:
        assert theme.average == half_up(sum(shown), 10 * len(shown))
        assert theme.rag == ("red" if theme.average < 2 else "amber" if theme.average < 4
                             else "green")


def test_highest_and_lowest_keep_every_tie_on_the_displayed_value():
    displayed = {
        1: display(Fraction(424, 100)),
        2: display(Fraction(416, 100)),  # 4.16 and 4.24 both show 4.2
        3: Decimal("2.0"),
        4: None,
        5: Decimal("2.0"),
        6: Decimal("3.1"),
    }

    assert highest_and_lowest(displayed) == ([1, 2], [3, 5])
    assert highest_and_lowest({7: None}) == ([], [])


# Self-assessment gaps


def gap_results(rows: dict[int, tuple[int | None, tuple[int, ...]]]) -> dict:
    return {
        number: protect_statement(cells=make_cells(self_assessment=own, nqsw=others), k=3)
        for number, (own, others) in rows.items()
    }


def test_gaps_are_the_largest_first_with_ties_at_the_cut_and_only_where_both_are_published():
    rows = {
        1: (5, (1, 1, 1)),
        2: (1, (5, 5, 5)),
        3: (4, (2, 2, 2)),
        4: (2, (4, 4, 4)),
        5: (3, (4, 4, 5)),
        6: (3, (1, 2, 2)),  # shows 1.3 like statement 5, so it ties at the cut
        7: (3, (3, 3, 4)),
        8: (4, (4, 4, 4)),  # no gap
        9: (None, (1, 1, 1)),  # no self-assessment
        10: (5, (1,)),  # withheld
    }

    gaps = self_assessment_gaps(results=gap_results(rows), limit=5)

    assert [gap.statement for gap in gaps] == [1, 2, 3, 4, 5, 6]
    for gap in gaps:
        own, others = rows[gap.statement]
        assert gap.gap == own - Fraction(sum(others), len(others))
        assert gap.displayed == half_up(own, 1) - half_up(sum(others), len(others))
        assert gap.self_assessment.mean == own
        assert gap.everyone_else.n == len(others)
    assert [str(gap.displayed) for gap in gaps][4:] == ["-1.3", "1.3"]


def test_a_negative_gap_keeps_its_sign():
    # everyone else averages 41/20 = 2.05, so the gap is exactly -1.05
    results = gap_results({1: (1, (2,) * 19 + (3,))})

    (gap,) = self_assessment_gaps(results=results)

    assert gap.gap == Fraction(-21, 20)
    assert gap.displayed == half_up(-21, 20) == Decimal("-1.1")


def test_a_gap_is_the_difference_of_the_displayed_averages_so_the_numbers_add_up():
    # everyone else averages 79/20 = 3.95, shown as 4.0; the exact gap 1.05 would show as 1.1
    results = gap_results({1: (5, (4,) * 19 + (3,))})

    (gap,) = self_assessment_gaps(results=results)

    assert gap.everyone_else.average == Decimal("4.0")
    assert gap.displayed == gap.self_assessment.average - gap.everyone_else.average
    assert gap.displayed == Decimal("1.0")


def test_gaps_refuse_a_limit_below_1():
    with pytest.raises(ValueError):
        self_assessment_gaps(results={}, limit=0)


# Benchmarks


def test_a_benchmark_needs_3_organisations():
    assert benchmark([Fraction(4), Fraction(3)]) is None
    assert NOT_ENOUGH_ORGANISATIONS == "not enough organisations yet"


def test_a_benchmark_weighs_each_organisation_the_same():
    averages = [Fraction(79, 20), Fraction(3), Fraction(41, 20), Fraction(10, 3)]

    result = benchmark(averages)

    with localcontext() as context:
        context.prec = 80
        expected = (
            sum(Decimal(value.numerator) / Decimal(value.denominator) for value in averages) / 4
        )
    assert result.average == expected.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert result.rag == colour_of(result.average)
    assert result.minimum == half_up(41, 20) == Decimal("2.1")
    assert result.maximum == half_up(79, 20) == Decimal("4.0")
    assert result.organisations == 4


def test_the_benchmark_threshold_is_configurable():
    assert benchmark([Fraction(4)] * 4, min_organisations=5) is None
    assert benchmark([Fraction(4)] * 5, min_organisations=5).organisations == 5


# Year on year


def test_change_is_the_difference_of_the_displayed_averages_so_the_numbers_add_up():
    # 3.95 shows 4.0 and 3.84 shows 3.8: the exact change 0.11 would show 0.1, not 4.0 - 3.8
    result = change(current=Fraction(79, 20), previous=Fraction(384, 100), same_scale=True)

    assert result.change == half_up(79, 20) - half_up(384, 100) == Decimal("0.2")
    assert result.previous.average + result.change == result.current.average
    assert result.rag_change == "amber → green"
    assert result.scale_differs is False


def test_a_change_across_rating_scales_is_flagged_and_still_shown():
    result = change(current=Fraction(3), previous=Fraction(7, 2), same_scale=False)

    assert result.change == Decimal("-0.5")
    assert result.rag_change is None
    assert result.scale_differs is True


def test_no_previous_round_means_no_change():
    result = change(current=Fraction(3), previous=None, same_scale=True)

    assert result.previous is None and result.change is None and result.rag_change is None
    assert result.current.average == Decimal("3.0")


@given(st.lists(st.fractions(min_value=1, max_value=5, max_denominator=10**6), min_size=1,
                max_size=40))
def test_exact_sum_and_extremes_equal_the_plain_fraction_arithmetic(values):
    assert exact_sum(values) == sum(values, Fraction(0))
    assert exact_min(values) == min(values)
    assert exact_min(values, highest=True) == max(values)


def test_a_type_answered_only_do_not_know_is_pooled_like_one_with_a_score():
    scored = protect_statement(cells={"nqsw": make_cell(4, 4, 4, 4),
                                      "line_manager": make_cell(2)})
    dont_know = protect_statement(cells={"nqsw": make_cell(4, 4, 4, 4),
                                         "line_manager": Cell(n=0, total=0, dont_know=1)})

    assert scored.respondent_types["line_manager"] == dont_know.respondent_types["line_manager"]
    assert dont_know.respondent_types["line_manager"] == TypeResult(
        suppressed=fewer_than(3), combined_with=("nqsw",))
    assert [part.types for part in dont_know.parts] == [("nqsw", "line_manager")]
    assert dont_know.parts[0].n == 4  # the "do not know" adds no score


def test_a_type_expected_below_k_is_never_published_alone_however_many_answered():
    cells = make_cells(nqsw=(4,) * 5, line_manager=(1, 5, 5), other=(3, 3, 3))

    free = protect_statement(cells=cells)
    padded = protect_statement(cells=cells, never_alone={"line_manager"})

    assert free.respondent_types["line_manager"].published is not None
    assert padded.respondent_types["line_manager"].published is None
    assert [part.types for part in padded.parts] == [("nqsw",), ("line_manager", "other")]
    assert padded.parts[1].mean == Fraction(1 + 5 + 5 + 3 + 3 + 3, 6)


def test_one_type_never_alone_and_the_only_one_answering_is_the_anonymous_total():
    result = protect_statement(cells=make_cells(line_manager=(2, 3, 4)),
                               never_alone={"line_manager"})

    (part,) = result.parts
    assert part.types == ("line_manager",) and part.n == 3
    assert result.anonymous.n == 3


def test_warnings_name_each_type_with_more_responses_or_codes_than_expected():
    warnings = expectation_warnings(expected={"nqsw": 4, "line_manager": 1, "other": 0},
                                    responses={"nqsw": 4, "line_manager": 3, "other": 1},
                                    codes={"line_manager": 2})

    assert [(w.code, w.respondent_type, w.expected, w.received) for w in warnings] == [
        ("more_responses_than_expected", "line_manager", 1, 3),
        ("more_codes_than_expected", "line_manager", 1, 2),
        ("more_responses_than_expected", "other", 0, 1),
    ]
