"""Publishing benchmarks: steps of 3, stored as published, and rule 7 over whole histories.

The property test drives the production publisher (app.benchmarks.service) with random
organisations, groups, memberships and publication histories, on the test database, and checks
everything it ever stored with the independent oracle of tests/anonymity/oracle.py: no published
set lets any reader isolate fewer than 3 other organisations. With the audit switched off, the
same check fails (the test after it).
"""

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlmodel import select

from app.benchmarks import service
from app.benchmarks.audit import Audit
from app.benchmarks.cohorts import KINDS, NATIONAL, GroupKey, group_of
from app.benchmarks.models import PublishedBenchmark
from app.benchmarks.service import Figure, Scope, Withheld, publish_benchmarks
from tests.anonymity.oracle import isolated_sets, safe_for_every_reader

SCOPE = Scope("2025-26", "child_and_family", "child-and-family-2019")
NUMBERS = (1, 2)
DAY = date(2026, 3, 1)


@dataclass
class Org:
    organisation_id: int
    region: str
    teaching_partnership: str | None
    employer_type: str
    means: dict[int, Fraction] = field(default_factory=dict)


def publish(session, cohort, groups, today=DAY):
    return publish_benchmarks(session=session, scope=SCOPE, cohort=cohort, groups=groups,
                              numbers=NUMBERS, minimum=3, today=today)


def stored_sets(session, number: int) -> list[frozenset[int]]:
    return [frozenset(row.organisations) for row in session.exec(
        select(PublishedBenchmark).where(PublishedBenchmark.statement_number == number))]


def reader_groups(org: Org) -> list[GroupKey]:
    return [g for g in (group_of(org, kind) for kind in KINDS) if g is not None]


organisation = st.tuples(
    st.sampled_from(["london", "south_east", "eastern"]),
    st.sampled_from(["tp_a", "tp_b", None]),
    st.sampled_from(["local_authority", "nhs"]),
    st.integers(1, 5),
    st.booleans(),  # has an average for statement 2
)
# A history: organisations joining, in batches, each batch followed by some reports read (by
# random members) or the national results read with a random breakdown.
history = st.lists(
    st.tuples(st.lists(organisation, min_size=1, max_size=4),
              st.lists(st.one_of(st.integers(0, 40), st.sampled_from(KINDS[1:])),
                       min_size=1, max_size=4)),
    min_size=1, max_size=5)


def play(session, steps) -> None:
    cohort: list[Org] = []
    for joining, reads in steps:
        for region, partnership, employer_type, score, second in joining:
            org = Org(len(cohort) + 1, region, partnership, employer_type,
                      {1: Fraction(score), **({2: Fraction(score, 2)} if second else {})})
            cohort.append(org)
        for read in reads:
            if isinstance(read, int):  # a report, read by one organisation
                publish(session, cohort, reader_groups(cohort[read % len(cohort)]))
            else:  # national results broken down by a kind of group
                keys = sorted({g for g in (group_of(o, read) for o in cohort) if g is not None})
                publish(session, cohort, [GroupKey(NATIONAL), *keys])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history)
def test_no_history_of_publications_lets_any_reader_isolate_fewer_than_three(session, steps):
    session.exec(delete(PublishedBenchmark))
    session.commit()

    play(session, steps)

    for number in NUMBERS:
        assert safe_for_every_reader(stored_sets(session, number)), number


def test_without_the_audit_region_minus_partnership_is_published_and_the_oracle_sees_it(
    session, monkeypatch
):
    def accept_everything(published, candidates, *, minimum):
        return Audit(tuple(key for key, _ in candidates), ())

    monkeypatch.setattr(service, "_audit", accept_everything)
    steps = [([("london", None, "nhs", 3, True)] + [("london", "tp_a", "nhs", 4, True)] * 4,
              [1])]

    play(session, steps)

    assert not safe_for_every_reader(stored_sets(session, 1))


def test_region_minus_partnership_is_withheld_and_says_why(session):
    cohort = [Org(1, "london", None, "nhs", {1: Fraction(3)})] + [
        Org(i, "london", "tp_a", "nhs", {1: Fraction(4)}) for i in range(2, 6)]
    groups = reader_groups(cohort[1])

    shown = publish(session, cohort, groups)

    region, partnership = shown[GroupKey("region", "london")][1], \
        shown[GroupKey("teaching_partnership", "tp_a")][1]
    assert isinstance(region, Figure) and region.organisations == 5
    assert isinstance(partnership, Withheld)
    # National, region and employer type count the same five: one figure, named as the region.
    assert partnership.reason == ("withheld: together with the figures published this year for "
                                  "the London region, it would let anyone work out the figures "
                                  "of 1 organisation")
    assert isolated_sets(stored_sets(session, 1)) == []


