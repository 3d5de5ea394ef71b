"""What the report page and PDF show beyond the JSON: charts, columns and settings."""

from typing import Any

from app.config import get_settings
from app.core.templating import templates
from app.reports.charts import Bar, Chart, render_bar_chart
from app.reports.exports import BENCHMARK_COLUMNS, TYPE_COLUMNS
from app.reports.schemas import RoundReport, StatementReport, ThemeFigure


def number(value) -> float | None:
    """A displayed value as the charts draw it."""
    return None if value is None else float(value)


def theme_chart(theme: ThemeFigure, statements: dict[int, StatementReport]):
    bars = []
    for n in theme.statements:
        statement = statements[n]
        national = statement.benchmarks.national
        bars.append(Bar(label=str(n), name=f"Statement {n}", value=number(statement.average),
                        rag=statement.rag, marker=number(national and national.average)))
    return render_bar_chart(Chart(
        title=f"Theme {theme.number}: your organisation's average for each statement, "
        "with the national average marked",
        bars=bars,
        marker_name="National average",
    ))


def report_view(report: RoundReport) -> dict[str, Any]:
    """The template context shared by the report page and its PDF."""
    statements = {s.number: s for s in report.statements}
    return {
        "report": report,
        "statements": statements,
        "charts": {theme.number: theme_chart(theme, statements) for theme in report.themes},
        "type_columns": TYPE_COLUMNS,
        "benchmark_columns": BENCHMARK_COLUMNS,
        "minimum_organisations": get_settings().minimum_organisations,
    }


def pdf_html(report: RoundReport) -> str:
    """The print version of the report, for WeasyPrint."""
    return templates.get_template("reports/pdf.html").render(**report_view(report))
