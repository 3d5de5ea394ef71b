"""National results as CSV: participation rows, then one row per statement with a block of
columns per group."""

import csv
import io
from typing import Any

from app.national.schemas import NationalResults, StatementFigures
from app.reports.exports import header_rows, printed

# Participation rows above the table, in the order of the page (PRODUCT.md section 4).
PARTICIPATION_ROWS = (
    ("registered", "Organisations registered"),
    ("with_round", "Organisations with a round this year"),
    ("with_data_not_qualifying", "Organisations with data but not qualifying"),
    ("qualifying", "Organisations qualifying"),
    ("second_round_or_later", "Organisations on their second or later round"),
)

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
    writer.writerows(header_rows([
        ("Year", results.year),
        ("Programme", results.programme_label),
        ("Statement set", results.statement_set_title),
        *((label, getattr(results.participation, key)) for key, label in PARTICIPATION_ROWS),
        ("Organisations in these results", results.organisations),
        # Which breakdown this is, also when every group of it is withheld (rule 7): then it has
        # no group columns, and the line says why there are none.
        ("Broken down by", (results.group_by or "").replace("_", " ")),
        *((("Groups shown", "none: no group has enough organisations to be shown without "
            "disclosing an organisation's figures (rule 7)"),)
          if results.group_by and not groups else ()),
    ]))
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
