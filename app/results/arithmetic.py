"""The arithmetic of a closed round's results: exact cells, rounding and RAG (rule 4), and
small-group protection (rule 5), which closing a round applies once to record what each
respondent type's report publishes, and which reports and national results apply again.

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
ONE_PLACE = Decimal("0.1")


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
        displayed != displayed.quantize(ONE_PLACE)
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

    `n` counts the scores given ("do not know" excluded), `total` is their sum and `dont_know`
    counts the "I do not know" answers (a type with neither did not answer at all).
    """

    n: int
    total: int
    dont_know: int = 0

    def __post_init__(self) -> None:
        if self.n < 0 or not _LOWEST_SCORE * self.n <= self.total <= _HIGHEST_SCORE * self.n:
            raise ValueError(f"{self.n} scores from 1 to 5 cannot add up to {self.total}")

    def __add__(self, other: "Cell") -> "Cell":
        return Cell(n=self.n + other.n, total=self.total + other.total,
                    dont_know=self.dont_know + other.dont_know)

    @property
    def answered(self) -> bool:
        return bool(self.n or self.dont_know)

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


def protect_statement(
    *, cells: Mapping[str, Cell], k: int = SMALLEST_K, never_alone: Iterable[str] = ()
) -> StatementResult:
    """Apply small-group protection to one statement's cells; a missing type counts as empty.

    Every published anonymous number is a part or a sum of parts, and the parts are disjoint with
    at least k scores each, so no sum or difference of published numbers isolates fewer than k
    anonymous scores.

    A type with no score but "I do not know" answers is pooled like a type with one or two
    scores, so that a hidden cell reads the same whatever its few answers were (rule 5); only a
    type nobody of which answered at all (which the response counts show anyway) is left out of
    the pooling. A type in `never_alone`
    (its expected number was below k when the round opened) is never a part on its own, however
    many scores it has: answers padding it stay pooled.
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

    present = {name: cell for name, cell in by_type.items() if cell.answered}
    parts = _pool(present, k=k, never_alone=frozenset(never_alone))
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


def published_by_type(result: StatementResult) -> dict[str, Published | None]:
    """Respondent type → what a report publishes for it alone on one statement: the
    self-assessment, and each anonymous type that stands alone; None for the others."""
    return {SELF_ASSESSMENT: result.self_assessment} | {
        name: outcome.published for name, outcome in result.respondent_types.items()}


def _pool(by_type: Mapping[str, Cell], *, k: int, never_alone: frozenset[str]) -> tuple[Part, ...]:
    """Merge the smallest small part with the next smallest part until no part is small.

    A part is small when it has fewer than k scores, or holds only types that are never shown
    alone. The caller guarantees at least k anonymous scores, so the loop ends (at worst with
    one part, the anonymous scores together, which the organisation average less the
    self-assessment gives anyway). Ties between parts of the same size go by the fixed order of
    `ANONYMOUS_TYPES`, never by the scores.
    """
    rank = ANONYMOUS_TYPES.index

    def small(part: tuple[tuple[str, ...], Cell]) -> bool:
        return part[1].n < k or set(part[0]) <= never_alone

    parts = [((name,), cell) for name, cell in by_type.items()]
    while len(parts) > 1:
        parts.sort(key=lambda part: (not small(part), part[1].n, rank(part[0][0])))
        (smallest_types, smallest), *rest = parts
        if not small((smallest_types, smallest)):
            break
        rest.sort(key=lambda part: (part[1].n, rank(part[0][0])))
        (next_types, next_smallest), *rest = rest
        pooled = tuple(sorted(smallest_types + next_types, key=rank))
        parts = [(pooled, smallest + next_smallest), *rest]
    parts.sort(key=lambda part: rank(part[0][0]))
    return tuple(Part(mean=cell.mean, n=cell.n, types=types) for types, cell in parts)
