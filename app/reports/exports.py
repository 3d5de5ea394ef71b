"""The report as CSV (one row per statement) and as an A4 PDF with the same content."""

import csv
import io
from typing import Any

from fastapi.responses import Response

TYPE_COLUMNS = (
    ("self_assessment", "Self-assessment"),
    ("nqsw", "NQSWs"),
    ("line_manager", "Line managers"),
    ("other", "Others"),
)
BENCHMARK_COLUMNS = (
    ("national", "National"),
    ("region", "Region"),
    ("teaching_partnership", "Teaching Partnership"),
    ("employer_type", "Employer type"),
)


def _cell(shown: dict[str, Any] | None) -> str:
    if shown is None:
        return ""
    if "average" in shown:
        return f"{shown['average']:.1f}"
    text = shown["suppressed"]
    if shown.get("combined_with"):
        text += " (combined with " + ", ".join(shown["combined_with"]) + ")"
    return text


def report_csv(report: dict[str, Any]) -> str:
    """One row per statement, with the same displayed numbers as the page and the JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "Statement",
            "Theme",
            "Text",
            "Average",
            "RAG",
            "Scores",
            "Withheld because",
            *(label for _, label in TYPE_COLUMNS),
            *(f"{label} average" for _, label in BENCHMARK_COLUMNS),
            "Previous average",
            "Change",
            "RAG change",
            "Scales differ",
        ]
    )
    for statement in report["statements"]:
        previous = statement["previous"] or {}
        writer.writerow(
            [
                statement["number"],
                statement["theme"],
                statement["text"],
                "" if statement["average"] is None else f"{statement['average']:.1f}",
                statement["rag"] or "",
                "" if statement["n"] is None else statement["n"],
                statement["suppressed"] or "",
                *(_cell(statement["by_respondent_type"].get(key)) for key, _ in TYPE_COLUMNS),
                *(
                    ""
                    if statement["benchmarks"][key] is None
                    else f"{statement['benchmarks'][key]['average']:.1f}"
                    for key, _ in BENCHMARK_COLUMNS
                ),
                "" if previous.get("average") is None else f"{previous['average']:.1f}",
                "" if previous.get("change") is None else f"{previous['change']:+.1f}",
                previous.get("rag_change") or "",
                "yes" if previous.get("scale_differs") else "",
            ]
        )
    return buffer.getvalue()


def report_pdf(html: str) -> bytes:
    """Render the print version of the report page to an A4 PDF with page numbers."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    return HTML(string=html).write_pdf()


def download(
    report: dict[str, Any], body: bytes | str, *, media_type: str, extension: str
) -> Response:
    """A file download named after the round, e.g. asye360-report-2025-26-adults.csv."""
    name = f"asye360-report-{report['round']['year']}-{report['round']['programme']}.{extension}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def csv_download(report: dict[str, Any]) -> Response:
    return download(
        report, report_csv(report), media_type="text/csv; charset=utf-8", extension="csv"
    )


def pdf_download(report: dict[str, Any], html: str) -> Response:
    return download(report, report_pdf(html), media_type="application/pdf", extension="pdf")
