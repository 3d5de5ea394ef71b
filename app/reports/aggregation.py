"""Report arithmetic: warnings, theme averages, highest and lowest, gaps, benchmarks and change.

Pure: no I/O. Rounding, RAG and small-group protection, which closing a round needs too, are in
app.results.arithmetic.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.results.arithmetic import ONE_PLACE, Average, Published, StatementResult, display
from app.vocabulary import ANONYMOUS_TYPES


@dataclass(frozen=True)
class ExpectationWarning:
    """More responses, or more codes, of one type than the employer expected at open (rule 5):
    a padded group shows to whoever reads the report."""

    code: str  # "more_responses_than_expected" or "more_codes_than_expected"
    respondent_type: str
    expected: int
    received: int


def expectation_warnings(
    *, expected: Mapping[str, int], responses: Mapping[str, int], codes: Mapping[str, int]
) -> list[ExpectationWarning]:
    """Each anonymous type whose responses, or codes issued, exceed the expected number."""
    warnings = []
    for name in ANONYMOUS_TYPES:
        wanted = expected.get(name, 0)
        for code, got in (("more_responses_than_expected", responses.get(name, 0)),
                          ("more_codes_than_expected", codes.get(name, 0))):
            if got > wanted:
                warnings.append(ExpectationWarning(code, name, wanted, got))
    return warnings


def theme_average(displayed: Iterable[Decimal | None]) -> Average | None:
    """The mean of a theme's statement averages as displayed (rule 4), or None if none shows.

    The displayed (rounded) values are averaged, not the unrounded means, so that a reader who
    averages the printed figures gets the printed theme figure and its RAG. Withheld statements
    (None) are left out so nothing suppressed leaks back through the theme.
    """
    shown = [value for value in displayed if value is not None]
    if not shown:
        return None
    if any(value != value.quantize(ONE_PLACE) for value in shown):
        raise ValueError(f"a theme averages displayed values (one decimal place), not {shown}")
    return Average(mean=sum((Fraction(value) for value in shown), Fraction(0)) / len(shown))


def highest_and_lowest(displayed: Mapping[int, Decimal | None]) -> tuple[list[int], list[int]]:
    """The statement numbers with the highest and with the lowest displayed average (rule 9).

    Compared on the displayed values, so every statement a reader sees as equal is included.
    """
    shown = {number: average for number, average in displayed.items() if average is not None}
    if not shown:
        return [], []
    highest, lowest = max(shown.values()), min(shown.values())
    return (
        sorted(number for number, average in shown.items() if average == highest),
        sorted(number for number, average in shown.items() if average == lowest),
    )


@dataclass(frozen=True)
class Gap:
    """How far the employer's self-assessment is from everyone else's mean for one statement.

    `gap` is exact and positive when the employer rates itself higher; `displayed` is the
    difference of the two displayed averages, so the three numbers a reader sees add up.
    """

    statement: int
    self_assessment: Published
    everyone_else: Published
    gap: Fraction
    displayed: Decimal


def self_assessment_gaps(*, results: Mapping[int, StatementResult], limit: int = 5) -> list[Gap]:
    """The largest gaps between self-assessment and everyone else, largest first.

    Ranked by displayed size, keeping every gap tied with the last one kept, so that a reader
    never sees a gap left out that looks as large as one shown. Statements without both numbers
    published, and gaps that show as 0.0, are left out.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    gaps = []
    for number, result in results.items():
        if result.self_assessment is None or result.anonymous is None:
            continue
        gap = result.self_assessment.mean - result.anonymous.mean
        gaps.append(
            Gap(
                statement=number,
                self_assessment=result.self_assessment,
                everyone_else=result.anonymous,
                gap=gap,
                displayed=result.self_assessment.average - result.anonymous.average,
            )
        )
    gaps = [gap for gap in gaps if gap.displayed]
    gaps.sort(key=lambda gap: (-abs(gap.displayed), gap.statement))
    if len(gaps) <= limit:
        return gaps
    cut = abs(gaps[limit - 1].displayed)
    return [gap for gap in gaps if abs(gap.displayed) >= cut]


@dataclass(frozen=True)
class Benchmark(Average):
    """A benchmark for one statement (rule 7): the mean of organisation averages, with its
    range and the number of organisations; `minimum` and `maximum` are displayed values."""

    minimum: Decimal
    maximum: Decimal
    organisations: int


def exact_sum(values: Iterable[Fraction]) -> Fraction:
    """The exact sum of fractions, adding the numerators over each denominator first.

    Organisation averages share few denominators (divisors of their numbers of scores), so this
    makes a few Fraction additions instead of one per value; the result is the same Fraction.
    """
    numerators: dict[int, int] = {}
    for value in values:
        numerators[value.denominator] = numerators.get(value.denominator, 0) + value.numerator
    return sum((Fraction(n, d) for d, n in numerators.items()), Fraction(0))


def exact_min(values: list[Fraction], *, highest: bool = False) -> Fraction:
    """min(values) (max with `highest`), exactly, comparing floats first (Fraction comparisons
    are slow).

    A fraction's float is correctly rounded, so x < y gives float(x) <= float(y): the exact
    minimum is among the values whose float is the smallest, and only those are compared exactly.
    """
    pick = max if highest else min
    floats = [float(value) for value in values]
    extreme = pick(floats)
    return pick(value for value, f in zip(values, floats, strict=True) if f == extreme)


def benchmark(values: Iterable[Fraction], *, min_organisations: int = 3) -> Benchmark | None:
    """Benchmark a statement over organisation averages, each organisation weighing the same.

    None when there are fewer than `min_organisations`: show `NOT_ENOUGH_ORGANISATIONS` instead.
    """
    values = list(values)
    return tallied_benchmark(
        organisations=len(values), total=exact_sum(values),
        lowest=exact_min(values) if values else None,
        highest=exact_min(values, highest=True) if values else None,
        min_organisations=min_organisations)


def tallied_benchmark(*, organisations: int, total: Fraction, lowest: Fraction | None,
                      highest: Fraction | None, min_organisations: int) -> Benchmark | None:
    """`benchmark` from the averages already added up: how many, their exact sum, lowest and
    highest (national results add them up in SQL, app.national.by_type)."""
    if min_organisations < 1:
        raise ValueError(f"min_organisations must be at least 1, not {min_organisations}")
    if organisations < min_organisations:
        return None
    return Benchmark(mean=total / organisations, minimum=display(lowest),
                     maximum=display(highest), organisations=organisations)


@dataclass(frozen=True)
class Change:
    """One statement compared with the previous round or year (rule 8).

    `change` is the difference of the displayed averages, so that previous + change = current as
    a reader sees them; `rag_change` reads like "amber → green" and is None when the RAG is the
    same or unknown; `scale_differs` flags a comparison across rating scales (shown, never hidden).
    """

    current: Average | None
    previous: Average | None
    change: Decimal | None
    rag_change: str | None
    scale_differs: bool


def change(*, current: Fraction | None, previous: Fraction | None, same_scale: bool) -> Change:
    """Compare a statement's mean with an earlier one; either may be missing."""
    now = Average(mean=current) if current is not None else None
    before = Average(mean=previous) if previous is not None else None
    both = now is not None and before is not None
    return Change(
        current=now,
        previous=before,
        change=now.average - before.average if both else None,
        rag_change=f"{before.rag} → {now.rag}" if both and before.rag != now.rag else None,
        scale_differs=not same_scale,
    )
