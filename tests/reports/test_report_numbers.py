"""Every number of a round report agrees with an independent computation from the raw answers."""

import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from app.reports.service import ReportNotReady
from tests.builders import (
    NUMBERS,
    make_closed_round,
    make_organisation,
    random_answers,
    round_report,
    same_answers,
)

K = 3
ANONYMOUS = ("nqsw", "line_manager", "other")


def half_up(value: Fraction) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rag_of(shown: float) -> str:
    return "red" if shown < 2 else "amber" if shown < 4 else "green"


def scores(answers, types, number) -> list[int]:
    return [r[number] for t in types for r in answers.get(t, []) if r[number] is not None]


def expected_organisation_mean(answers, number) -> Fraction | None:
    anonymous = scores(answers, ANONYMOUS, number)
    if len(anonymous) < K:
        return None
    everyone = scores(answers, ("self_assessment", *ANONYMOUS), number)
    return Fraction(sum(everyone), len(everyone))


@pytest.mark.parametrize("seed", range(12))
def test_report_numbers_match_the_raw_answers(session, seed):
    rng = random.Random(seed)
    organisations = [make_organisation(session) for _ in range(6)]
    all_answers = []
    for organisation in organisations:
        answers = random_answers(
            rng,
            nqsw=rng.choice([0, 2, 3, 4, 5, 8]),
            line_manager=rng.choice([0, 1, 2, 4]),
            other=rng.choice([0, 1, 3]),
            self_assessment=rng.random() < 0.8,
            dont_know=rng.choice([0.0, 0.2, 0.6]),
        )
        all_answers.append(answers)
        round_ = make_closed_round(session, organisation=organisation, answers=answers)
    report = round_report(session, round_)
    answers = all_answers[-1]

    assert report["counts"] == {t: len(answers.get(t, [])) for t in ("self_assessment", *ANONYMOUS)}
    qualifies = [
        bool(a.get("self_assessment")) and len(a["nqsw"]) >= 3 and len(a["line_manager"]) >= 1
        for a in all_answers
    ]
    assert report["meets_minimum"] == qualifies[-1]

    published_means = {}
    for statement in report["statements"]:
        number = statement["number"]
        expected = expected_organisation_mean(answers, number)
        if expected is None:
            assert statement["average"] is None
            assert statement["suppressed"] == "fewer than 3 ratings"
            assert all("suppressed" in statement["by_respondent_type"][t] for t in ANONYMOUS)
        else:
            published_means[number] = expected
            assert statement["average"] == half_up(expected)
            assert statement["rag"] == rag_of(half_up(expected))
            assert statement["n"] == len(scores(answers, ("self_assessment", *ANONYMOUS), number))
        for respondent_type in ANONYMOUS:
            given = scores(answers, (respondent_type,), number)
            shown = statement["by_respondent_type"][respondent_type]
            if "average" in shown:
                assert len(given) >= K
                assert shown == {
                    "average": half_up(Fraction(sum(given), len(given))),
                    "mean": pytest.approx(sum(given) / len(given)),
                    "rag": rag_of(half_up(Fraction(sum(given), len(given)))),
                    "n": len(given),
                }
            elif not given:
                assert shown["suppressed"] in ("no ratings", "fewer than 3 ratings")
        for part in statement["combined"]:
            pooled = scores(answers, part["types"], number)
            assert len(pooled) >= K and part["n"] == len(pooled)
            assert part["average"] == half_up(Fraction(sum(pooled), len(pooled)))
        own = scores(answers, ("self_assessment",), number)
        shown_own = statement["by_respondent_type"]["self_assessment"]
        assert shown_own.get("average") == (float(own[0]) if own else None)

        # National benchmark: the mean of the qualifying organisations' averages.
        organisation_means = [
            m
            for a, q in zip(all_answers, qualifies, strict=True)
            if q and (m := expected_organisation_mean(a, number)) is not None
        ]
        national = statement["benchmarks"]["national"]
        if len(organisation_means) < 3:
            assert national is None
        else:
            mean = sum(organisation_means, Fraction(0)) / len(organisation_means)
            assert national["average"] == half_up(mean)
            assert national["min"] == half_up(min(organisation_means))
            assert national["max"] == half_up(max(organisation_means))
            assert national["organisations"] == len(organisation_means)

    # Rule 4: a theme's average is the mean of its statement averages as displayed, so a reader
    # who averages the printed figures gets the printed theme figure and its RAG.
    for theme in report["themes"]:
        printed = [Fraction(str(half_up(published_means[n])))
                   for n in theme["statements"] if n in published_means]
        expected = sum(printed, Fraction(0)) / len(printed) if printed else None
        assert theme["average"] == (half_up(expected) if expected is not None else None)
        assert theme["rag"] == (rag_of(half_up(expected)) if expected is not None else None)

    shown = {s["number"]: s["average"] for s in report["statements"] if s["average"] is not None}
    if shown:
        assert report["highest"] == sorted(n for n, a in shown.items() if a == max(shown.values()))
        assert report["lowest"] == sorted(n for n, a in shown.items() if a == min(shown.values()))
    else:
        assert report["highest"] == report["lowest"] == []


@pytest.mark.parametrize(
    ("scores_given", "shown", "rag"),
    [
        ([4] * 19 + [3], 4.0, "green"),  # a mean of exactly 3.95 rounds up
        ([2] * 19 + [1], 2.0, "amber"),  # 1.95
        ([2] * 19 + [3], 2.1, "amber"),  # 2.05
        ([4] * 19 + [5], 4.1, "green"),  # 4.05
    ],
)
def test_a_mean_on_the_half_rounds_up_and_takes_the_rag_of_the_shown_value(
    session, scores_given, shown, rag
):
    organisation = make_organisation(session)
    round_ = make_closed_round(
        session,
        organisation=organisation,
        answers=same_answers({"nqsw": scores_given}),
    )
    report = round_report(session, round_)
    statement = report["statements"][0]
    assert (statement["average"], statement["rag"]) == (shown, rag)
    assert statement["by_respondent_type"]["nqsw"]["average"] == shown


