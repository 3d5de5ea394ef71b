"""What the report page and PDF show beyond the JSON: the summary, focus areas, notes, charts."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.config import get_settings
from app.core.templating import templates
from app.reports import aggregation as agg
from app.reports.charts import Bar, Chart, render_bar_chart, short_title
from app.reports.exports import BENCHMARK_COLUMNS, TYPE_COLUMNS
from app.reports.notes import cell_text, protection_notes
from app.reports.schemas import RoundReport, StatementReport, ThemeFigure
from app.results import arithmetic


def number(value) -> float | None:
    """A displayed value as the charts draw it."""
    return None if value is None else float(value)


def theme_chart(theme: ThemeFigure, statements: dict[int, StatementReport]):
    bars = []
    for n in theme.statements:
        statement = statements[n]
        national = statement.benchmarks.national
        bars.append(Bar(label=short_title(n, statement.text), name=f"Statement {n}",
                        value=number(statement.average), rag=statement.rag,
                        marker=number(national and national.average),
                        reason=statement.suppressed))
    return render_bar_chart(Chart(
        title=f"Theme {theme.number}: your organisation's average for each statement, "
        "with the national average marked",
        bars=bars,
        marker_name="National average",
    ))


@dataclass(frozen=True)
class ThemeSummary:
    """A theme's line in the report's summary: its average beside the national figure and the
    previous round's, each the mean of displayed statement averages (rule 4)."""

    theme: ThemeFigure
    national: arithmetic.Average | None
    previous: arithmetic.Average | None

    @property
    def change(self) -> Decimal | None:
        if self.theme.average is None or self.previous is None:
            return None
        return self.theme.average - self.previous.average


def theme_summaries(report: RoundReport) -> list[ThemeSummary]:
    summaries = []
    for theme in report.themes:
        members = [report.statement(n) for n in theme.statements]
        national = agg.theme_average(
            s.benchmarks.national.average if s.benchmarks.national else None for s in members)
        previous = None
        if report.previous_round is not None:
            previous = agg.theme_average(s.previous.average if s.previous else None
                                         for s in members)
        summaries.append(ThemeSummary(theme=theme, national=national, previous=previous))
    return summaries


def focus_areas(report: RoundReport, *, limit: int = 5) -> list[StatementReport]:
    """The statements to act on first: those not rated green, furthest below the national
    average first, then the lowest; every statement tied with the last one kept is kept too."""

    def key(statement: StatementReport) -> tuple[Decimal, Decimal]:
        national = statement.benchmarks.national
        shortfall = national.average - statement.average if national else Decimal(0)
        return (-shortfall, statement.average)

    candidates = sorted(
        (s for s in report.statements if s.average is not None and s.rag != "green"),
        key=lambda s: (*key(s), s.number))
    if len(candidates) <= limit:
        return candidates
    cut = key(candidates[limit - 1])
    return [s for s in candidates if key(s) <= cut]


def report_view(report: RoundReport) -> dict[str, Any]:
    """The template context shared by the report page and its PDF."""
    statements = {s.number: s for s in report.statements}
    return {
        "report": report,
        "statements": statements,
        "summaries": theme_summaries(report),
        "focus": focus_areas(report),
        "notes": protection_notes(report),
        "cell_text": lambda statement, respondent_type: cell_text(report, statement,
                                                                   respondent_type),
        "charts": {theme.number: theme_chart(theme, statements) for theme in report.themes},
        "type_columns": TYPE_COLUMNS,
        "benchmark_columns": BENCHMARK_COLUMNS,
        "minimum_organisations": get_settings().minimum_organisations,
    }


def pdf_html(report: RoundReport) -> str:
    """The print version of the report, for WeasyPrint."""
    return templates.get_template("reports/pdf.html").render(**report_view(report))
