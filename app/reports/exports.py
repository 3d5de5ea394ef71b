"""The report as CSV (one row per statement) and as an A4 PDF with the same content."""

import csv
import io

from fastapi.responses import Response

from app.reports.schemas import PublishedValue, RoundReport, WithheldValue
from app.vocabulary import RespondentType

TYPE_COLUMNS = (
    (RespondentType.SELF_ASSESSMENT, "Self-assessment"),
    (RespondentType.NQSW, "NQSWs"),
    (RespondentType.LINE_MANAGER, "Line managers"),
    (RespondentType.OTHER, "Others"),
)
BENCHMARK_COLUMNS = (
    ("national", "National"),
    ("region", "Region"),
    ("teaching_partnership", "Teaching Partnership"),
    ("employer_type", "Employer type"),
)


def printed(value) -> str:
    """A displayed value as the page prints it, or blank."""
    return "" if value is None else str(value)


def _cell(value: PublishedValue | WithheldValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, PublishedValue):
        return str(value.average)
    text = value.suppressed
    if value.combined_with:
        text += " (combined with " + ", ".join(value.combined_with) + ")"
    return text


def report_csv(report: RoundReport) -> str:
    """One row per statement, with the same displayed numbers as the page and the JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([
        "Statement", "Theme", "Text", "Average", "RAG", "Scores", "Withheld because",
        *(label for _, label in TYPE_COLUMNS),
        *(f"{label} average" for _, label in BENCHMARK_COLUMNS),
        "Previous average", "Change", "RAG change", "Scales differ", "Report warnings",
    ])
    # About the whole round, so the same on every row: a reader of any row sees a padded group.
    warnings = " ".join(f"{warning.message}." for warning in report.warnings)
    for statement in report.statements:
        previous = statement.previous
        benchmarks = statement.benchmarks
        writer.writerow([
            statement.number,
            statement.theme,
            statement.text,
            printed(statement.average),
            statement.rag or "",
            printed(statement.n),
            statement.suppressed or "",
            *(_cell(statement.by_respondent_type.get(key)) for key, _ in TYPE_COLUMNS),
            *(printed(b and b.average) for b in (getattr(benchmarks, key)
                                               for key, _ in BENCHMARK_COLUMNS)),
            printed(previous and previous.average),
            "" if previous is None or previous.change is None else f"{previous.change:+}",
            (previous and previous.rag_change) or "",
            "yes" if previous and previous.scale_differs else "",
            warnings,
        ])
    return buffer.getvalue()


def report_pdf(html: str) -> bytes:
    """Render the print version of the report page to an A4 PDF with page numbers."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    return HTML(string=html).write_pdf()


def download(report: RoundReport, body: bytes | str, *, media_type: str,
             extension: str) -> Response:
    """A file download named after the round, e.g. asye360-report-2025-26-adults.csv."""
    name = f"asye360-report-{report.round.year}-{report.round.programme}.{extension}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def csv_download(report: RoundReport) -> Response:
    return download(report, report_csv(report), media_type="text/csv; charset=utf-8",
                    extension="csv")


def pdf_download(report: RoundReport, html: str) -> Response:
    return download(report, report_pdf(html), media_type="application/pdf", extension="pdf")
