"""The disclosure audit of rule 7: which benchmark figures may be published, in exact arithmetic.

The model. For one statement of one year, programme and statement set, each published benchmark
figure is a total over a set of organisations (count × average): a 0/1 row over the organisations.
Everything published that year (every version of every group ever shown) is one matrix M, whose
rows a reader may combine with any rational weights; a reader that is an organisation also knows
its own figure, the unit row e_r. A combination *isolates* a set S when it is non-zero and involves
only organisations of S. Rule 7: no reader isolates fewer than `minimum` (m) organisations other
than itself.

One criterion for every reader. A reader outside every group isolates a set exactly when a
non-zero vector of the row space of M has its support within it, so it needs every such support
to hold m organisations or more. A reader r inside cancels its own coordinate with e_r, so it
isolates supp(v) minus r for any row-space vector v: it needs |supp(v) minus r| >= m. Every
organisation in such a support belongs to a published group, so it qualifies and reads
benchmarks. Over all readers, the published figures are safe exactly when every non-zero vector
of the row space has a support of at least m + 1 organisations ("a reader inside needs 3 others,
4 in all"). In particular a group republished alone needs m + 1 new organisations, not m.

Classes. Organisations whose columns of M are equal form a class. Every row-space vector is
constant on a class, so a support is a union of classes and its size is the sum of their sizes;
the work is done on one column per class, weighted by its size. Equivalently, with a null-space
basis K of M, a set T of classes is the support of a row-space vector exactly when the rows of K
for T are linearly dependent: one class of m + 1 or more organisations never takes part.

Finding a small support. The published rows are kept in reduced echelon form over the classes
(primitive integer rows, fraction-free). A row-space vector is fixed by its values on the pivot
columns, so a vector of weight <= m combines at most m basis rows; the search adds them one at a
time, always one that can cancel a column that would otherwise stay non-zero, and solves for the
weights exactly with Fractions. Rows are few compared with organisations, so K is never built.

New figures. Publishing a row c on top of rows P creates a new small support exactly when the
coset c + rowspace(P) holds a vector of weight <= m (each new vector is a multiple of one of
them). The test is the same whether or not P is itself safe, so a base made unsafe by a change of
setting does not block the audit: candidates are judged by what they add.
"""

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

H = TypeVar("H", bound=Hashable)  # an organisation
K = TypeVar("K", bound=Hashable)  # a candidate group version

# The criterion "support >= m + 1 for every reader" needs a reader inside to be left with at
# least one other organisation, so m >= 2; rule 7 uses 3.
SMALLEST_MINIMUM = 2

Row = dict[int, int]  # class id -> integer coefficient, zeros left out


@dataclass(frozen=True)
class Withheld(Generic[K, H]):
    """A candidate held back, and the organisations its figures would have let a reader isolate."""

    key: K
    isolates: frozenset[H]


@dataclass(frozen=True)
class Audit(Generic[K, H]):
    """The verdict on a set of candidates, in the order they were considered (largest first)."""

    accepted: tuple[K, ...]
    withheld: tuple[Withheld[K, H], ...]

    def isolates(self, key: K) -> frozenset[H] | None:
        """The organisations a withheld candidate would have isolated; None if it was accepted."""
        return next((item.isolates for item in self.withheld if item.key == key), None)