def test_an_open_round_has_no_report(session):
    organisation = make_organisation(session)
    round_ = make_closed_round(
        session,
        organisation=organisation,
        answers=same_answers({"nqsw": [4, 4, 4]}),
        status="open",
    )
    with pytest.raises(ReportNotReady):
        round_report(session, round_)


def test_benchmarks_are_hidden_below_three_organisations_with_a_reason(session):
    qualifying = same_answers({"self_assessment": [4], "nqsw": [4, 4, 4], "line_manager": [4]})
    first = make_organisation(session, region="london", teaching_partnership="south_london_tp")
    second = make_organisation(session, region="london", teaching_partnership="south_london_tp")
    elsewhere = make_organisation(session, region="north_east")
    for organisation in (second, elsewhere):
        make_closed_round(session, organisation=organisation, answers=qualifying)
    round_ = make_closed_round(session, organisation=first, answers=qualifying)

    report = round_report(session, round_)

    assert report["benchmark_notes"] == {
        "national": None,
        "region": "not enough organisations yet",
        "teaching_partnership": "not enough organisations yet",
        "employer_type": None,
    }
    benchmarks = report["statements"][0]["benchmarks"]
    assert benchmarks["national"]["organisations"] == 3
    assert benchmarks["region"] is None and benchmarks["teaching_partnership"] is None


def test_a_round_that_misses_the_minimum_criteria_says_why_and_is_left_out_of_benchmarks(session):
    good = same_answers({"self_assessment": [5], "nqsw": [5, 5, 5], "line_manager": [5]})
    for _ in range(3):
        make_closed_round(session, organisation=make_organisation(session), answers=good)
    weak = same_answers({"nqsw": [1, 1], "line_manager": [1, 1, 1]})
    round_ = make_closed_round(session, organisation=make_organisation(session), answers=weak)

    report = round_report(session, round_)

    assert report["meets_minimum"] is False
    assert report["minimum_criteria"]["reasons"] == [
        "the self-assessment has not been completed",
        "it needs at least 3 NQSW responses (it has 2)",
    ]
    national = report["statements"][0]["benchmarks"]["national"]
    assert national["average"] == 5.0 and national["organisations"] == 3


def test_change_since_the_previous_round_compares_displayed_averages(session):
    organisation = make_organisation(session)
    make_closed_round(
        session,
        organisation=organisation,
        year="2024-25",
        answers=same_answers({"nqsw": [3, 4, 4], "line_manager": [4]}),
    )
    round_ = make_closed_round(
        session,
        organisation=organisation,
        year="2025-26",
        answers=same_answers({"nqsw": [4, 4, 5], "line_manager": [4]}),
    )

    report = round_report(session, round_)

    previous = report["statements"][0]["previous"]
    assert previous == {
        "average": 3.8,
        "change": 0.5,
        "rag": "amber",
        "rag_change": "amber → green",
        "scale_differs": False,
    }
    assert report["previous_round"]["year"] == "2024-25"


def test_a_statement_with_fewer_than_k_anonymous_scores_shows_only_the_self_assessment(session):
    answers = same_answers({"self_assessment": [2], "nqsw": [5, 5]})
    round_ = make_closed_round(session, organisation=make_organisation(session), answers=answers)

    statement = round_report(session, round_)["statements"][0]

    assert statement["average"] is None
    assert statement["suppressed"] == "fewer than 3 ratings"
    assert statement["by_respondent_type"]["self_assessment"]["average"] == 2.0
    assert statement["by_respondent_type"]["nqsw"] == {
        "suppressed": "fewer than 3 ratings",
        "combined_with": [],
    }
    assert statement["combined"] == []


def test_every_statement_is_reported_even_when_nobody_answered_it(session):
    answers = {"nqsw": [dict.fromkeys(NUMBERS, None)] * 3}
    round_ = make_closed_round(session, organisation=make_organisation(session), answers=answers)
    report = round_report(session, round_)
    assert [s["number"] for s in report["statements"]] == list(NUMBERS)
    assert all(s["suppressed"] == "fewer than 3 ratings" for s in report["statements"])


def test_a_statement_withheld_in_an_organisation_stays_out_of_the_benchmarks(session):
    good = same_answers({"self_assessment": [4], "nqsw": [4, 4, 4], "line_manager": [4]})
    for _ in range(3):
        make_closed_round(session, organisation=make_organisation(session), answers=good)
    # Qualifies, but only two anonymous scores for statement 1: the rest said "I do not know".
    sparse = same_answers({"self_assessment": [1], "nqsw": [1, 1, 1], "line_manager": [1]})
    for response in sparse["nqsw"][1:] + sparse["line_manager"]:
        response[1] = None
    sparse["nqsw"][0][1] = None
    round_ = make_closed_round(session, organisation=make_organisation(session), answers=sparse)

    report = round_report(session, round_)

    first, second = report["statements"][0], report["statements"][1]
    assert first["suppressed"] == "fewer than 3 ratings"
    assert first["benchmarks"]["national"] == {
        "average": 4.0,
        "mean": 4.0,
        "rag": "green",
        "min": 4.0,
        "max": 4.0,
        "organisations": 3,
    }
    assert second["benchmarks"]["national"]["organisations"] == 4
    assert second["benchmarks"]["national"]["min"] == 1.0
