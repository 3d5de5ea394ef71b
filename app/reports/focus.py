"""Suggested focus statements for an action plan (rule 13), read from a closed round's report.

A statement is suggested for each reason that applies, in this order: it is among the lowest;
its average is red or amber; it is among the largest gaps between the self-assessment and
everyone else; it is among the furthest below the national benchmark. Pure: no I/O.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from app.reports.schemas import RoundReport
from app.vocabulary import Rag

FURTHEST_BELOW = 5  # how many statements below the national benchmark to suggest, ties kept


@dataclass
class Suggestion:
    statement: int
    text: str
    average: Decimal | None
    rag: Rag | None
    reasons: list[str] = field(default_factory=list)


def suggest_focus(report: RoundReport) -> list[Suggestion]:
    """Every suggested statement once, with its reasons in words, in statement order."""
    found: dict[int, list[str]] = {}

    def add(number: int, reason: str) -> None:
        found.setdefault(number, []).append(reason)

    for number in report.lowest:
        add(number, "one of the lowest averages")
    for statement in report.statements:
        if statement.rag in (Rag.RED, Rag.AMBER):
            add(statement.number, f"{statement.rag.value} ({statement.average})")
    for gap in report.gaps:
        direction = "higher" if gap.gap > 0 else "lower"
        add(gap.statement, f"you rated yourselves {abs(gap.gap)} {direction} than everyone else")
    for number, below in _furthest_below_national(report):
        add(number, f"{below} below the national average")
    by_number = {s.number: s for s in report.statements}
    return [Suggestion(statement=n, text=by_number[n].text, average=by_number[n].average,
                       rag=by_number[n].rag, reasons=reasons)
            for n, reasons in sorted(found.items())]


def _furthest_below_national(report: RoundReport) -> list[tuple[int, Decimal]]:
    """The statements furthest below the national average (displayed figures), ties kept."""
    below = []
    for statement in report.statements:
        national = statement.benchmarks.national
        if statement.average is None or national is None or national.average is None:
            continue
        difference = national.average - statement.average
        if difference > 0:
            below.append((statement.number, difference))
    below.sort(key=lambda item: (-item[1], item[0]))
    if len(below) <= FURTHEST_BELOW:
        return below
    last = below[FURTHEST_BELOW - 1][1]
    return [item for item in below if item[1] >= last]
