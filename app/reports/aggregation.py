"""Report arithmetic: means, rounding, RAG, small-group protection, benchmarks and change.

Pure: no I/O, and nothing imported but the standard library and the domain's words.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from app.vocabulary import (
    ANONYMOUS_TYPES,
    NO_RATINGS,
    RESPONDENT_TYPES,
    SELF_ASSESSMENT,
    Rag,
    fewer_than,
)

SMALLEST_K = 3  # rule 5: configurable, never below 3

_LOWEST_SCORE, _HIGHEST_SCORE = 1, 5
_ONE_PLACE = Decimal("0.1")


def display(value: Fraction | None) -> Decimal | None:
    """Round to one decimal place, half up (away from zero), exactly.

    `round()` rounds half to even and floats cannot hold 3.95, so either would show 3.9; the
    decision is made on the exact fraction instead.
    """
    if value is None:
        return None
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    # Built from a string, which is exact whatever the decimal context's precision.
    return Decimal(f"{tenths if value >= 0 else -tenths}e-1")


def rag(displayed: Decimal | None) -> Rag | None:
    """The RAG rating of a displayed average, so the colour always agrees with the number shown.

    Refuses an unrounded value: 1.95 would be red here but shows as 2.0, which is amber.
    """
    if displayed is None:
        return None
    if (
        displayed != displayed.quantize(_ONE_PLACE)
        or not _LOWEST_SCORE <= displayed <= _HIGHEST_SCORE
    ):
        raise ValueError(f"RAG needs a displayed average from 1.0 to 5.0, not {displayed}")
    if displayed < 2:
        return Rag.RED
    if displayed < 4:
        return Rag.AMBER
    return Rag.GREEN


@dataclass(frozen=True)
class Cell:
    """One respondent type's scores for one statement, as SQL aggregates them.

    `n` counts the scores given ("do not know" excluded) and `total` is their sum.
    """

    n: int
    total: int

    def __post_init__(self) -> None:
        if self.n < 0 or not _LOWEST_SCORE * self.n <= self.total <= _HIGHEST_SCORE * self.n:
            raise ValueError(f"{self.n} scores from 1 to 5 cannot add up to {self.total}")

    def __add__(self, other: "Cell") -> "Cell":
        return Cell(n=self.n + other.n, total=self.total + other.total)

    @property
    def mean(self) -> Fraction | None:
        return Fraction(self.total, self.n) if self.n else None


_EMPTY = Cell(n=0, total=0)


@dataclass(frozen=True)
class Average:
    """A mean as a report shows it: `mean` exact, `average` to one decimal place, and its RAG.

    `average` and `rag` are derived on construction so they can never disagree with `mean`.
    """

    mean: Fraction
    average: Decimal = field(init=False)
    rag: Rag = field(init=False)

    def __post_init__(self) -> None:
        average = display(self.mean)
        object.__setattr__(self, "average", average)
        object.__setattr__(self, "rag", rag(average))


@dataclass(frozen=True)
class Published(Average):
    """An average published in a report, with the number of scores it covers."""

    n: int

    @classmethod
    def of(cls, cell: Cell) -> "Published":
        return cls(mean=cell.mean, n=cell.n)


@dataclass(frozen=True)
class Part(Published):
    """One published share of a statement's anonymous scores: a single type or a pool of types."""

    types: tuple[str, ...]


@dataclass(frozen=True)
class TypeResult:
    """What a report says for one anonymous respondent type of one statement.

    Either `published` (the type stands alone) or `suppressed` says why not: `NO_RATINGS`, or
    `fewer_than(k)`, when `combined_with` names the types it is pooled with (if any).
    """

    published: Published | None = None
    suppressed: str | None = None
    combined_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementResult:
    """Everything a report may publish about one statement (rule 5).

    `organisation` averages every score, the self-assessment included; when it is withheld,
    `suppressed` says why. `anonymous` averages all the anonymous scores together (the
    organisation less the self-assessment, so it reveals nothing new). `parts` partition the
    anonymous scores, each covering at least k of them; `respondent_types` maps every anonymous
    type, in `ANONYMOUS_TYPES` order, to what is said about it.
    """

    organisation: Published | None
    suppressed: str | None
    self_assessment: Published | None
    anonymous: Published | None
    parts: tuple[Part, ...]
    respondent_types: dict[str, TypeResult]


