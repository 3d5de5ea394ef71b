"""National results as CSV: one row per statement, with a block of columns per group."""

import csv
import io
from typing import Any

from app.national.schemas import NationalResults, StatementFigures
from app.reports.exports import printed

HEADINGS = (
    "Year", "Programme", "Statement set", "Statement", "Theme", "Text", "National average",
    "RAG", "Min", "Max", "Organisations", "Hidden because", "Previous year average", "Change",
    "RAG change", "Scales differ",
)
GROUP_HEADINGS = ("average", "RAG", "min", "max", "organisations")


def _group_cells(figures: StatementFigures | None, reason: str | None) -> list[Any]:
    """A group's columns for one statement; a hidden group says why in its average column."""
    if figures is None:
        return [reason or "", "", "", "", ""]
    if figures.average is None:
        return [figures.suppressed or "", "", "", "", figures.organisations]
    return [printed(figures.average), figures.rag, printed(figures.min), printed(figures.max),
            figures.organisations]


def national_csv(results: NationalResults) -> str:
    """The same displayed numbers as the page and the JSON (`build_national_results`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    groups = results.groups
    writer.writerow([
        *HEADINGS,
        *(f"{group.label} {heading}" for group in groups.values() for heading in GROUP_HEADINGS),
    ])
    by_group = {key: {s.number: s for s in group.statements} for key, group in groups.items()}
    for statement in results.statements:
        previous = statement.previous
        row = [
            results.year, results.programme, results.statement_set,
            statement.number, statement.theme, statement.text,
            printed(statement.average), statement.rag or "",
            printed(statement.min), printed(statement.max), statement.organisations,
            statement.suppressed or "",
            printed(previous and previous.average),
            "" if previous is None or previous.change is None else f"{previous.change:+}",
            (previous and previous.rag_change) or "",
            "yes" if previous and previous.scale_differs else "",
        ]
        for key, group in groups.items():
            row.extend(_group_cells(by_group[key].get(statement.number), group.suppressed))
        writer.writerow(row)
    return buffer.getvalue()
