"""National results worked out independently from the raw answers a test wrote.

Written from the rules in PRODUCT.md, not from app.results.arithmetic or app.reports.aggregation:
exact fractions, then rounding half up with `decimal`, then the RAG bands as the rules list them.
"""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from tests.builders import Answers

K = 3  # small-group threshold (rule 5)
MINIMUM_ORGANISATIONS = 3  # rule 7
# A group alone is shown from 4 organisations: a reader inside it needs 3 others (rule 7).
SHOWN_FROM = MINIMUM_ORGANISATIONS + 1
RANGE_FROM = 5  # min and max only from 5 organisations
ANONYMOUS = ("nqsw", "line_manager", "other")


def half_up(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = 80
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rag_of(displayed: Decimal) -> str:
    if Decimal("1.0") <= displayed <= Decimal("1.9"):
        return "red"
    if Decimal("2.0") <= displayed <= Decimal("3.9"):
        return "amber"
    assert Decimal("4.0") <= displayed <= Decimal("5.0"), displayed
    return "green"


def qualifies(answers: Answers, *, closed: bool = True) -> bool:
    """Rule 6 with the default criteria."""
    return (closed and len(answers.get("self_assessment", [])) >= 1
            and len(answers.get("nqsw", [])) >= 3 and len(answers.get("line_manager", [])) >= 1)


def organisation_average(answers: Answers, number: int) -> Fraction | None:
    """Every score for the statement, self-assessment included; withheld below k anonymous."""
    scores = {t: [r[number] for r in responses if r[number] is not None]
              for t, responses in answers.items()}
    if sum(len(scores.get(t, [])) for t in ANONYMOUS) < K:
        return None
    every = [score for group in scores.values() for score in group]
    return Fraction(sum(every), len(every))


def type_average(answers: Answers, number: int, respondent_type: str) -> Fraction:
    scores = [r[number] for r in answers[respondent_type] if r[number] is not None]
    return Fraction(sum(scores), len(scores))


def figures(values: list[Fraction], *, groups_of_organisations: bool = True) -> dict:
    """What the national results should say for one statement over these organisations.

    Figures over groups of organisations (national, region, …) are published as benchmarks:
    shown from 4 organisations, displayed values only, a range only from 5. Respondent types
    keep the older shape (from 3, with the mean and the range).
    """
    shown_from = SHOWN_FROM if groups_of_organisations else MINIMUM_ORGANISATIONS
    if len(values) < shown_from:
        return {"average": None, "mean": None, "min": None, "max": None, "rag": None,
                "organisations": len(values), "suppressed": "not enough organisations yet"}
    mean = sum(values, Fraction(0)) / len(values)
    ranged = len(values) >= RANGE_FROM or not groups_of_organisations
    return {"average": half_up(mean), "mean": mean,
            "min": half_up(min(values)) if ranged else None,
            "max": half_up(max(values)) if ranged else None, "rag": rag_of(half_up(mean)),
            "organisations": len(values), "suppressed": None}


def assert_figures(actual: dict, expected: dict, where: str) -> None:
    """Compare a JSON statement with `figures`: displayed values exactly, means closely."""
    for key in ("average", "min", "max"):
        shown = actual[key]
        assert (None if shown is None else Decimal(str(shown))) == expected[key], (where, key)
    if expected["mean"] is None or actual["mean"] is None:  # no unrounded mean for benchmarks
        assert actual["mean"] is None, where
    else:
        assert abs(Fraction(actual["mean"]) - expected["mean"]) < Fraction(1, 10**9), where
    for key in ("rag", "organisations", "suppressed"):
        assert actual[key] == expected[key], (where, key, actual[key], expected[key])


def highest_and_lowest(displayed: dict[int, Decimal | None]) -> tuple[list[int], list[int]]:
    shown = {n: d for n, d in displayed.items() if d is not None}
    top, bottom = max(shown.values()), min(shown.values())
    return (sorted(n for n, d in shown.items() if d == top),
            sorted(n for n, d in shown.items() if d == bottom))
