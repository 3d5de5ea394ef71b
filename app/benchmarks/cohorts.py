"""Benchmark groups of a cohort: which organisations each group counts, statement by statement.

Pure. A cohort member is any object with `organisation_id`, `region`, `teaching_partnership`,
`employer_type` and `means` (statement number → the organisation's published average), such as
app.benchmarks.queries.CohortRound; the cohort itself (qualifying rounds of approved organisations
of one year, programme and statement set) is read by the caller.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

NATIONAL = "national"
# The kinds of group, in the order reports show them; each but national is a column of the member.
KINDS = (NATIONAL, "region", "teaching_partnership", "employer_type")


class Member(Protocol):
    organisation_id: int
    region: str
    teaching_partnership: str | None
    employer_type: str
    means: Mapping[int, Fraction]


@dataclass(frozen=True, order=True)
class GroupKey:
    """One benchmark group: a kind and its key ("" for national)."""

    kind: str
    key: str = ""


def group_of(member: Member, kind: str) -> GroupKey | None:
    """The member's group of this kind (None: no Teaching Partnership)."""
    if kind == NATIONAL:
        return GroupKey(NATIONAL)
    key = getattr(member, kind)
    return None if key is None else GroupKey(kind, key)


def averages(cohort: Iterable[Member], group: GroupKey) -> dict[int, dict[int, Fraction]]:
    """Statement number → organisation id → its average, over the group's members."""
    found: dict[int, dict[int, Fraction]] = {}
    for member in cohort:
        if group_of(member, group.kind) != group:
            continue
        for number, mean in member.means.items():
            found.setdefault(number, {})[member.organisation_id] = mean
    return found
