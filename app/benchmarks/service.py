"""Publish benchmark figures: the latest version of each group, renewed in steps, audited.

`publish_benchmarks` is the one way figures over groups of organisations are shown, by reports
(rule 7) and by national results (their breakdowns): for each statement it keeps showing a
group's figures as last published until at least `minimum` more organisations have joined it,
offers the renewed or new groups to the disclosure audit (app.benchmarks.audit) against every
version published in the year, of every kind, stores what it accepts as published, and says in
words why anything is withheld: which published groups it would combine with (the audit's
certificate), never which organisations it would give away.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import false, text, update
from sqlmodel import Session, select

from app.benchmarks import audit as disclosure
from app.benchmarks.cohorts import KINDS, NATIONAL, GroupKey, Member, averages
from app.benchmarks.models import PublishedBenchmark
from app.partnerships.service import label_of, partnership_labels
from app.statements.reference import get_reference
from app.vocabulary import NOT_ENOUGH_ORGANISATIONS, withheld_benchmark


@dataclass(frozen=True)
class Scope:
    """Benchmarks compare like with like: one year, programme and statement set."""

    year: str
    programme: str
    statement_set: str


@dataclass(frozen=True)
class Figure:
    """A group's figures for one statement, as published: exact values, displayed by the caller.

    `minimum` and `maximum` are None below 5 organisations (rule 7).
    """

    mean: Fraction
    minimum: Fraction | None
    maximum: Fraction | None
    organisations: int
    published_on: date


@dataclass(frozen=True)
class Withheld:
    reason: str
    organisations: int = 0  # in the group now, for the statement


Shown = Figure | Withheld
RANGE_FROM = 5  # min and max only over this many organisations or more

_audit = lru_cache(maxsize=4096)(disclosure.audit)


def publish_benchmarks(
    *, session: Session, scope: Scope, cohort: Iterable[Member], groups: Sequence[GroupKey],
    numbers: Iterable[int], minimum: int, today: date,
) -> dict[GroupKey, dict[int, Shown]]:
    """Group → statement number → its figures or why not, publishing what is new; commits.

    A group needs more than `minimum` organisations to be shown (a reader inside it needs
    `minimum` others). One version of a group is shown
    until `minimum` more organisations have joined it; a new version, or a new group, is offered
    to the audit together with the other groups asked for now (largest first), against every
    version published this year, and stored when accepted. Withheld, a group shows its last
    published version, if it has one.
    """
    cohort = list(cohort)
    _lock(session, scope)
    members = {group: averages(cohort, group) for group in groups}
    history = _history(session, scope)
    result: dict[GroupKey, dict[int, Shown]] = {group: {} for group in groups}
    for number in numbers:
        versions = history.get(number, {})
        # Every version shown this year: its group, the day of an earlier version, its members.
        shown_before = [(group, None if row is rows[-1] else row.published_on,
                         frozenset(row.organisations))
                        for group, rows in versions.items() for row in rows]
        published = tuple(organisations for _, _, organisations in shown_before)
        candidates: list[tuple[GroupKey, frozenset[int]]] = []
        for group in groups:
            current = frozenset(members[group].get(number, {}))
            latest = versions.get(group, [None])[-1]
            if latest is not None and not _renewed(latest, current, minimum):
                result[group][number] = _figure(latest)
            elif len(current) <= minimum:
                # Alone, a group of `minimum` shows a reader inside it the other members' total.
                result[group][number] = Withheld(NOT_ENOUGH_ORGANISATIONS, len(current))
            else:
                candidates.append((group, current))
        verdict = _audit(published, tuple(candidates), minimum=minimum)
        accepted = {group: current for group, current in candidates
                    if group in verdict.accepted}
        for group, _members in candidates:
            held = verdict.held(group)
            if held is None:
                row = _store(session, scope, group, number, members[group][number], today)
                result[group][number] = _figure(row)
            else:
                latest = versions.get(group, [None])[-1]
                result[group][number] = (
                    _figure(latest) if latest is not None
                    else Withheld(_reason(session, held, shown_before, accepted), len(_members)))
    session.commit()
    return result


def _reason(
    session: Session, held: disclosure.Withheld,
    shown_before: list[tuple[GroupKey, date | None, frozenset[int]]],
    accepted: dict[GroupKey, frozenset[int]],
) -> str:
    """Why a group is withheld, naming the published groups it would combine with (the audit's
    certificate): each once, regions first and the national figure last, an earlier version with
    the day it was published."""
    order = [*KINDS[1:], NATIONAL]

    def preference(item: tuple[GroupKey, date | None, frozenset[int]]) -> tuple:
        group, day, _ = item
        return order.index(group.kind), day is not None, day or date.max, group.key

    everything = [*shown_before, *((group, None, members) for group, members in accepted.items())]
    used = [shown_before[i] for i in held.with_published]
    used += [(group, None, accepted[group]) for group in held.with_accepted]
    named = set()
    for _, _, members in used:
        # Groups of the same organisations publish the same figure: name the first in order.
        group, day, _ = min((item for item in everything if item[2] == members), key=preference)
        named.add((group, day, members))
    return withheld_benchmark(len(held.isolates), [
        _name(session, group, day) for group, day, _ in sorted(named, key=preference)])


def _name(session: Session, group: GroupKey, day: date | None) -> str:
    """A benchmark group as a reader names it, e.g. "the North West region"."""
    reference = get_reference()
    if group.kind == NATIONAL:
        name = "all organisations nationally"
    elif group.kind == "region":
        name = f"the {reference.label('regions', group.key)} region"
    elif group.kind == "teaching_partnership":
        name = f"the {label_of(partnership_labels(session=session), group.key)}"
    else:
        name = f"employer type: {reference.label('employer_types', group.key)}"
    return name if day is None else f"{name} (as published on {day:%-d %B %Y})"


def _renewed(latest: PublishedBenchmark, current: frozenset[int], minimum: int) -> bool:
    """Whether a group has grown enough since its last version to be published again."""
    before = frozenset(latest.organisations)
    return before <= current and len(current - before) >= minimum


def _history(session: Session, scope: Scope) -> dict[int, dict[GroupKey, list[PublishedBenchmark]]]:
    """Statement number → group → its versions, oldest first."""
    rows = session.exec(
        select(PublishedBenchmark).where(
            PublishedBenchmark.year == scope.year,
            PublishedBenchmark.programme == scope.programme,
            PublishedBenchmark.statement_set == scope.statement_set,
        ).order_by(PublishedBenchmark.id)
    ).all()
    history: dict[int, dict[GroupKey, list[PublishedBenchmark]]] = {}
    for row in rows:
        group = GroupKey(row.kind, row.group_key)
        history.setdefault(row.statement_number, {}).setdefault(group, []).append(row)
    return history


def _store(session: Session, scope: Scope, group: GroupKey, number: int,
           values: dict[int, Fraction], today: date) -> PublishedBenchmark:
    means = list(values.values())
    mean = sum(means, Fraction(0)) / len(means)
    ranged = len(means) >= RANGE_FROM
    low, high = (min(means), max(means)) if ranged else (None, None)
    row = PublishedBenchmark(
        year=scope.year, programme=scope.programme, statement_set=scope.statement_set,
        kind=group.kind, group_key=group.key, statement_number=number,
        organisations=sorted(values), mean=str(mean),
        minimum=str(low) if ranged else None, maximum=str(high) if ranged else None,
        published_on=today,
    )
    session.add(row)
    return row


def _figure(row: PublishedBenchmark) -> Figure:
    return Figure(
        mean=Fraction(row.mean),
        minimum=None if row.minimum is None else Fraction(row.minimum),
        maximum=None if row.maximum is None else Fraction(row.maximum),
        organisations=len(row.organisations),
        published_on=row.published_on,
    )


def _lock(session: Session, scope: Scope) -> None:
    """Publish one scope at a time: two readers auditing at once could each add a group that is
    safe alone and not together, or both store a scope's first figures.

    PostgreSQL: an advisory lock per scope. SQLite: its one write lock, taken before the
    published history is read. pysqlite begins a transaction only at the first write, so the
    history would otherwise be read outside it, by both readers, before either stored; a write
    that changes nothing takes the lock (as `lock_open_round` does), and a second reader waits
    for the first to commit (the busy timeout) and then reads what it published.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        key = f"benchmarks:{scope.year}:{scope.programme}:{scope.statement_set}"
        session.execute(text("select pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    elif dialect == "sqlite":
        session.execute(update(PublishedBenchmark).where(false())
                        .values(id=PublishedBenchmark.id))
