"""The disclosure audit of rule 7: which benchmark figures may be published, in exact arithmetic.

The model. For one statement of one year, programme and statement set, each published benchmark
figure is a total over a set of organisations (count × average): a 0/1 row over the organisations.
Everything published that year (every version of every group ever shown) is one matrix M, whose
rows a reader may combine with any rational weights (every figure is assumed known to every
reader: figures get passed around); a reader that is an organisation also knows its own figure,
the unit row e_r. A combination *isolates* a set S when it is non-zero and involves
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
constant on a class, so a support is a union of classes and its size is the sum of their sizes:
the work is done on one column per class, weighted by its size, and a class of more than m
organisations never takes part.

New figures. Publishing a row c on top of rows P creates a new small support exactly when the
coset c + rowspace(P) holds a vector of weight <= m (each new vector is a multiple of one of
them). The test is the same whether or not P is itself safe, so a base made unsafe by a change of
setting does not block the audit: candidates are judged by what they add.

Finding a small support. The recorded rows are kept in reduced echelon form over the classes
(primitive integer rows, fraction-free), which gives a null-space basis K for nothing: one column
per non-pivot class k; the row of a non-pivot class is e_k, the row of a pivot class its basis
row outside the pivot (up to a factor, which spans ignore). A vector v lies in c + rowspace
exactly when vK = cK, so a support T is a set of rows of K whose span holds cK, the syndrome (for
a reduced c, c itself). Rows are not tried in combination: one row holds the syndrome when it has
its direction (a hash lookup); two rows y, z when they are parallel in the quotient by the
syndrome, and a row that quotient leaves alone keeps its direction, so only the rows touching
the eliminated column are worked out and looked up; with more rows, one of them touches the
syndrome's least-touched column: branch on those and go on in the quotient by its row. For
m = 3 that is about (rows touching a column)² × (row length) integer operations per candidate,
whatever the history. Each proposed set is then solved exactly (Fractions) and the vector
recomputed on every column decides.
"""

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

H = TypeVar("H", bound=Hashable)  # an organisation
K = TypeVar("K", bound=Hashable)  # a candidate group version

# The criterion "support >= m + 1 for every reader" needs a reader inside to be left with at
# least one other organisation, so m >= 2; rule 7 uses 3.
SMALLEST_MINIMUM = 2

Row = dict[int, int]  # class id -> integer coefficient, zeros left out
Vector = dict[int, Fraction]  # an exact combination, over classes
Key = frozenset[tuple[int, int]]  # the items of a canonical row: one key per direction


@dataclass(frozen=True)
class Withheld(Generic[K, H]):
    """A candidate held back, the organisations its figures would have let a reader isolate, and
    the figures it would combine with to do so (its certificate, so the reason can be said in
    words): positions in `published`, and keys of candidates accepted before it. Those figures
    are independent, so the combination needs every one of them."""

    key: K
    isolates: frozenset[H]
    with_published: tuple[int, ...] = ()
    with_accepted: tuple[K, ...] = ()


