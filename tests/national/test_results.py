"""National averages, ranges, RAG, counts, groups and year-on-year change, checked exactly."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import event

from app.statements.loader import get_statement_sets
from tests.builders import (
    NUMBERS,
    Answers,
    bearer,
    make_closed_round,
    make_organisation,
    make_user,
    national_results,
    same_answers,
)
from tests.national.expected import (
    assert_figures,
    figures,
    half_up,
    highest_and_lowest,
    organisation_average,
    qualifies,
    rag_of,
    type_average,
)

YEAR, BEFORE = "2025-26", "2024-25"
URL = f"/api/v1/national/{YEAR}?programme=child_and_family"

# (region, employer type, Teaching Partnership) of the qualifying organisations: London (4),
# North West (3), Local authority (6) and South London (3) have enough organisations to show;
# the rest do not.
PLACES = [
    ("london", "local_authority", "south_london_tp"),
    ("london", "local_authority", "south_london_tp"),
    ("london", "pvi", None),
    ("london", "local_authority", "south_london_tp"),
    ("north_west", "local_authority", "greater_manchester_tp"),
    ("north_west", "nhs", None),
    ("north_west", "local_authority", "greater_manchester_tp"),
    ("south_west", "local_authority", None),
    ("north_east", "fostering_agency", None),
]
# Only two organisations have enough anonymous ratings for it: hidden nationally.
SCARCE = 27


def random_answers(rng: random.Random, *, low: int, high: int, nqsw: int, line_manager: int,
                   other: int, self_assessment: bool = True) -> Answers:
    """Few respondents and some "I do not know", so small-group withholding really happens."""
    def one(dont_know: float) -> dict[int, int | None]:
        return {n: None if rng.random() < dont_know else rng.randint(low, high) for n in NUMBERS}

    answers = {"nqsw": [one(0.25) for _ in range(nqsw)],
               "line_manager": [one(0.25) for _ in range(line_manager)],
               "other": [one(0.25) for _ in range(other)]}
    if self_assessment:
        answers["self_assessment"] = [one(0)]
    return answers


def build_cohort(session, seed: int) -> dict:
    """Qualifying organisations this year and last, plus rounds that must not count."""
    rng = random.Random(seed)
    current, previous = [], []
    for index, (region, employer_type, partnership) in enumerate(PLACES):
        organisation = make_organisation(session, region=region, employer_type=employer_type,
                                         teaching_partnership=partnership)
        answers = random_answers(rng, low=3, high=5, nqsw=rng.randint(3, 5),
                                 line_manager=rng.randint(1, 3), other=rng.randint(0, 2))
        for respondent_type, responses in answers.items():
            for ratings in responses:
                if respondent_type == "self_assessment" or index < 2:
                    ratings[SCARCE] = rng.randint(3, 5)
                else:
                    ratings[SCARCE] = None
        make_closed_round(session, organisation=organisation, answers=answers)
        current.append((organisation, answers))
        if index < 5:
            earlier = random_answers(rng, low=1, high=4, nqsw=3, line_manager=2, other=1)
            make_closed_round(session, organisation=organisation, answers=earlier, year=BEFORE)
            previous.append(earlier)
    # Rounds that do not count: too few NQSWs, no self-assessment, still open, another programme.
    extra = make_organisation(session, teaching_partnership="south_london_tp",
                              programmes=("child_and_family", "adults"))
    make_closed_round(session, organisation=extra,
               answers=random_answers(rng, low=1, high=1, nqsw=2, line_manager=3, other=3))
    make_closed_round(session, organisation=extra, programme="adults",
               answers=random_answers(rng, low=1, high=1, nqsw=5, line_manager=3, other=3))
    make_closed_round(session, organisation=make_organisation(session),
               answers=random_answers(rng, low=1, high=1, nqsw=5, line_manager=3, other=3,
                                      self_assessment=False))
    make_closed_round(session, organisation=make_organisation(session), status="open",
               answers=random_answers(rng, low=1, high=1, nqsw=5, line_manager=3, other=3))
    assert all(qualifies(answers) for _, answers in current)
    return {"current": current, "previous": previous}


def expected_statements(cohort: list[tuple]) -> dict[int, dict]:
    return {
        n: figures([average for _, answers in cohort
                    if (average := organisation_average(answers, n)) is not None])
        for n in NUMBERS
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_national_results_match_an_independent_computation(client, session, seed):
    built = build_cohort(session, seed)
    headers = bearer(client, make_user(session, role="national"))

    response = client.get(URL, headers=headers)

    assert response.status_code == 200, response.text
    results = response.json()
    assert results["organisations"] == len(PLACES)
    assert results["statement_set"] == "child-and-family-2019"
    expected = expected_statements(built["current"])
    statements = {s["number"]: s for s in results["statements"]}
    assert list(statements) == list(NUMBERS)
    for number in NUMBERS:
        assert_figures(statements[number], expected[number], f"statement {number}")
    assert statements[SCARCE]["suppressed"] == "not enough organisations yet"
    assert statements[SCARCE]["organisations"] == 2
    # Some organisation's average was withheld for some statement (fewer than 3 ratings).
    assert any(expected[n]["organisations"] < len(PLACES) for n in NUMBERS if n != SCARCE)

    displayed = {n: expected[n]["average"] for n in NUMBERS}
    assert (results["highest"], results["lowest"]) == highest_and_lowest(displayed)

    statement_set = get_statement_sets()["child-and-family-2019"]
    for theme, shown in zip(statement_set.themes, results["themes"], strict=True):
        # Rule 4: the mean of the statement averages as displayed.
        printed = [Fraction(str(half_up(expected[s.number]["mean"]))) for s in theme.statements
                   if expected[s.number]["mean"] is not None]
        mean = sum(printed, Fraction(0)) / len(printed)
        assert Decimal(str(shown["average"])) == half_up(mean)
        assert shown["rag"] == rag_of(half_up(mean))


@pytest.mark.parametrize("seed", [1, 2])
def test_change_from_the_previous_year_uses_displayed_averages_and_names_rag_changes(
    client, session, seed
):
    built = build_cohort(session, seed)
    headers = bearer(client, make_user(session, role="national"))

    results = client.get(URL, headers=headers).json()

    now = expected_statements(built["current"])
    before = {n: figures([organisation_average(a, n) for a in built["previous"]
                          if organisation_average(a, n) is not None]) for n in NUMBERS}
    assert results["previous_year"]["year"] == BEFORE
    assert results["previous_year"]["organisations"] == len(built["previous"])
    assert results["previous_year"]["scale_differs"] is False
    rag_changed = []
    for statement in results["statements"]:
        n, previous = statement["number"], statement["previous"]
        assert previous["scale_differs"] is False
        if before[n]["average"] is None:
            assert previous["average"] is None and previous["change"] is None
            continue
        assert Decimal(str(previous["average"])) == before[n]["average"]
        assert previous["rag"] == before[n]["rag"]
        if now[n]["average"] is None:
            assert previous["change"] is None and previous["rag_change"] is None
            continue
        assert Decimal(str(previous["change"])) == now[n]["average"] - before[n]["average"]
        if before[n]["rag"] != now[n]["rag"]:
            assert previous["rag_change"] == f"{before[n]['rag']} → {now[n]['rag']}"
            rag_changed.append(n)
        else:
            assert previous["rag_change"] is None
    assert rag_changed, "the scenario should move some statement from amber to green"
    assert results["previous_year"]["rag_changed"] == rag_changed


@pytest.mark.parametrize("group_by", ["region", "teaching_partnership", "employer_type"])
def test_groups_show_their_own_figures_and_hide_below_three_organisations(
    client, session, group_by
):
    built = build_cohort(session, seed=4)
    headers = bearer(client, make_user(session, role="national"))

    results = client.get(f"{URL}&group_by={group_by}", headers=headers).json()

    position = {"region": 0, "employer_type": 1, "teaching_partnership": 2}[group_by]
    members: dict[str, list] = {}
    for (_organisation, answers), place in zip(built["current"], PLACES, strict=True):
        if place[position] is not None:
            members.setdefault(place[position], []).append(answers)
    assert results["group_by"] == group_by
    assert set(results["groups"]) == set(members)
    assert results["not_in_a_group"] == sum(1 for place in PLACES if place[position] is None)
    for key, group in results["groups"].items():
        assert group["organisations"] == len(members[key])
        if len(members[key]) < 3:
            assert group["suppressed"] == "not enough organisations yet"
            assert group["statements"] == []
            continue
        assert group["suppressed"] is None
        expected = expected_statements([(None, answers) for answers in members[key]])
        for statement in group["statements"]:
            n = statement["number"]
            assert_figures(statement, expected[n], f"{key} statement {n}")
    shown = {key for key, group in results["groups"].items() if group["suppressed"] is None}
    assert shown == {"region": {"london", "north_west"}, "employer_type": {"local_authority"},
                     "teaching_partnership": {"south_london_tp"}}[group_by]


def test_respondent_types_count_only_where_each_organisation_publishes_them(client, session):
    # Every statement is answered the same way except statement 5 in the first organisation,
    # where two NQSWs do not know: its single NQSW score is then pooled with line managers.
    scenario = {
        "first": same_answers({"self_assessment": [4], "nqsw": [4, 4, 5],
                               "line_manager": [5, 5, 4]},
                              s5={"nqsw": [None, None, 4]}),
        # One line manager and two others are pooled (3): neither type is published.
        "pooled": same_answers({"self_assessment": [3], "nqsw": [3, 3, 3],
                                "line_manager": [2], "other": [4, 4]}),
        "all": same_answers({"self_assessment": [5], "nqsw": [5, 4, 4, 4],
                             "line_manager": [4, 4, 4], "other": [3, 3, 3]}),
        # One line manager is pooled with the three NQSWs: only the self-assessment shows.
        "self only": same_answers({"self_assessment": [2], "nqsw": [2, 2, 3],
                                   "line_manager": [3]}),
        "last": same_answers({"self_assessment": [4], "nqsw": [4, 5, 5],
                              "line_manager": [3, 3, 3]}),
    }
    for answers in scenario.values():
        make_closed_round(session, organisation=make_organisation(session), answers=answers)
    # Who publishes each type, worked out by hand from rule 5 (k = 3).
    publishes = {
        "self_assessment": ["first", "pooled", "all", "self only", "last"],
        "nqsw": ["first", "pooled", "all", "last"],
        "line_manager": ["first", "all", "last"],
        "other": ["all"],
    }
    statement_5 = {"nqsw": ["pooled", "all", "last"], "line_manager": ["all", "last"]}
    headers = bearer(client, make_user(session, role="national"))

    results = client.get(f"{URL}&group_by=respondent_type", headers=headers).json()

    groups = results["groups"]
    assert list(groups) == ["self_assessment", "nqsw", "line_manager", "other"]
    assert {key: g["organisations"] for key, g in groups.items()} == {
        key: len(names) for key, names in publishes.items()}
    assert groups["other"]["suppressed"] == "not enough organisations yet"
    assert groups["other"]["statements"] == []
    for key in ("self_assessment", "nqsw", "line_manager"):
        for statement in groups[key]["statements"]:
            n = statement["number"]
            names = statement_5.get(key, publishes[key]) if n == 5 else publishes[key]
            expected = figures([type_average(scenario[name], n, key) for name in names])
            assert_figures(statement, expected, f"{key} statement {n}")
    nqsw = {s["number"]: s for s in groups["nqsw"]["statements"]}
    # (13/3 + 3 + 17/4 + 14/3) / 4 = 4.0625: shown as 4.1, green; the pooled types add nothing.
    assert (nqsw[1]["average"], nqsw[1]["min"], nqsw[1]["max"], nqsw[1]["rag"]) == (
        4.1, 3.0, 4.7, "green")
    managers = {s["number"]: s for s in groups["line_manager"]["statements"]}
    assert managers[5]["suppressed"] == "not enough organisations yet"
    assert managers[5]["organisations"] == 2


def test_a_national_average_of_exactly_four_point_zero_five_shows_as_four_point_one(
    client, session
):
    # Organisation averages 4, 4, 4 and 21/5: their mean is exactly 4.05. Half up gives 4.1;
    # binary floats and banker's rounding would both give 4.0.
    for scores in ([4, 4, 4, 4, 4], [4, 4, 4, 4, 4], [4, 4, 4, 4, 4], [5, 4, 4, 4, 4]):
        make_closed_round(session, organisation=make_organisation(session), answers=same_answers(
            {"self_assessment": scores[:1], "nqsw": scores[1:4], "line_manager": scores[4:]}))
    headers = bearer(client, make_user(session, role="national"))

    statement = client.get(URL, headers=headers).json()["statements"][0]

    assert (statement["average"], statement["min"], statement["max"], statement["rag"]) == (
        4.1, 4.0, 4.2, "green")
    assert statement["mean"] == pytest.approx(4.05)


def test_fewer_than_three_qualifying_organisations_show_no_national_figure(client, session):
    for _ in range(2):
        make_closed_round(session, organisation=make_organisation(session), answers=same_answers(
            {"self_assessment": [4], "nqsw": [4, 4, 4], "line_manager": [4]}))
    headers = bearer(client, make_user(session, role="national"))

    results = client.get(URL, headers=headers).json()

    assert results["organisations"] == 2
    assert all(s["average"] is None and s["min"] is None and s["max"] is None
               and s["suppressed"] == "not enough organisations yet" for s in results["statements"])
    assert (results["highest"], results["lowest"]) == ([], [])
    assert all(theme["average"] is None for theme in results["themes"])


def _other_set(key: str, *, scale_labels: dict[int, str] | None = None, edit: int | None = None):
    """A copy of the 2019 set under another key, with another scale or one statement reworded."""
    original = get_statement_sets()["child-and-family-2019"]
    scale = tuple(p.model_copy(update={"label": (scale_labels or {}).get(p.value, p.label)})
                  for p in original.scale)
    themes = tuple(
        theme.model_copy(update={"statements": tuple(
            s.model_copy(update={"text": s.text + " (reworded)"}) if s.number == edit else s
            for s in theme.statements)})
        for theme in original.themes
    )
    return original.model_copy(update={"key": key, "scale": scale, "themes": themes})


@pytest.fixture
def two_sets(monkeypatch):
    """The 2019 set plus an older one on the 2018-19 scale, in which statement 3 was worded
    differently."""
    older = _other_set("child-and-family-2018", edit=3, scale_labels={
        1: "Not functioning for any participants", 5: "Fully functioning for all participants"})
    sets = {**get_statement_sets(), older.key: older}
    for module in ("app.national.service", "app.national.query"):
        monkeypatch.setattr(f"{module}.get_statement_sets", lambda: sets)
    return sets


def _qualifying(session, *, score: int, year: str, statement_set, count: int = 3) -> None:
    for _ in range(count):
        make_closed_round(session, organisation=make_organisation(session), year=year,
                          statement_set=statement_set, answers=same_answers(
                              {"self_assessment": [score], "nqsw": [score] * 3,
                               "line_manager": [score]}))


def test_a_change_across_rating_scales_is_flagged_and_only_same_statements_compared(
    session, two_sets
):
    _qualifying(session, score=3, year=BEFORE, statement_set=two_sets["child-and-family-2018"])
    _qualifying(session, score=4, year=YEAR, statement_set=two_sets["child-and-family-2019"])

    results = national_results(session, year=YEAR, programme="child_and_family")

    assert results["previous_year"] == {
        "year": BEFORE, "statement_set": "child-and-family-2018", "organisations": 3,
        "scale_differs": True, "rag_changed": [n for n in NUMBERS if n != 3]}
    statements = {s["number"]: s for s in results["statements"]}
    assert statements[1]["previous"] == {"average": 3.0, "mean": 3.0, "rag": "amber",
                                         "change": 1.0, "rag_change": "amber → green",
                                         "scale_differs": True}
    # Statement 3 was worded differently in 2018: there is nothing to compare it with.
    assert statements[3]["previous"]["average"] is None
    assert statements[3]["previous"]["change"] is None


def test_the_set_most_qualifying_rounds_used_is_the_default_and_another_can_be_asked_for(
    session, two_sets
):
    _qualifying(session, score=3, year=YEAR, statement_set=two_sets["child-and-family-2018"])
    _qualifying(session, score=4, year=YEAR, statement_set=two_sets["child-and-family-2019"],
                count=4)

    default = national_results(session, year=YEAR, programme="child_and_family")
    older = national_results(session, year=YEAR, programme="child_and_family",
                                   statement_set="child-and-family-2018")

    assert (default["statement_set"], default["organisations"]) == ("child-and-family-2019", 4)
    assert default["statements"][0]["average"] == 4.0
    assert (older["statement_set"], older["organisations"]) == ("child-and-family-2018", 3)
    assert older["statements"][0]["average"] == 3.0
    assert default["participation"]["qualifying"] == 7
    assert default["statement_sets"] == [
        {"key": "child-and-family-2018", "title": two_sets["child-and-family-2018"].title,
         "qualifying": 3},
        {"key": "child-and-family-2019", "title": two_sets["child-and-family-2019"].title,
         "qualifying": 4},
    ]


def _statements_run(engine, build) -> list[str]:
    seen = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", remember)
    try:
        build()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return seen


def test_national_results_read_summaries_never_ratings_in_a_fixed_number_of_queries(
    session, engine
):
    def run() -> list[str]:
        return _statements_run(engine, lambda: national_results(
            session, year=YEAR, programme="child_and_family",
            group_by="respondent_type"))

    _qualifying(session, score=4, year=YEAR, statement_set=None)
    _qualifying(session, score=2, year=BEFORE, statement_set=None, count=1)
    few = run()
    _qualifying(session, score=3, year=YEAR, statement_set=None, count=6)
    _qualifying(session, score=2, year=BEFORE, statement_set=None, count=3)
    many = run()

    assert len(many) == len(few)
    assert not [sql for sql in many if " rating" in sql.replace('"', " ")]
