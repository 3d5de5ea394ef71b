"""From the published report JSON alone, no number reveals fewer than k anonymous ratings.

For every statement, the anonymous ratings are split into published parts (single respondent
types, and pools of types); the organisation average adds the self-assessment. If every part
has at least k ratings and the parts add up to all the anonymous ratings, then every published
number, and every difference of published numbers (total − self-assessment − some parts), is a
union of whole parts: at least k ratings each.
"""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlmodel import SQLModel

from tests.builders import NUMBERS, make_closed_round, make_organisation, round_report

K = 3
ANONYMOUS = ("nqsw", "line_manager", "other")

group_sizes = st.fixed_dictionaries({
    "nqsw": st.integers(0, 6), "line_manager": st.integers(0, 4), "other": st.integers(0, 4),
    "self_assessment": st.integers(0, 1),
})


def published_parts(statement: dict) -> list[tuple[tuple[str, ...], int]]:
    """The anonymous parts a reader can see for a statement, with their number of ratings."""
    parts = [
        ((name,), shown["n"])
        for name, shown in statement["by_respondent_type"].items()
        if name in ANONYMOUS and "average" in shown
    ]
    parts += [(tuple(part["types"]), part["n"]) for part in statement["combined"]]
    return parts


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sizes=group_sizes, seed=st.integers(0, 10_000), dont_know=st.sampled_from([0, 0.3, 0.8]))
def test_no_published_number_reveals_fewer_than_k_anonymous_ratings(
    session, sizes, seed, dont_know
):
    rng = random.Random(seed)
    answers = {
        name: [{n: None if rng.random() < dont_know else rng.randint(1, 5) for n in NUMBERS}
               for _ in range(count)]
        for name, count in sizes.items()
    }
    try:
        round_ = make_closed_round(session, organisation=make_organisation(session),
                                   answers=answers)
        report = round_report(session, round_)
    finally:
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.exec(delete(table))
        session.commit()

    for statement in report["statements"]:
        own = statement["by_respondent_type"]["self_assessment"]
        own_n = own.get("n", 0) if "average" in own else 0
        parts = published_parts(statement)
        if statement["average"] is None:
            # Withheld: nothing anonymous may be published for it at all.
            assert parts == []
            continue
        anonymous_n = statement["n"] - own_n
        assert anonymous_n >= K
        assert all(n >= K for _, n in parts), parts
        covered = [name for types, _ in parts for name in types]
        assert len(covered) == len(set(covered)), "published parts overlap"
        assert sum(n for _, n in parts) == anonymous_n, "published parts must cover everyone"
        for name in ANONYMOUS:
            shown = statement["by_respondent_type"][name]
            if "average" not in shown:
                assert shown["suppressed"] in ("no ratings", f"fewer than {K} ratings")
        for name, benchmark in statement["benchmarks"].items():
            assert benchmark is None or benchmark["organisations"] >= 3, name