@dataclass(frozen=True)
class Audit(Generic[K, H]):
    """The verdict on a set of candidates, in the order they were considered (largest first)."""

    accepted: tuple[K, ...]
    withheld: tuple[Withheld[K, H], ...]

    def isolates(self, key: K) -> frozenset[H] | None:
        """The organisations a withheld candidate would have isolated; None if it was accepted."""
        held = self.held(key)
        return None if held is None else held.isolates

    def held(self, key: K) -> "Withheld[K, H] | None":
        """Why a candidate was withheld; None if it was accepted."""
        return next((item for item in self.withheld if item.key == key), None)


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
    withheld, with the smallest such set of organisations as the reason and the figures that
    combine with it to isolate that set (`combining`). Considering the largest groups first
    withholds the smallest ones. A candidate already in the span adds nothing and is
    accepted. Ties in size are broken by key, so keys must be orderable.

    Given tuples and frozensets the arguments are hashable and the result immutable, so a caller
    can memoise per family (`functools.lru_cache(audit)`): statements that count the same
    organisations share one computation.
    """
    keys = [key for key, _ in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("candidate keys must be unique")
    published = [frozenset(group) for group in published]
    state: Disclosure[H] = Disclosure(published, minimum=minimum)
    accepted: list[tuple[K, frozenset[H]]] = []
    withheld: list[Withheld[K, H]] = []
    groups = [(key, frozenset(group)) for key, group in candidates]
    for key, group in sorted(groups, key=lambda candidate: (-len(candidate[1]), candidate[0])):
        isolated = state.offer(group)
        if isolated is None:
            accepted.append((key, group))
            continue
        # The figures shown now first, then the history newest first: an explanation names
        # what the reader sees beside the withheld group where it can.
        order = [*(("accepted", i) for i in range(len(accepted))),
                 *(("published", i) for i in reversed(range(len(published))))]
        rows = [accepted[i][1] if kind == "accepted" else published[i] for kind, i in order]
        used = [order[i] for i in combining(group, rows, isolated)]
        withheld.append(Withheld(
            key, isolated,
            with_published=tuple(sorted(i for kind, i in used if kind == "published")),
            with_accepted=tuple(accepted[i][0] for kind, i in sorted(used) if kind == "accepted"),
        ))
    return Audit(tuple(key for key, _ in accepted), tuple(withheld))


def combining(
    group: Iterable[H], rows: Sequence[Iterable[H]], isolated: Iterable[H]
) -> tuple[int, ...]:
    """Positions of rows that, added to `group` with exact weights, leave a combination on the
    `isolated` organisations alone: the certificate of a withheld group.

    Solved exactly over the organisations outside `isolated` (one equation per pattern of
    membership), in integers; the solution is a basic one, so the rows it uses are independent
    and each is needed (none can be left out), and earlier rows are preferred. Of identical rows
    only the first is used. Empty when `group` alone lies on `isolated`, or when no combination
    does (which the audit never asks).
    """
    group, isolated = frozenset(group), frozenset(isolated)
    rows = [frozenset(row) for row in rows]
    first: dict[frozenset[H], int] = {}
    for index, row in enumerate(rows):
        first.setdefault(row, index)
    columns = sorted(first.values())
    # Each organisation's pattern: the columns it is in (walking the rows, not asking each row
    # about each organisation), and whether it is in the group.
    member_of: dict[H, list[int]] = {}
    for position, j in enumerate(columns):
        for organisation in rows[j]:
            member_of.setdefault(organisation, []).append(position)
    for organisation in group:
        member_of.setdefault(organisation, [])
    patterns = sorted({(organisation in group, tuple(positions))
                       for organisation, positions in member_of.items()
                       if organisation not in isolated})
    constant = len(columns)
    weights = _basic_solution(
        ({**dict.fromkeys(positions, 1), **({constant: 1} if own else {})}
         for own, positions in patterns),
        constant)
    if weights is None:
        return ()
    return tuple(columns[position] for position in sorted(weights))


def smallest_isolated(published: Iterable[Iterable[H]], *, minimum: int = 3) -> frozenset[H] | None:
    """A smallest support of a non-zero combination of the published figures, if it has at most
    `minimum` organisations; None when the figures are safe for every reader."""
    return Disclosure(published, minimum=minimum).smallest_isolated()


class Disclosure(Generic[H]):
    """What the figures published so far let readers work out, kept up to date one group at a time.

    `offer` decides one candidate against everything recorded (published or accepted) and records
    it when safe: one reduction against the echelon form, never a fresh elimination of the
    history. `witness` asks without recording; `record` adds what is public whatever it shows.
    """

    def __init__(self, published: Iterable[Iterable[H]] = (), *, minimum: int = 3) -> None:
        if minimum < SMALLEST_MINIMUM:
            raise ValueError(f"minimum must be at least {SMALLEST_MINIMUM}")
        self.minimum = minimum
        self._class_of: dict[H, int] = {}
        self._members: list[set[H]] = []  # class id -> its organisations
        self._rows_at: list[set[int]] = []  # class id -> rows with a non-zero entry there
        self._rows: list[Row] = []  # reduced echelon form: zero at every other row's pivot
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
            found = self._smallest_in_coset(row, reduced) if reduced else None
            return None if found is None else self._organisations(found)
        finally:
            self._undo(log)

    def offer(self, group: Iterable[H]) -> frozenset[H] | None:
        """Record `group` if publishing it is safe and return None; otherwise record nothing and
        return the organisations it would have isolated."""
        row, log = self._split(group)
        reduced = self._reduce(row)
        if not reduced:  # already in the span (so constant on every class: nothing was split)
            self._undo(log)
            return None
        found = self._smallest_in_coset(row, reduced)
        if found is not None:
            isolated = self._organisations(found)
            self._undo(log)
            return isolated
        self._add(reduced)
        return None

    def smallest_isolated(self) -> frozenset[H] | None:
        """A smallest support (at most `minimum` organisations) of a non-zero combination of
        everything recorded, or None when it is safe for every reader."""
        null = _NullRows(self, self.minimum)
        best: Vector | None = None
        # A non-zero combination, scaled so that its first basis row has weight 1, is that row
        # plus later rows: its support is that row's pivot and classes whose null-space rows
        # span that pivot's. Each combination is looked for once.
        for index, (row, pivot) in enumerate(zip(self._rows, self._pivots, strict=True)):
            budget = self.minimum if best is None else _weight(best, null.weights) - 1
            if null.weights[pivot] > budget:
                continue
            earlier = frozenset(self._pivots[: index + 1])
            own = null.row(pivot)

            def spanning(room: int, own: Row = own, earlier: frozenset[int] = earlier):
                return null.sets_spanning(own, room, earlier) if own else [()]

            later = range(index + 1, len(self._rows))
            found = self._lightest(row, spanning, budget, null.weights, later, null.weights[pivot])
            if found is not None:
                best = found
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
            self._members[parent] |= members
            for organisation in members:
                self._class_of[organisation] = parent

    def _organisations(self, vector: Iterable[int]) -> frozenset[H]:
        return frozenset().union(*(self._members[c] for c in vector))

    # -- the echelon form --------------------------------------------------------------------

    def _reduce(self, row: Row) -> Row:
        """`row` minus its part in the recorded span: zero at every pivot (empty if in the span)."""
        # A basis row is zero at every other pivot, so each pivot of `row` is removed by its own
        # row with the coefficient read off `row` itself: one pass, scaled to stay in integers.
        basis = [(c, self._rows[self._pivot_row[c]]) for c in row if c in self._pivot_row]
        scale = math.lcm(*(by[c] for c, by in basis)) if basis else 1
        reduced = {c: scale * value for c, value in row.items()}
        for c, by in basis:
            times = scale * row[c] // by[c]
            for k, value in by.items():
                reduced[k] = reduced.get(k, 0) - times * value
        reduced = {c: value for c, value in reduced.items() if value}
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
        self._rows.append(row)
        self._pivots.append(pivot)
        self._pivot_row[pivot] = index
        for c in row:
            self._rows_at[c].add(index)

    # -- the search --------------------------------------------------------------------------

    def _smallest_in_coset(self, row: Row, reduced: Row) -> Vector | None:
        """A vector of least weight, at most `minimum`, in row + the recorded span (`reduced` is
        row less its part in the span)."""
        null = _NullRows(self, self.minimum)
        best: Vector | None = None
        budget = self.minimum
        if _weight(row, null.weights) <= budget:  # a small group gives itself away
            best = {c: Fraction(value) for c, value in row.items()}
            budget = _weight(row, null.weights) - 1

        def spanning(room: int) -> Iterable[tuple[int, ...]]:
            # The syndrome of `reduced` is itself: it is zero at every pivot.
            return null.sets_spanning(reduced, room, frozenset())

        found = self._lightest(reduced, spanning, budget, null.weights, range(len(self._rows)))
        return found if found is not None else best

    def _lightest(
        self,
        target: Row,
        spanning: Callable[[int], Iterable[tuple[int, ...]]],
        budget: int,
        weights: list[int],
        rows: Iterable[int],
        fixed: int = 0,
    ) -> Vector | None:
        """The lightest vector, of at most `budget` organisations, of target + a combination of
        `rows` supported on `fixed` (target's own pivot, if any) and a set `spanning` proposes
        for the room left: take the first that fits, then look again for a lighter one."""
        usable = set(rows)
        best: Vector | None = None
        while budget >= max(fixed, 1):
            found = None
            tried: set[frozenset[int]] = set()
            for support in spanning(budget - fixed):
                allowed = frozenset(support)
                if allowed in tried:
                    continue
                tried.add(allowed)
                used = [self._pivot_row[c] for c in allowed if self._pivot_row.get(c) in usable]
                found = self._fit(target, used, allowed)
                if found is not None and _weight(found, weights) <= budget:
                    break
                found = None
            if found is None:
                break
            best, budget = found, _weight(found, weights) - 1
        return best

    def _fit(self, target: Row, used: list[int], allowed: frozenset[int]) -> Vector | None:
        """target + a combination of the rows `used`, zero outside `allowed` and target's own
        pivot, if there is one: solved exactly."""
        rows = [self._rows[j] for j in used]
        columns = set(target).union(*rows)
        own = {c for c in target if c in self._pivot_row}  # the homogeneous case: row + rows
        equations = (
            [row.get(c, 0) for row in rows] + [target.get(c, 0)]
            for c in columns
            if c not in allowed and c not in own
        )
        y = _solve_every(equations, len(rows))
        if y is None:
            return None
        vector: Vector = {}
        for c in columns:
            value = target.get(c, 0) + sum(
                (w * row.get(c, 0) for w, row in zip(y, rows, strict=True)), Fraction(0)
            )
            if value:
                vector[c] = value
        return vector


class _NullRows:
    """The rows of the null-space basis K (see the module's notes) for the classes light enough
    to be in a support, each in one canonical direction, worked out when first asked for.

    Rows are found by direction through their shape (how many columns, and the sum of their
    column numbers), which costs no arithmetic to index; rows of one shape are then compared in
    full. Valid until the state changes.
    """

    __slots__ = ("weights", "_budget", "_state", "_rows", "_at", "_by_shape")

    def __init__(self, state: "Disclosure", budget: int) -> None:
        self.weights = weights = state._weights()
        self._budget = budget
        self._state = state
        self._rows: dict[int, Row] = {}
        self._at: dict[int, list[int]] = {}
        self._by_shape: dict[tuple[int, int], list[int]] = {}
        for row, pivot in zip(state._rows, state._pivots, strict=True):
            if weights[pivot] <= budget:
                self._by_shape.setdefault((len(row) - 1, sum(row) - pivot), []).append(pivot)
        for c, weight in enumerate(weights):
            if weight <= budget and c not in state._pivot_row:
                self._by_shape.setdefault((1, c), []).append(c)

    def row(self, c: int) -> Row:
        """The row of K for class c: e_c, or its basis row outside the pivot."""
        found = self._rows.get(c)
        if found is None:
            index = self._state._pivot_row.get(c)
            if index is None:
                found = {c: 1}
            else:
                basis = self._state._rows[index]
                found = _canonical({k: value for k, value in basis.items() if k != c})
            self._rows[c] = found
        return found

    def at(self, column: int) -> list[int]:
        """The light classes whose rows of K touch a column (a non-pivot class)."""
        found = self._at.get(column)
        if found is None:
            pivots, budget = self._state._pivots, self._budget
            found = [pivots[j] for j in self._state._rows_at[column]]
            found = [c for c in found if self.weights[c] <= budget]
            if self.weights[column] <= budget:
                found.append(column)
            self._at[column] = found
        return found

    def degree(self, column: int) -> int:
        """How many rows of K touch a column, light or not: cheap, to choose columns by."""
        return len(self._state._rows_at[column]) + 1

    def same_direction(self, vector: Row) -> list[int]:
        """The light classes whose rows of K are multiples of a canonical `vector`."""
        shape = (len(vector), sum(vector))
        return [c for c in self._by_shape.get(shape, ()) if self.row(c) == vector]

    def sets_spanning(
        self, target: Row, room: int, exclude: Iterable[int]
    ) -> Iterable[tuple[int, ...]]:
        """Sets of classes weighing at most `room` whose rows may span `target`: every smallest
        (by inclusion) set that does is among them; the caller checks each exactly."""
        excluded = frozenset(exclude)
        for c in self.same_direction(_canonical(target)):
            if c not in excluded and self.weights[c] <= room:
                yield (c,)
        yield from self._grow(target, {}, (), room, excluded)

    def _grow(
        self,
        target: Row,
        moved: dict[int, Row],
        chosen: tuple[int, ...],
        room: int,
        excluded: frozenset[int],
    ) -> Iterable[tuple[int, ...]]:
        """Sets chosen + two or more classes spanning `target` in the quotient by the rows of
        `chosen` (`moved` holds the rows that quotient changed; the others are as they were).

        Some class of such a set is non-zero where the target is: take the column of the target
        that the fewest rows touch. Two more: y, z span the target exactly when, in the quotient
        by the target too, their rows are parallel (or one is zero: a smaller set, found
        elsewhere); so y touches the column, and z is looked up by direction among the rows the
        quotients left alone, the rows they changed and the other rows touching the column. More:
        branch on the rows touching the column, and go on in the quotient by the row chosen.
        """
        weights = self.weights
        column = min(target, key=self.degree)
        touching = [c for c in self.at(column) if c not in moved]
        touching += [c for c, row in moved.items() if column in row]
        touching = [
            c for c in touching if c not in excluded and c not in chosen and weights[c] < room
        ]
        if room >= 2:
            rest: dict[Key, list[int]] = {}  # rows the quotients changed, not touching the column
            for z, row in moved.items():
                if column not in row and row and z not in excluded and weights[z] < room:
                    rest.setdefault(frozenset(row.items()), []).append(z)
            seen: dict[Key, list[int]] = {}
            for y in touching:
                row = _reduce_at(moved[y] if y in moved else self.row(y), column, target)
                if not row:
                    continue
                direction = frozenset(row.items())
                room_left = room - weights[y]
                # Rows left alone by every quotient (one touching the column would still have it,
                # so it cannot share this direction).
                for z in self.same_direction(row):
                    if weights[z] <= room_left and z not in moved and z not in excluded:
                        yield (*chosen, y, z)
                for z in rest.get(direction, ()):
                    if weights[z] <= room_left:
                        yield (*chosen, y, z)
                for z in seen.get(direction, ()):
                    if weights[z] <= room_left:
                        yield (*chosen, y, z)
                seen.setdefault(direction, []).append(y)
        if room >= 3:
            for x in touching:
                if weights[x] > room - 2:
                    continue
                row = moved[x] if x in moved else self.row(x)
                pivot = min(row, key=self.degree)
                left = _reduce_at(target, pivot, row)
                if left:  # otherwise chosen + x spans target: found as a pair already
                    yield from self._grow(
                        left,
                        self._quotient(moved, pivot, row),
                        (*chosen, x),
                        room - weights[x],
                        excluded,
                    )

    def _quotient(self, moved: dict[int, Row], column: int, by: Row) -> dict[int, Row]:
        """The changed rows after also eliminating `column` with `by`."""
        after = {c: _reduce_at(vector, column, by) for c, vector in moved.items()}
        for c in self.at(column):
            if c not in moved:
                after[c] = _reduce_at(self.row(c), column, by)
        return after


# -- exact helpers -----------------------------------------------------------------------------


def _weight(vector: Iterable[int], weights: list[int]) -> int:
    return sum(weights[c] for c in vector)


def _canonical(vector: Row) -> Row:
    """The multiple of a sparse integer vector with coprime entries, the first one positive: one
    representative of its direction, so that parallel vectors have equal items."""
    if not vector:
        return vector
    divisor = math.gcd(*vector.values())
    if vector[min(vector)] < 0:
        divisor = -divisor
    return vector if divisor == 1 else {c: value // divisor for c, value in vector.items()}


def _reduce_at(vector: Row, column: int, by: Row) -> Row:
    """`vector` with `column` eliminated by `by` (an integer combination, made primitive)."""
    if column not in vector:
        return vector
    return _canonical(_eliminate(vector, column, by))


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


def _basic_solution(equations: Iterable[Row], constant: int) -> dict[int, Fraction] | None:
    """The unknowns y (by column) set by a basic solution of sum row[c] y_c + row[constant] = 0
    for every row, the free unknowns 0; None if there is none. Sparse Gauss–Jordan elimination
    in integers, each row's lead its least column: the unknowns set are pivot columns, so they
    are independent, and earlier columns are preferred."""
    rows: dict[int, Row] = {}  # lead -> row, zero at every other lead
    at: dict[int, set[int]] = {}  # column -> the leads of the rows with an entry there
    for equation in equations:
        for lead in [c for c in equation if c in rows]:
            # A row is zero at the other leads, so this leaves the equation's other entries at
            # leads non-zero, and brings in no new lead.
            equation = _eliminate(equation, lead, rows[lead])
        unknowns = [c for c in equation if c != constant]
        if not unknowns:
            if equation.get(constant):
                return None
            continue
        lead = min(unknowns)
        equation = _primitive(equation, lead)
        for r in list(at.get(lead, ())):
            old = rows[r]
            new = _primitive(_eliminate(old, lead, equation), r)
            for c in old.keys() - new.keys():
                at[c].discard(r)
            for c in new.keys() - old.keys():
                at.setdefault(c, set()).add(r)
            rows[r] = new
        rows[lead] = equation
        for c in equation:
            at.setdefault(c, set()).add(lead)
    return {lead: Fraction(-row[constant], row[lead])
            for lead, row in rows.items() if row.get(constant)}


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
    result = dict(row) if scale == 1 else {c: scale * value for c, value in row.items()}
    for c, value in by.items():
        entry = result.get(c, 0) - times * value
        if entry:
            result[c] = entry
        else:
            result.pop(c, None)
    return result
