"""The report as CSV (header rows, then one tidy table) and as an A4 PDF with the same content."""

import csv
import io

from fastapi.responses import Response

from app.reports.notes import cell_text
from app.reports.schemas import PublishedValue, RoundReport
from app.vocabulary import RespondentType, fewer_than, noun

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


# The tidy table's columns, in order; README "The report as CSV" says what each holds.
CSV_COLUMNS = (
    "statement", "theme", "text", "group", "group_label", "average", "rag", "ratings",
    "organisations", "min", "max", "previous_average", "change", "rag_change", "not_shown_because",
)


def header_rows(pairs: list[tuple[str, object]]) -> list[list[str]]:
    """The key-value rows above a CSV's table, then the blank row that ends them."""
    return [[key, printed(value)] for key, value in pairs] + [[]]


def _changed(previous) -> dict[str, str]:
    if previous is None:
        return {}
    return {
        "previous_average": printed(previous.average),
        "change": "" if previous.change is None else f"{previous.change:+}",
        "rag_change": previous.rag_change or "",
    }


def report_rows(report: RoundReport) -> list[dict[str, object]]:
    """The report as one tidy table: a row per theme, then per statement a row per group
    (the organisation, each respondent type, each pool of types, each benchmark group)."""
    organisation = report.round.organisation
    group_labels = {
        "national": "National",
        "region": organisation.region_label,
        "teaching_partnership": organisation.teaching_partnership_label,
        "employer_type": organisation.employer_type_label,
    }
    rows: list[dict[str, object]] = []
    for theme in report.themes:
        rows.append({"theme": theme.number, "text": theme.title, "group": "theme",
                     "group_label": "Theme average (mean of the statement averages shown)",
                     "average": theme.average, "rag": theme.rag,
                     "not_shown_because": "" if theme.average is not None
                     else fewer_than(report.small_group_threshold)})
    for s in report.statements:
        base = {"statement": s.number, "theme": s.theme, "text": s.text}
        rows.append({**base, "group": "organisation", "group_label": "Your organisation",
                     "average": s.average, "rag": s.rag, "ratings": s.n,
                     "not_shown_because": s.suppressed or "", **_changed(s.previous)})
        for key, label in TYPE_COLUMNS:
            shown = s.by_respondent_type[key]
            if isinstance(shown, PublishedValue):
                rows.append({**base, "group": key, "group_label": label,
                             "average": shown.average, "rag": shown.rag, "ratings": shown.n})
            else:
                rows.append({**base, "group": key, "group_label": label,
                             "not_shown_because": cell_text(report, s, key)})
        for part in s.combined:
            rows.append({**base, "group": "+".join(part.types),
                         "group_label": " and ".join(noun(t) for t in part.types) + " together",
                         "average": part.average, "rag": part.rag, "ratings": part.n})
        for key, _ in BENCHMARK_COLUMNS:
            b = getattr(s.benchmarks, key)
            row = {**base, "group": key, "group_label": group_labels[key]}
            if b is None:
                row["not_shown_because"] = (report.benchmark_notes.get(key)
                                            or "no organisations with ratings")
            else:
                row.update(average=b.average, rag=b.rag, organisations=b.organisations,
                           min=b.min, max=b.max)
            rows.append(row)
    return rows


def report_csv(report: RoundReport) -> str:
    """Header rows (organisation, year, counts…), a blank row, then the tidy table: the same
    displayed numbers as the page and the JSON."""
    r = report.round
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(header_rows([
        ("Organisation", r.organisation.name),
        ("Employer type", r.organisation.employer_type_label),
        ("Region", r.organisation.region_label),
        ("Teaching Partnership", r.organisation.teaching_partnership_label),
        ("Programme", r.programme_label),
        ("Year", r.year),
        ("Statement set", r.statement_set),
        *((f"Responses: {label}", report.counts.get(key, 0)) for key, label in TYPE_COLUMNS),
        ("Meets the minimum criteria", "yes" if report.meets_minimum else "no"),
        ("Small-group threshold", report.small_group_threshold),
        ("Compared with", report.previous_round.year if report.previous_round else ""),
    ]))
    writer.writerow(CSV_COLUMNS)
    for row in report_rows(report):
        writer.writerow([printed(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


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


def pdf_download(report: RoundReport, pdf: bytes) -> Response:
    return download(report, pdf, media_type="application/pdf", extension="pdf")