def protect_statement(*, cells: Mapping[str, Cell], k: int = SMALLEST_K) -> StatementResult:
    """Apply small-group protection to one statement's cells; a missing type counts as empty.

    Every published anonymous number is a part or a sum of parts, and the parts are disjoint with
    at least k scores each, so no sum or difference of published numbers isolates fewer than k
    anonymous scores.
    """
    if k < SMALLEST_K:
        raise ValueError(f"k must be at least {SMALLEST_K}, not {k}")
    unknown = set(cells) - set(RESPONDENT_TYPES)
    if unknown:
        raise ValueError(f"unknown respondent types: {sorted(unknown)}")
    own = cells.get(SELF_ASSESSMENT, _EMPTY)
    if own.n > 1:
        raise ValueError(f"a round has one self-assessment, not {own.n}")
    self_assessment = Published.of(own) if own.n else None

    by_type = {name: cells.get(name, _EMPTY) for name in ANONYMOUS_TYPES}
    anonymous = sum(by_type.values(), _EMPTY)
    if anonymous.n < k:
        return StatementResult(
            organisation=None,
            suppressed=fewer_than(k),
            self_assessment=self_assessment,
            anonymous=None,
            parts=(),
            respondent_types={name: TypeResult(suppressed=fewer_than(k)) for name in by_type},
        )

    parts = _pool(by_type, k=k)
    respondent_types = {name: TypeResult(suppressed=NO_RATINGS) for name in by_type}
    for part in parts:
        for name in part.types:
            if len(part.types) == 1:
                respondent_types[name] = TypeResult(published=Published.of(by_type[name]))
            else:
                others = tuple(other for other in part.types if other != name)
                respondent_types[name] = TypeResult(suppressed=fewer_than(k), combined_with=others)
    return StatementResult(
        organisation=Published.of(anonymous + own),
        suppressed=None,
        self_assessment=self_assessment,
        anonymous=Published.of(anonymous),
        parts=parts,
        respondent_types=respondent_types,
    )


def _pool(by_type: Mapping[str, Cell], *, k: int) -> tuple[Part, ...]:
    """Merge the smallest part with the next smallest non-empty one until every part has k.

    The caller guarantees at least k anonymous scores, so the loop ends. Ties between parts of the
    same size go by the fixed order of `ANONYMOUS_TYPES`, never by the scores.
    """
    rank = ANONYMOUS_TYPES.index
    parts = [((name,), cell) for name, cell in by_type.items() if cell.n]
    while True:
        parts.sort(key=lambda part: (part[1].n, rank(part[0][0])))
        (smallest_types, smallest), *rest = parts
        if smallest.n >= k:
            break
        (next_types, next_smallest), *rest = rest
        pooled = tuple(sorted(smallest_types + next_types, key=rank))
        parts = [(pooled, smallest + next_smallest), *rest]
    parts.sort(key=lambda part: rank(part[0][0]))
    return tuple(Part(mean=cell.mean, n=cell.n, types=types) for types, cell in parts)


def theme_average(displayed: Iterable[Decimal | None]) -> Average | None:
    """The mean of a theme's statement averages as displayed (rule 4), or None if none shows.

    The displayed (rounded) values are averaged, not the unrounded means, so that a reader who
    averages the printed figures gets the printed theme figure and its RAG. Withheld statements
    (None) are left out so nothing suppressed leaks back through the theme.
    """
    shown = [value for value in displayed if value is not None]
    if not shown:
        return None
    if any(value != value.quantize(_ONE_PLACE) for value in shown):
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
    if min_organisations < 1:
        raise ValueError(f"min_organisations must be at least 1, not {min_organisations}")
    values = list(values)
    if len(values) < min_organisations:
        return None
    return Benchmark(
        mean=exact_sum(values) / len(values),
        minimum=display(exact_min(values)),
        maximum=display(exact_min(values, highest=True)),
        organisations=len(values),
    )


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