def test_a_reason_names_an_earlier_version_with_the_day_it_was_published(session):
    cohort = [Org(i, "london", None, "nhs", {1: Fraction(3)}) for i in range(1, 6)]
    publish(session, cohort, [GroupKey(NATIONAL)])
    cohort += [Org(6, "london", None, "nhs", {1: Fraction(4)})] + [
        Org(i, "eastern", None, "nhs", {1: Fraction(2)}) for i in range(7, 10)]
    publish(session, cohort, [GroupKey(NATIONAL)], today=date(2026, 3, 2))

    # London now is the first national figure's five and one more: their difference gives it.
    shown = publish(session, cohort, [GroupKey("region", "london")], today=date(2026, 3, 3))

    assert shown[GroupKey("region", "london")][1] == Withheld(
        "withheld: together with the figures published this year for all organisations "
        "nationally (as published on 1 March 2026), it would let anyone work out the figures of "
        "1 organisation", 6)


def test_a_reason_names_an_employer_type_by_its_label(session):
    # A partnership of 4 inside an employer type of 5 that is shown: the type minus the
    # partnership would give the fifth.
    cohort = [Org(1, "london", None, "pvi", {1: Fraction(3)})] + [
        Org(i, "london", "north_london_tp", "pvi", {1: Fraction(4)}) for i in range(2, 6)] + [
        Org(i, "eastern", None, "nhs", {1: Fraction(2)}) for i in range(6, 10)]

    shown = publish(session, cohort, [GroupKey("employer_type", "pvi"),
                                      GroupKey("teaching_partnership", "north_london_tp")])

    reason = shown[GroupKey("teaching_partnership", "north_london_tp")][1].reason
    assert reason == ("withheld: together with the figures published this year for employer "
                      "type: Private, voluntary or independent (PVI), it would let anyone work "
                      "out the figures of 1 organisation")


def test_a_reason_names_a_teaching_partnership_by_its_name(session):
    cohort = [Org(i, "london", "north_london_tp", "nhs", {1: Fraction(4)}) for i in range(1, 5)]
    publish(session, cohort, [GroupKey("teaching_partnership", "north_london_tp")])
    cohort += [Org(5, "london", None, "nhs", {1: Fraction(3)})]

    shown = publish(session, cohort, [GroupKey("region", "london")])

    assert shown[GroupKey("region", "london")][1].reason == (
        "withheld: together with the figures published this year for the North London Teaching "
        "Partnership, it would let anyone work out the figures of 1 organisation")


def test_figures_stay_as_published_until_three_more_organisations_join(session):
    cohort = [Org(i, "london", None, "nhs", {1: Fraction(i)}) for i in range(1, 6)]
    national = [GroupKey(NATIONAL)]

    first = publish(session, cohort, national)[national[0]][1]
    cohort += [Org(6, "london", None, "nhs", {1: Fraction(5)}),
               Org(7, "london", None, "nhs", {1: Fraction(5)})]
    two_more = publish(session, cohort, national, today=date(2026, 3, 2))[national[0]][1]
    cohort += [Org(i, "london", None, "nhs", {1: Fraction(1)}) for i in range(8, 10)]
    four_more = publish(session, cohort, national, today=date(2026, 3, 3))[national[0]][1]

    assert first == Figure(mean=Fraction(3), minimum=Fraction(1), maximum=Fraction(5),
                           organisations=5, published_on=DAY)
    assert two_more == first
    # Three more would leave a reader the three newcomers' total; four more are enough.
    assert four_more.organisations == 9 and four_more.published_on == date(2026, 3, 3)
    assert four_more.mean == Fraction(1 + 2 + 3 + 4 + 5 + 5 + 5 + 1 + 1, 9)
    assert safe_for_every_reader(stored_sets(session, 1))


def test_a_range_is_published_only_from_five_organisations(session):
    cohort = [Org(i, "london", None, "nhs", {1: Fraction(i)}) for i in range(1, 5)]

    four = publish(session, cohort, [GroupKey(NATIONAL)])[GroupKey(NATIONAL)][1]

    assert (four.minimum, four.maximum, four.organisations) == (None, None, 4)
