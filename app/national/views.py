"""What the national page shows beyond the JSON: filter choices, labels, charts, table columns."""

from typing import Any
from urllib.parse import urlencode

from app.config import get_settings
from app.national.service import GROUP_BY, GROUP_BY_LABELS, participation_definitions
from app.reports.charts import Bar, Chart, render_bar_chart
from app.statements.reference import get_reference


def theme_chart(results: dict[str, Any], theme: dict[str, Any], statements: dict[int, Any]):
    previous = results["previous_year"]
    bars = [
        Bar(label=str(n), name=f"Statement {n}", value=statements[n]["average"],
            rag=statements[n]["rag"],
            marker=(statements[n]["previous"] or {}).get("average"))
        for n in theme["statements"]
    ]
    marked = f", with the {previous['year']} national average marked" if previous else ""
    return render_bar_chart(Chart(
        title=f"Theme {theme['number']}: national average for each statement{marked}",
        bars=bars,
        marker_name=f"{previous['year']} national average" if previous else None,
    ))


def csv_url(results: dict[str, Any]) -> str:
    query = {"programme": results["programme"], "statement_set": results["statement_set"]}
    if results["group_by"]:
        query["group_by"] = results["group_by"]
    return f"/national/{results['year']}.csv?{urlencode(query)}"


def filter_choices(
    *, years: list[str], year: str, programme: str, group_by: str | None,
    statement_sets: list[dict[str, Any]], statement_set: str | None,
) -> dict[str, list[dict[str, Any]]]:
    """The items of the page's select boxes, with the current choice selected."""
    reference = get_reference()
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return {
        "year": [{"value": y, "text": y, "selected": y == year} for y in years],
        "programme": [
            {"value": item.key, "text": item.label, "selected": item.key == programme}
            for item in reference.programmes
        ],
        "group_by": [{"value": "", "text": "No breakdown", "selected": group_by is None}] + [
            {"value": key, "text": GROUP_BY_LABELS[key], "selected": key == group_by}
            for key in GROUP_BY
        ],
        "statement_set": [
            {"value": s["key"], "text": f"{s['title']} ({s['qualifying']} qualifying)",
             "selected": s["key"] == statement_set}
            for s in statement_sets
        ],
    }


def national_view(results: dict[str, Any]) -> dict[str, Any]:
    """The template context of the national page (besides the filters)."""
    statements = {s["number"]: s for s in results["statements"]}
    groups = results["groups"]
    shown = [(key, g) for key, g in groups.items() if g["suppressed"] is None]
    definitions = participation_definitions(get_settings())
    return {
        "results": results,
        "statements": statements,
        "charts": {t["number"]: theme_chart(results, t, statements) for t in results["themes"]},
        "participation": [
            {"key": key, "label": label, "definition": definition,
             "count": results["participation"][key]}
            for key, (label, definition) in definitions.items()
        ],
        "group_label": GROUP_BY_LABELS.get(results["group_by"] or "", ""),
        "shown_groups": [
            {"key": key, "label": g["label"], "organisations": g["organisations"],
             "statements": {s["number"]: s for s in g["statements"]}}
            for key, g in shown
        ],
        "hidden_groups": [g for g in groups.values() if g["suppressed"] is not None],
        "csv_url": csv_url(results),
    }
