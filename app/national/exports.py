"""National results as CSV: one row per statement, with a block of columns per group."""

import csv
import io
from typing import Any

HEADINGS = (
    "Year", "Programme", "Statement set", "Statement", "Theme", "Text", "National average",
    "RAG", "Min", "Max", "Organisations", "Hidden because", "Previous year average", "Change",
    "RAG change", "Scales differ",
)
GROUP_HEADINGS = ("average", "RAG", "min", "max", "organisations")


def _shown(value: float | None, template: str = "{:.1f}") -> str:
    return "" if value is None else template.format(value)


def _group_cells(figures: dict[str, Any] | None, reason: str | None) -> list[Any]:
    """A group's columns for one statement; a hidden group says why in its average column."""
    if figures is None:
        return [reason or "", "", "", "", ""]
    if figures["average"] is None:
        return [figures["suppressed"] or "", "", "", "", figures["organisations"]]
    return [_shown(figures["average"]), figures["rag"], _shown(figures["min"]),
            _shown(figures["max"]), figures["organisations"]]


def national_csv(results: dict[str, Any]) -> str:
    """The same displayed numbers as the page and the JSON (`build_national_results`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    groups = results["groups"]
    writer.writerow([
        *HEADINGS,
        *(f"{group['label']} {heading}" for group in groups.values() for heading in GROUP_HEADINGS),
    ])
    by_group = {
        key: {s["number"]: s for s in group["statements"]} for key, group in groups.items()
    }
    for statement in results["statements"]:
        previous = statement["previous"] or {}
        row = [
            results["year"], results["programme"], results["statement_set"],
            statement["number"], statement["theme"], statement["text"],
            _shown(statement["average"]), statement["rag"] or "",
            _shown(statement["min"]), _shown(statement["max"]), statement["organisations"],
            statement["suppressed"] or "",
            _shown(previous.get("average")), _shown(previous.get("change"), "{:+.1f}"),
            previous.get("rag_change") or "", "yes" if previous.get("scale_differs") else "",
        ]
        for key, group in groups.items():
            row.extend(_group_cells(by_group[key].get(statement["number"]), group["suppressed"]))
        writer.writerow(row)
    return buffer.getvalue()
