"""The report summary's own figures: theme lines beside the national figure and the change, and
where to focus, each checked against an independent computation from the report's JSON."""

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app.reports.service import build_round_report
from app.reports.views import focus_areas, theme_summaries
from tests.builders import make_closed_round, make_organisation, random_answers


def mean_of_printed(values) -> Decimal | None:
    """What a reader gets by averaging printed figures, printed to one place, half up."""
    shown = [Decimal(str(v)) for v in values if v is not None]
    if not shown:
        return None
    return (sum(shown) / len(shown)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("seed", range(3))
def test_theme_lines_and_focus_areas_agree_with_the_printed_figures(session, seed):
    rng = random.Random(seed)
    organisations = [make_organisation(session) for _ in range(4)]
    for year in ("2024-25", "2025-26"):
        for organisation in organisations:
            round_ = make_closed_round(session, organisation=organisation, year=year,
                                       answers=random_answers(rng, nqsw=4, line_manager=2,
                                                              other=0, dont_know=0.1))
    report = build_round_report(session=session, round_=round_)
    data = report.model_dump(mode="json")
    statements = {s["number"]: s for s in data["statements"]}

    for summary, theme in zip(theme_summaries(report), data["themes"], strict=True):
        members = [statements[n] for n in theme["statements"]]
        national = mean_of_printed(s["benchmarks"]["national"]["average"]
                                   for s in members if s["benchmarks"]["national"])
        previous = mean_of_printed(s["previous"]["average"] for s in members if s["previous"])
        assert (summary.national.average if summary.national else None) == national
        assert (summary.previous.average if summary.previous else None) == previous
        if theme["average"] is not None and previous is not None:
            assert summary.change == Decimal(str(theme["average"])) - previous

    def shortfall(s):
        national = s["benchmarks"]["national"]
        return Decimal(str(national["average"])) - Decimal(str(s["average"])) if national else 0

    not_green = [s for s in data["statements"] if s["average"] is not None and s["rag"] != "green"]
    ranked = sorted(not_green, key=lambda s: (-shortfall(s), s["average"], s["number"]))
    chosen = [s.number for s in focus_areas(report)]
    if len(ranked) <= 5:
        assert chosen == [s["number"] for s in ranked]
    else:
        last = ranked[4]
        assert chosen == [s["number"] for s in ranked
                          if (-shortfall(s), s["average"]) <= (-shortfall(last), last["average"])]
    assert all(statements[n]["rag"] != "green" for n in chosen)
