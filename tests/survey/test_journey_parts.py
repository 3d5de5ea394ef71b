"""Long themes in parts: at most STATEMENTS_PER_PAGE statements a page, as even as can be."""

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from app.statements.loader import Statement, Theme
from app.survey.journey import STATEMENTS_PER_PAGE, journey_pages, part_sizes
from tests.builders import statement_set


def even_split_oracle(count: int, most: int) -> list[int]:
    """Independently: every way of writing `count` as a non-increasing list of parts of at most
    `most`, keeping those with the fewest parts, then the one whose largest and smallest parts
    differ least (there is exactly one such list)."""

    def splits(left: int, cap: int) -> list[list[int]]:
        if left == 0:
            return [[]]
        return [[first, *rest] for first in range(min(cap, left), 0, -1)
                for rest in splits(left - first, first)]

    candidates = splits(count, most)
    fewest = min(len(c) for c in candidates)
    candidates = [c for c in candidates if len(c) == fewest]
    spread = min(c[0] - c[-1] for c in candidates)
    [best] = [c for c in candidates if c[0] - c[-1] == spread]
    return best


def test_a_theme_of_19_statements_is_asked_in_parts_of_7_6_and_6():
    assert STATEMENTS_PER_PAGE == 8
    assert part_sizes(19) == [7, 6, 6]
    assert [part_sizes(n) for n in (1, 8, 9, 16, 17)] == [[1], [8], [5, 4], [8, 8], [6, 6, 5]]


@given(count=st.integers(1, 40))
def test_parts_are_as_few_and_as_even_as_can_be(count):
    assert part_sizes(count) == even_split_oracle(count, STATEMENTS_PER_PAGE)


def _theme(number: int, first: int, size: int) -> Theme:
    statements = tuple(Statement(number=n, text=f"Statement {n}")
                       for n in range(first, first + size))
    return Theme(number=number, title=f"Theme {number}", statements=statements)


@given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=6))
def test_every_statement_is_asked_once_in_order_on_pages_of_at_most_8(sizes):
    themes, first = [], 1
    for number, size in enumerate(sizes, start=1):
        themes.append(_theme(number, first, size))
        first += size
    statements = statement_set().model_copy(update={"themes": tuple(themes)})

    pages = journey_pages(statements)

    assert [s.number for p in pages for s in p.theme.statements] == list(range(1, first))
    assert all(1 <= len(p.theme.statements) <= STATEMENTS_PER_PAGE for p in pages)
    assert [p.index for p in pages] == list(range(1, len(pages) + 1))
    for theme, size in zip(themes, sizes, strict=True):
        parts = [p for p in pages if p.theme_number == theme.number]
        assert [len(p.theme.statements) for p in parts] == even_split_oracle(size, 8)
        assert [p.part for p in parts] == list(range(1, len(parts) + 1))
        assert {p.parts for p in parts} == {len(parts)}
        assert {p.theme.title for p in parts} == {theme.title}
    # Pages run theme by theme, part by part.
    assert all((a.theme_number, a.part) < (b.theme_number, b.part) for a, b in pairwise(pages))
    assert [p.path() for p in pages if p.part == 1] == [f"/theme/{t.number}" for t in themes]
