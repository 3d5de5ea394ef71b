"""What the report page and PDF show beyond the JSON: labels, charts, column headings."""

from typing import Any

from app.reports.charts import Bar, Chart, render_bar_chart
from app.reports.exports import BENCHMARK_COLUMNS, TYPE_COLUMNS
from app.templating import templates


def theme_chart(report: dict[str, Any], theme: dict[str, Any]):
    statements = {s["number"]: s for s in report["statements"]}
    bars = []
    for number in theme["statements"]:
        statement = statements[number]
        national = statement["benchmarks"]["national"]
        bars.append(
            Bar(
                label=str(number),
                name=f"Statement {number}",
                value=statement["average"],
                rag=statement["rag"],
                marker=national["average"] if national else None,
            )
        )
    return render_bar_chart(
        Chart(
            title=f"Theme {theme['number']}: your organisation's average for each statement, "
            "with the national average marked",
            bars=bars,
            marker_name="National average",
        )
    )


def report_view(report: dict[str, Any]) -> dict[str, Any]:
    """The template context shared by the report page and its PDF."""
    statements = {s["number"]: s for s in report["statements"]}
    return {
        "report": report,
        "statements": statements,
        "charts": {theme["number"]: theme_chart(report, theme) for theme in report["themes"]},
        "type_columns": TYPE_COLUMNS,
        "benchmark_columns": BENCHMARK_COLUMNS,
    }


def pdf_html(report: dict[str, Any]) -> str:
    """The print version of the report, for WeasyPrint."""
    return templates.get_template("reports/pdf.html").render(**report_view(report))
