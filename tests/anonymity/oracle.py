"""An independent oracle for rule 7, written for the tests and sharing nothing with the audit.

Brute force over small sets: for every set S of at most `minimum - 1` organisations other than
the reader, solve (with Fractions) for combinations of the published totals, and of the reader's
own figures, that vanish outside S and the reader, and ask whether one of them is non-zero on S.
Slow, obviously right, fine for the dozen organisations a test uses.
"""

from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction
from itertools import combinations


def _null_space(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """A basis of {w : w · column = 0 for every column given as a row of `rows`}."""
    if not rows:
        return []
    width = len(rows[0])
    matrix = [list(row) for row in rows]
    pivots: list[int] = []
    r = 0
    for c in range(width):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [x / lead for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                factor = matrix[i][c]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append(c)
        r += 1
    free = [c for c in range(width) if c not in pivots]
    basis = []
    for f in free:
        w = [Fraction(0)] * width
        w[f] = Fraction(1)
        for i, p in enumerate(pivots):
            w[p] = -matrix[i][f]
        basis.append(w)
    return basis


def isolated_sets(groups: Iterable[Iterable[Hashable]], *, reader: Hashable | None = None,
                  minimum: int = 3) -> list[frozenset]:
    """Every set of fewer than `minimum` organisations other than `reader` that some non-zero
    combination of the groups' totals (and the reader's own figures) isolates."""
    rows = [frozenset(g) for g in groups]
    if reader is not None:
        rows.append(frozenset({reader}))
    organisations: Sequence = sorted({o for row in rows for o in row}, key=repr)
    others = [o for o in organisations if o != reader]
    found = []
    for size in range(1, minimum):
        for chosen in combinations(others, size):
            allowed = set(chosen) | ({reader} if reader is not None else set())
            outside = [o for o in organisations if o not in allowed]
            # w (one weight per row) must give zero on every organisation outside `allowed`.
            equations = [[Fraction(int(o in row)) for row in rows] for o in outside]
            basis = (_null_space(equations) if equations
                     else [[Fraction(int(i == j)) for j in range(len(rows))]
                           for i in range(len(rows))])
            for w in basis:
                if any(sum(w[i] for i, row in enumerate(rows) if o in row) != 0 for o in chosen):
                    found.append(frozenset(chosen))
                    break
    return found


def safe_for_every_reader(groups: Iterable[Iterable[Hashable]], *, minimum: int = 3) -> bool:
    groups = [frozenset(g) for g in groups]
    readers = [None, *sorted({o for g in groups for o in g}, key=repr)]
    return all(not isolated_sets(groups, reader=r, minimum=minimum) for r in readers)