def audit(
    published: Iterable[Iterable[H]],
    candidates: Sequence[tuple[K, Iterable[H]]],
    *,
    minimum: int = 3,
) -> Audit[K, H]:
    """Which candidates can be published on top of what already is, largest group first.

    `published` are the organisation sets of every figure already shown this year (they cannot be
    withdrawn); `candidates` are (key, organisations) of the figures that would be shown now. A
    candidate is accepted when, added to the published figures and the candidates accepted before
    it, it creates no combination supported on `minimum` organisations or fewer; otherwise it is
    withheld, with the smallest such set of organisations as the reason. Considering the largest
    groups first withholds the smallest ones. A candidate already in the span adds nothing and is
    accepted. Ties in size are broken by key, so keys must be orderable.

    Given tuples and frozensets the arguments are hashable and the result immutable, so a caller
    can memoise per family (`functools.lru_cache(audit)`): statements that count the same
    organisations share one computation.
    """
    keys = [key for key, _ in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("candidate keys must be unique")
    state: Disclosure[H] = Disclosure(published, minimum=minimum)
    accepted: list[K] = []
    withheld: list[Withheld[K, H]] = []
    groups = [(key, frozenset(group)) for key, group in candidates]
    for key, group in sorted(groups, key=lambda candidate: (-len(candidate[1]), candidate[0])):
        isolated = state.offer(group)
        if isolated is None:
            accepted.append(key)
        else:
            withheld.append(Withheld(key, isolated))
    return Audit(tuple(accepted), tuple(withheld))


def smallest_isolated(published: Iterable[Iterable[H]], *, minimum: int = 3) -> frozenset[H] | None:
    """A smallest support of a non-zero combination of the published figures, if it has at most
    `minimum` organisations; None when the figures are safe for every reader."""
    return Disclosure(published, minimum=minimum).smallest_isolated()


class Disclosure(Generic[H]):
    """What the figures published so far let readers work out, kept up to date one group at a time.

    `offer` decides one candidate against everything recorded (published or accepted) and records
    it when safe, in time proportional to the rows it touches rather than the whole history.
    """

    def __init__(self, published: Iterable[Iterable[H]] = (), *, minimum: int = 3) -> None:
        if minimum < SMALLEST_MINIMUM:
            raise ValueError(f"minimum must be at least {SMALLEST_MINIMUM}")
        self.minimum = minimum
        self._class_of: dict[H, int] = {}
        self._members: list[set[H]] = []  # class id -> its organisations
        self._rows_at: list[set[int]] = []  # class id -> rows with a non-zero entry there
        self._rows: list[Row] = []  # reduced echelon form: zero at every other row's pivot
        self._masks: list[int] = []  # each row's non-zero classes as bits, for fast counting
        self._pivots: list[int] = []
        self._pivot_row: dict[int, int] = {}
        for group in published:
            self.record(group)

    @property
    def rank(self) -> int:
        """How many independent figures have been recorded."""
        return len(self._rows)

    def record(self, group: Iterable[H]) -> None:
        """Add a figure that is public already, whatever it reveals."""
        row, _ = self._split(group)
        reduced = self._reduce(row)
        if reduced:
            self._add(reduced)

    def witness(self, group: Iterable[H]) -> frozenset[H] | None:
        """The smallest set of organisations that publishing `group` now would newly let a reader
        isolate, or None if it is safe. Records nothing."""
        row, log = self._split(group)
        try:
            reduced = self._reduce(row)
            found = self._smallest(reduced, first=0) if reduced else None
            return None if found is None else self._organisations(found)
        finally:
            self._undo(log)

    def offer(self, group: Iterable[H]) -> frozenset[H] | None:
        """Record `group` if publishing it is safe and return None; otherwise record nothing and
        return the organisations it would have isolated."""
        row, log = self._split(group)
        reduced = self._reduce(row)
        if not reduced:  # already in the span: no split happened, nothing new to record
            return None
        found = self._smallest(reduced, first=0)
        if found is not None:
            isolated = self._organisations(found)
            self._undo(log)
            return isolated
        self._add(reduced)
        return None

    def smallest_isolated(self) -> frozenset[H] | None:
        """A smallest support (at most `minimum` organisations) of a non-zero combination of
        everything recorded, or None when it is safe for every reader."""
        best: dict[int, Fraction] | None = None
        best_size = self.minimum + 1
        weights = self._weights()
        # A non-zero combination, scaled so its first basis row has weight 1, lies in that row plus
        # the span of the later rows: one coset search per row covers every combination once.
        for index, row in enumerate(self._rows):
            found = self._smallest(row, first=index + 1, limit=best_size - 1, weights=weights)
            if found is not None:
                best, best_size = found, sum(weights[c] for c in found)
        return None if best is None else self._organisations(best)

    # -- classes -----------------------------------------------------------------------------

    def _weights(self) -> list[int]:
        return [len(members) for members in self._members]

    def _new_class(self, members: set[H]) -> int:
        index = len(self._members)
        self._members.append(members)
        self._rows_at.append(set())
        for organisation in members:
            self._class_of[organisation] = index
        return index

    def _split(self, group: Iterable[H]) -> tuple[Row, list[tuple[int, int | None]]]:
        """The group as a row over classes, splitting the classes it cuts; and how to undo that.

        A split class keeps its column for both parts (every recorded row treats them alike), so
        splitting changes no span, only the bookkeeping.
        """
        unseen: set[H] = set()
        inside: dict[int, set[H]] = {}
        for organisation in group:
            index = self._class_of.get(organisation)
            if index is None:
                unseen.add(organisation)
            else:
                inside.setdefault(index, set()).add(organisation)
        row: Row = {}
        log: list[tuple[int, int | None]] = []
        if unseen:  # organisations in no recorded figure: one class with a zero column
            fresh = self._new_class(unseen)
            log.append((fresh, None))
            row[fresh] = 1
        for index in sorted(inside):
            part = inside[index]
            if len(part) == len(self._members[index]):
                row[index] = 1
                continue
            self._members[index] -= part
            fresh = self._new_class(part)
            for r in self._rows_at[index]:
                self._rows[r][fresh] = self._rows[r][index]
                self._masks[r] |= 1 << fresh
            self._rows_at[fresh] = set(self._rows_at[index])
            log.append((fresh, index))
            row[fresh] = 1
        return row, log

    def _undo(self, log: list[tuple[int, int | None]]) -> None:
        for fresh, parent in reversed(log):
            members = self._members.pop()
            rows_at = self._rows_at.pop()
            if parent is None:
                for organisation in members:
                    del self._class_of[organisation]
                continue
            for r in rows_at:
                del self._rows[r][fresh]
                self._masks[r] &= ~(1 << fresh)
            self._members[parent] |= members
            for organisation in members:
                self._class_of[organisation] = parent

    def _organisations(self, vector: Iterable[int]) -> frozenset[H]:
        return frozenset().union(*(self._members[c] for c in vector))

    # -- the echelon form --------------------------------------------------------------------

    def _reduce(self, row: Row) -> Row:
        """`row` minus its part in the recorded span: zero at every pivot (empty if in the span)."""
        reduced = dict(row)
        # A basis row is zero at every other pivot, so removing one pivot brings back no other.
        for column in [c for c in row if c in self._pivot_row]:
            reduced = _eliminate(reduced, column, self._rows[self._pivot_row[column]])
        return _primitive(reduced) if reduced else reduced

    def _add(self, reduced: Row) -> None:
        # Pivot on the largest class: a vector is non-zero at every pivot of the rows it uses, so
        # a row pivoted on m + 1 organisations or more never takes part in a search.
        pivot = max(reduced, key=lambda c: (len(self._members[c]), -len(self._rows_at[c]), -c))
        row = _primitive(reduced, pivot)
        index = len(self._rows)
        for r in list(self._rows_at[pivot]):
            old = self._rows[r]
            new = _primitive(_eliminate(old, pivot, row), self._pivots[r])
            for c in old.keys() - new.keys():
                self._rows_at[c].discard(r)
            for c in new.keys() - old.keys():
                self._rows_at[c].add(r)
            self._rows[r] = new
            self._masks[r] = _mask(new)
        self._rows.append(row)
        self._masks.append(_mask(row))
        self._pivots.append(pivot)
        self._pivot_row[pivot] = index
        for c in row:
            self._rows_at[c].add(index)

    # -- the search --------------------------------------------------------------------------

    def _smallest(
        self,
        target: Row,
        *,
        first: int,
        limit: int | None = None,
        weights: list[int] | None = None,
    ) -> dict[int, Fraction] | None:
        """A vector of least weight, at most `limit` (default `minimum`), in target + span of the
        rows from `first` on; None if there is none."""
        weights = self._weights() if weights is None else weights
        limit = self.minimum if limit is None else limit
        if limit < 1:
            return None
        found = self._search(target, first, limit, weights)
        if found is None:
            return None
        size = sum(weights[c] for c in found)
        for budget in range(1, size):
            smaller = self._search(target, first, budget, weights)
            if smaller is not None:
                return smaller
        return found

    def _search(
        self, target: Row, first: int, budget: int, weights: list[int]
    ) -> dict[int, Fraction] | None:
        """A vector target + sum of y_j row_j (j >= first) on at most `budget` organisations.

        Rows are chosen one at a time; a minimal solution uses rows whose pivots weigh at most
        `budget` in all (a vector is non-zero at the pivot of every row it uses). If the columns
        that only one chosen vector touches (they stay non-zero whatever the weights) already
        weigh more than the budget left, a further row of the solution must touch one of them:
        branch on the rows of a few such columns. Otherwise solve for the weights exactly; if that
        fails, a further row must touch some column in play (rows touching none would only add
        organisations). Both branchings reach every minimal solution; the depth is at most
        `budget`. A row that would use up the budget must cancel every column touched once and
        bring no column of its own, so it is looked for among the rows common to those columns.
        Columns are tracked as bit masks: those touched once, and twice or more.
        """
        pivots, rows_at, masks = self._pivots, self._rows_at, self._masks
        light = ~_mask(c for c, weight in enumerate(weights) if weight > 1)

        def weight_above(bits: int, cap: int) -> int:
            """The weight of the classes in `bits`, or any number above `cap` once it is."""
            total = (bits & light).bit_count()
            heavy = bits & ~light
            while heavy and total <= cap:
                low = heavy & -heavy
                total += weights[low.bit_length() - 1]
                heavy ^= low
            return total

        cost_of = [weights[p] if j >= first else budget + 1 for j, p in enumerate(pivots)]
        touches = [mask & ~(1 << p) for mask, p in zip(masks, pivots, strict=True)]
        degree = [len(rows) for rows in rows_at]
        seen: set[frozenset[int]] = set()
        stack: list[tuple[frozenset[int], int, int, int]] = [(frozenset(), _mask(target), 0, 0)]
        found = None
        while stack:
            chosen, once, twice, spent = stack.pop()
            spare = budget - spent
            if weight_above(once, spare) > spare:
                by_degree = sorted(_bits(once), key=degree.__getitem__)
                columns, total = [], 0
                for c in by_degree:
                    columns.append(c)
                    total += weights[c]
                    if total > spare:
                        break
                # A last row must touch every column touched once: the rarest one will do.
                last = set(rows_at[by_degree[0]])
            else:
                found = self._solve(target, sorted(chosen), spare, weights, once | twice)
                if found is not None:
                    break
                columns = list(_bits(once | twice))
                last = {j for c in columns for j in rows_at[c]}
            cover = once | twice
            for j in last:
                # The last row: it leaves nothing touched once, so every column must cancel.
                if cost_of[j] != spare or j in chosen:
                    continue
                if once & ~touches[j] or touches[j] & ~cover:
                    continue
                grown = chosen | {j}
                if grown in seen:
                    continue
                seen.add(grown)
                found = self._solve(target, sorted(grown), 0, weights, cover)
                if found is not None:
                    break
            if found is not None:
                break
            for c in columns if spare > 1 else ():  # otherwise only a last row fits
                for j in rows_at[c]:
                    cost = cost_of[j]
                    if cost >= spare or j in chosen:
                        continue
                    grown = chosen | {j}
                    if grown in seen:
                        continue
                    seen.add(grown)
                    # The pivot is counted in `cost`: no other vector is non-zero there.
                    row = touches[j]
                    stack.append((grown, (once ^ row) & ~twice, twice | (once & row), spent + cost))
        # Internal consistency: the vector was recomputed on every column it has.
        assert found is None or sum(weights[c] for c in found) <= budget, "over the budget"
        return found

    def _solve(
        self, target: Row, chosen: list[int], spare: int, weights: list[int], cover_bits: int
    ) -> dict[int, Fraction] | None:
        """Weights y for the chosen rows leaving at most `spare` organisations non-zero outside
        their pivots, as the resulting vector; None if there are none."""
        rows = [self._rows[j] for j in chosen]
        cover = list(_bits(cover_bits))
        if spare == 0:
            y = _solve_every(
                ([row.get(c, 0) for row in rows] + [target.get(c, 0)] for c in cover), len(rows)
            )
        else:
            # Each column asks target[c] + sum y_j row_j[c] = 0; columns asking the same thing
            # are one equation, weighing what its columns weigh together.
            equations: Counter[tuple[int, ...]] = Counter()
            for c in cover:
                equation = _direction((target.get(c, 0), *(row.get(c, 0) for row in rows)))
                equations[equation] += weights[c]
            # A column no chosen row touches stays non-zero: the equation 1 = 0.
            spare -= equations.pop((1, *(0 for _ in rows)), 0)
            if spare < 0:
                return None
            size = len(chosen) + 1
            basis = [[int(i == k) for i in range(size)] for k in range(size)]
            point = _point_missing_few(list(equations.items()), basis, spare)
            y = None if point is None else [Fraction(x, point[0]) for x in point[1:]]
        if y is None:
            return None
        vector: dict[int, Fraction] = {}
        # Every column of the vectors used, not only those in play, so that a mistake in the
        # bookkeeping shows in the budget check rather than in a wrong answer.
        for c in _bits(_mask(target) | cover_bits | _mask(c for row in rows for c in row)):
            value = target.get(c, 0) + sum(
                (w * row.get(c, 0) for w, row in zip(y, rows, strict=True)), Fraction(0)
            )
            if value:
                vector[c] = value
        return vector


# -- exact helpers -----------------------------------------------------------------------------


def _mask(columns: Iterable[int]) -> int:
    bits = 0
    for c in columns:
        bits |= 1 << c
    return bits


def _bits(mask: int) -> Iterable[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _solve_every(equations: Iterable[list[int]], unknowns: int) -> list[Fraction] | None:
    """y with sum a_k y_k + b = 0 for every equation [a_1 .. a_n, b], or None. Forward
    elimination in integers, so an inconsistency shows as soon as it arrives (usually within a
    few equations); free unknowns are set to 0."""
    echelon: list[tuple[int, list[int]]] = []
    for equation in equations:
        for lead, row in echelon:
            if equation[lead]:
                a, b = row[lead], equation[lead]
                equation = [a * x - b * y for x, y in zip(equation, row)]  # noqa: B905
        lead = next((k for k in range(unknowns) if equation[k]), None)
        if lead is None:
            if equation[unknowns]:
                return None
            continue
        divisor = math.gcd(*equation)
        echelon.append((lead, [x // divisor for x in equation]))
    y = [Fraction(0)] * unknowns
    for lead, row in reversed(echelon):
        rest = row[unknowns] + sum(
            (row[k] * y[k] for k in range(unknowns) if k != lead), Fraction(0)
        )
        y[lead] = -rest / row[lead]
    return y


def _primitive(row: Row, pivot: int | None = None) -> Row:
    """The row divided by the gcd of its entries (pivot made positive), so integers stay small."""
    divisor = math.gcd(*row.values())
    if pivot is not None and row[pivot] < 0:
        divisor = -divisor
    if divisor == 1:
        return row
    return {c: value // divisor for c, value in row.items()}


def _eliminate(row: Row, column: int, by: Row) -> Row:
    """An integer multiple of `row` minus one of `by`, zero at `column`."""
    common = math.gcd(by[column], row[column])
    scale, times = by[column] // common, row[column] // common
    result = {c: scale * value for c, value in row.items()}
    for c, value in by.items():
        entry = result.get(c, 0) - times * value
        if entry:
            result[c] = entry
        else:
            result.pop(c, None)
    return result


def _direction(vector: tuple[int, ...]) -> tuple[int, ...]:
    """One representative of the non-zero multiples of an integer vector."""
    divisor = math.gcd(*vector)
    lead = next(value for value in vector if value)
    if lead < 0:
        divisor = -divisor
    return tuple(value // divisor for value in vector)


def _point_missing_few(
    equations: list[tuple[tuple[int, ...], int]], basis: list[list[int]], spare: int
) -> list[int] | None:
    """A vector z of span(basis) with z[0] != 0 where the equations e.z = 0 that fail weigh at
    most `spare` in all, or None. Integer vectors throughout (z[0] stands for the constant 1).

    An equation heavier than what is left must hold; otherwise, if those still in play weigh
    more than what is left, one of a first few of them weighing more than that must hold: impose
    each in turn. Each step loses a dimension, so the depth is at most the number of unknowns.
    """
    if not any(vector[0] for vector in basis):
        return None
    active: list[tuple[tuple[int, ...], int, list[int]]] = []
    for equation, weight in equations:
        slopes = [sum(a * x for a, x in zip(equation, vector, strict=True)) for vector in basis]
        if any(slopes):  # otherwise it holds on the whole subspace
            active.append((equation, weight, slopes))
    if sum(weight for _, weight, _ in active) <= spare:
        return next(vector for vector in basis if vector[0])
    choices = [item for item in active if item[1] > spare][:1]
    if not choices:
        total = 0
        for item in active:
            choices.append(item)
            total += item[1]
            if total > spare:
                break
    remaining = [(equation, weight) for equation, weight, _ in active]
    for _, _, slopes in choices:
        pivot = next(k for k, slope in enumerate(slopes) if slope)
        along = basis[pivot]
        narrowed = [
            _primitive_vector(
                [slopes[pivot] * x - slopes[k] * y for x, y in zip(vector, along, strict=True)]
            )
            for k, vector in enumerate(basis)
            if k != pivot
        ]
        found = _point_missing_few(remaining, narrowed, spare)
        if found is not None:
            return found
    return None


def _primitive_vector(vector: list[int]) -> list[int]:
    divisor = math.gcd(*vector)
    return vector if divisor <= 1 else [x // divisor for x in vector]
