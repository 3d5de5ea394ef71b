"""What the national page shows beyond the JSON: filter choices, words, charts, table columns."""

from typing import Any
from urllib.parse import urlencode

from app.national.schemas import NationalResults, NationalStatement, StatementSetUse
from app.reports.charts import Bar, Chart, render_bar_chart, short_title
from app.reports.schemas import ThemeFigure
from app.reports.views import number
from app.results import criteria
from app.statements.reference import get_reference
from app.vocabulary import NOT_ENOUGH_ORGANISATIONS, GroupBy

GROUP_BY_LABELS = {
    GroupBy.REGION: "Region",
    GroupBy.TEACHING_PARTNERSHIP: "Teaching Partnership",
    GroupBy.EMPLOYER_TYPE: "Employer type",
    GroupBy.RESPONDENT_TYPE: "Respondent type",
}


def participation_definitions() -> dict[str, tuple[str, str]]:
    """Each participation figure's label and what it counts, in words for the page.

    (The API schema, app.national.schemas.Participation, describes the same fields.)

    Every figure counts organisations for one academic year and one programme:

    - registered: organisations with an account whose registration includes the programme
      (as registered today: the service keeps no history of registrations), plus any that
      launched a round of it that year;
    - with_round: organisations that launched (opened) a round of the programme that year,
      whether it is still open or has closed; a draft never opened is not counted;
    - with_data_not_qualifying: of those, the ones whose round has at least one response or a
      self-assessment but does not meet the minimum criteria (rule 6), including rounds still
      open, which cannot qualify until they close;
    - qualifying: organisations whose round has closed and meets the minimum criteria, on any
      statement set (the national results use one set; see `organisations`);
    - second_round_or_later: organisations with a round that year that had also closed a round of
      the same programme in an earlier year.
    """
    minimum = criteria.sentence()
    return {
        "registered": (
            "Registered",
            "Organisations registered for this programme (registrations as they are today), "
            "and any other organisation that launched a round of it this year.",
        ),
        "with_round": (
            "With a round this year",
            "Organisations that opened a round of this programme this year, still open or "
            "closed. A draft round that was never opened does not count.",
        ),
        "with_data_not_qualifying": (
            "With data but not qualifying",
            "Organisations whose round this year has at least one response or a "
            f"self-assessment but does not meet the minimum criteria ({minimum}). "
            "Rounds still open are counted here until they close.",
        ),
        "qualifying": (
            "Qualifying",
            f"Organisations whose round this year meets the minimum criteria ({minimum}). "
            "Only these count in the national results.",
        ),
        "second_round_or_later": (
            "On their second or later round",
            "Organisations with a round this year that had also closed a round of this "
            "programme in an earlier year.",
        ),
    }


def theme_chart(results: NationalResults, theme: ThemeFigure,
                statements: dict[int, NationalStatement]):
    previous = results.previous_year
    bars = [
        Bar(label=short_title(n, statements[n].text), name=f"Statement {n}",
            value=number(statements[n].average), reason=NOT_ENOUGH_ORGANISATIONS,
            rag=statements[n].rag,
            marker=number(statements[n].previous and statements[n].previous.average))
        for n in theme.statements
    ]
    marked = f", with the {previous.year} national average marked" if previous else ""
    return render_bar_chart(Chart(
        title=f"Theme {theme.number}: national average for each statement{marked}",
        bars=bars,
        marker_name=f"{previous.year} national average" if previous else None,
    ))


def csv_url(results: NationalResults) -> str:
    query = {"programme": results.programme, "statement_set": results.statement_set}
    if results.group_by:
        query["group_by"] = results.group_by
    return f"/national/{results.year}.csv?{urlencode(query)}"


def filter_choices(
    *, years: list[str], year: str, programme: str, group_by: str | None,
    statement_sets: list[StatementSetUse], statement_set: str | None,
) -> dict[str, list[dict[str, Any]]]:
    """The items of the page's select boxes, with the current choice selected."""
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return {
        "year": [{"value": y, "text": y, "selected": y == year} for y in years],
        "programme": [
            {"value": item.key, "text": item.label, "selected": item.key == programme}
            for item in get_reference().programmes
        ],
        "group_by": [{"value": "", "text": "No breakdown", "selected": group_by is None}] + [
            {"value": key, "text": label, "selected": key == group_by}
            for key, label in GROUP_BY_LABELS.items()
        ],
        "statement_set": [
            {"value": s.key, "text": f"{s.title} ({s.qualifying} qualifying)",
             "selected": s.key == statement_set}
            for s in statement_sets
        ],
    }


def national_view(results: NationalResults) -> dict[str, Any]:
    """The template context of the national page (besides the filters)."""
    statements = {s.number: s for s in results.statements}
    groups = results.groups
    shown = [(key, g) for key, g in groups.items() if g.suppressed is None]
    participation = results.participation
    return {
        "results": results,
        "statements": statements,
        "charts": {t.number: theme_chart(results, t, statements) for t in results.themes},
        "participation": [
            {"key": key, "label": label, "definition": definition,
             "count": getattr(participation, key)}
            for key, (label, definition) in participation_definitions().items()
        ],
        "group_label": GROUP_BY_LABELS.get(results.group_by, ""),
        "shown_groups": [
            {"key": key, "label": g.label, "organisations": g.organisations,
             "statements": {s.number: s for s in g.statements}}
            for key, g in shown
        ],
        "hidden_groups": [g for g in groups.values() if g.suppressed is not None],
        "csv_url": csv_url(results),
    }
